import { describe, expect, it } from 'vitest';
import {
  readSetting,
  settingsCanBeRemembered,
  settingsStore,
  writeSetting,
  type StorageScope,
} from '../../src/lib/persistence/site-settings';

/** An in-memory Storage, standing in for the browser's (Node 20 has none). */
class MemoryStorage implements Storage {
  #items = new Map<string, string>();
  get length(): number {
    return this.#items.size;
  }
  clear(): void {
    this.#items.clear();
  }
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.#items.set(key, String(value));
  }
}

/** A window whose `localStorage` property throws, as Chromium's does with site data blocked. */
const blockedWindow: StorageScope = {
  get localStorage(): Storage {
    throw new DOMException(
      "Failed to read the 'localStorage' property from 'Window': Access is denied for this document.",
      'SecurityError',
    );
  },
};

/** A store that reads but refuses every write, as a full or read-only one does. */
class FullStorage extends MemoryStorage {
  override setItem(): void {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  }
}

describe('guarded site settings', () => {
  it('reads and writes through a working localStorage', () => {
    const storage = new MemoryStorage();
    const scope = { localStorage: storage };
    expect(readSetting('theme', scope)).toBeNull();
    expect(writeSetting('theme', 'dark', scope)).toBe(true);
    expect(readSetting('theme', scope)).toBe('dark');
    expect(storage.getItem('theme')).toBe('dark');
    expect(settingsCanBeRemembered(scope)).toBe(true);
    // The probe leaves nothing behind.
    expect(storage.length).toBe(1);
  });

  it('never throws when reading the localStorage property throws a SecurityError', () => {
    expect(() => blockedWindow.localStorage).toThrow(/Access is denied/);
    expect(settingsStore(blockedWindow)).toBeNull();
    expect(readSetting('theme', blockedWindow)).toBeNull();
    expect(writeSetting('theme', 'dark', blockedWindow)).toBe(false);
    expect(settingsCanBeRemembered(blockedWindow)).toBe(false);
  });

  it('reports a store that refuses writes as not remembering, and still reads it', () => {
    const storage = new FullStorage();
    const scope = { localStorage: storage };
    expect(writeSetting('theme', 'dark', scope)).toBe(false);
    expect(settingsCanBeRemembered(scope)).toBe(false);
    expect(readSetting('theme', scope)).toBeNull();
  });

  it('treats a scope without localStorage (a worker, old Node) as not remembering', () => {
    expect(settingsStore({})).toBeNull();
    expect(readSetting('theme', {})).toBeNull();
    expect(writeSetting('theme', 'dark', {})).toBe(false);
    expect(settingsCanBeRemembered({})).toBe(false);
  });
});
