/** Light/dark theme, following the system until the user picks one (remembered locally). */
import { readSetting, writeSetting } from '../persistence/site-settings';
import { readTheme, type PlotTheme } from '../plots/theme';

/** A theme choice; `system` follows the operating system. */
export type ThemeChoice = 'system' | 'light' | 'dark';

const STORAGE_KEY = 'behaviour-diff.theme';

/** The theme the page shows, applied as `data-theme` on the root element. */
export class ThemeState {
  choice = $state<ThemeChoice>('system');
  #media = window.matchMedia('(prefers-color-scheme: dark)');

  constructor() {
    // Null also when the browser blocks site storage: the theme then follows the system.
    const saved = readSetting(STORAGE_KEY);
    if (saved === 'light' || saved === 'dark') this.choice = saved;
    this.#media.addEventListener('change', () => this.#apply());
    this.#apply();
  }

  /** The theme actually shown. */
  get effective(): 'light' | 'dark' {
    if (this.choice !== 'system') return this.choice;
    return this.#media.matches ? 'dark' : 'light';
  }

  /** The theme's chart colours, read from its CSS again each time the theme shown changes. */
  readonly plotTheme: PlotTheme = $derived.by(() => {
    void this.effective;
    return readTheme();
  });

  /** Switches between light and dark and remembers the choice where the browser allows it. */
  toggle(): void {
    this.choice = this.effective === 'dark' ? 'light' : 'dark';
    writeSetting(STORAGE_KEY, this.choice);
    this.#apply();
  }

  #apply(): void {
    document.documentElement.dataset.theme = this.effective;
  }
}
