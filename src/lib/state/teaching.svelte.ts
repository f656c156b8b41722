/** Teaching mode: plain-language notes beside each analysis step, on or off (remembered locally). */
import { readSetting, writeSetting } from '../persistence/site-settings';

const STORAGE_KEY = 'behaviour-diff.teaching';

/** Whether teaching notes are shown; the choice survives reloads. */
export class TeachingState {
  on = $state(false);

  constructor() {
    // With site storage blocked this reads null: teaching then just starts off.
    this.on = readSetting(STORAGE_KEY) === 'on';
  }

  /** Flips teaching mode and remembers the choice where the browser allows it. */
  toggle(): void {
    this.on = !this.on;
    // Not remembered when storage is blocked, but still switched for this page.
    writeSetting(STORAGE_KEY, this.on ? 'on' : 'off');
  }
}

let shared: TeachingState | null = null;

/** The page's one teaching state, created on first use so every note follows the same toggle. */
export function teachingState(): TeachingState {
  shared ??= new TeachingState();
  return shared;
}
