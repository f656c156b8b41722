/**
 * Small settings remembered in localStorage (theme, teaching mode), behind guards: a browser
 * that blocks site data throws a SecurityError on the mere `localStorage` property (and a full
 * or disabled store throws on writes), which must never take the page down.
 */

/** Where localStorage is read from; the page passes nothing, tests pass a stand-in window. */
export interface StorageScope {
  readonly localStorage?: Storage;
}

const PROBE_KEY = 'behaviour-diff.probe';

/** The scope's localStorage, or null when it is missing or the browser forbids it. Never throws. */
export function settingsStore(scope: StorageScope = globalThis): Storage | null {
  try {
    return scope.localStorage ?? null;
  } catch {
    return null;
  }
}

/** A remembered setting, or null when it is unset or storage is blocked. Never throws. */
export function readSetting(key: string, scope?: StorageScope): string | null {
  try {
    return settingsStore(scope)?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** Remembers a setting; false when the browser refused (blocked, disabled or full). Never throws. */
export function writeSetting(key: string, value: string, scope?: StorageScope): boolean {
  const store = settingsStore(scope);
  if (!store) return false;
  try {
    store.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether settings can be remembered: writing and removing a probe entry both work (some
 * browsers hand out a store whose every write throws). Never throws.
 */
export function settingsCanBeRemembered(scope?: StorageScope): boolean {
  if (!writeSetting(PROBE_KEY, '1', scope)) return false;
  try {
    settingsStore(scope)?.removeItem(PROBE_KEY);
    return true;
  } catch {
    return false;
  }
}
