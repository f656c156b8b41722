/** Teaching mode: plain-language notes beside each analysis step, on or off (remembered locally). */

const STORAGE_KEY = 'behaviour-diff.teaching';

/** Whether teaching notes are shown; the choice survives reloads. */
export class TeachingState {
  on = $state(false);

  constructor() {
    // Storage can be unavailable (privacy modes); teaching then just starts off.
    try {
      this.on = localStorage.getItem(STORAGE_KEY) === 'on';
    } catch {
      this.on = false;
    }
  }

  /** Flips teaching mode and remembers the choice. */
  toggle(): void {
    this.on = !this.on;
    try {
      localStorage.setItem(STORAGE_KEY, this.on ? 'on' : 'off');
    } catch {
      // Not remembered, but still switched for this page.
    }
  }
}

let shared: TeachingState | null = null;

/** The page's one teaching state, created on first use so every note follows the same toggle. */
export function teachingState(): TeachingState {
  shared ??= new TeachingState();
  return shared;
}
