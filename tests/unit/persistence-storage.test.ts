import { describe, expect, it, vi } from 'vitest';
import { estimateStorage, requestPersistentStorage } from '../../src/lib/persistence/storage';

describe('requestPersistentStorage', () => {
  it('does not ask again when storage is already persistent', async () => {
    const persist = vi.fn(async () => false);
    expect(await requestPersistentStorage({ persisted: async () => true, persist })).toBe(
      'granted',
    );
    expect(persist).not.toHaveBeenCalled();
  });

  it("reports the browser's answer", async () => {
    const persisted = async () => false;
    expect(await requestPersistentStorage({ persisted, persist: async () => true })).toBe(
      'granted',
    );
    expect(await requestPersistentStorage({ persisted, persist: async () => false })).toBe(
      'denied',
    );
    // Some browsers have persist() without persisted().
    expect(await requestPersistentStorage({ persist: async () => true })).toBe('granted');
  });

  it('says unsupported without the API or when it throws', async () => {
    expect(await requestPersistentStorage(undefined)).toBe('unsupported');
    expect(await requestPersistentStorage({})).toBe('unsupported');
    const throwing = async (): Promise<boolean> => {
      throw new DOMException('nope', 'SecurityError');
    };
    expect(await requestPersistentStorage({ persist: throwing })).toBe('unsupported');
  });

  it('reads navigator.storage by default (absent in Node)', async () => {
    vi.stubGlobal('navigator', { storage: { persist: async () => true } });
    expect(await requestPersistentStorage()).toBe('granted');
    vi.unstubAllGlobals();
  });
});

describe('estimateStorage', () => {
  it('returns usage, quota and the used fraction', async () => {
    const info = await estimateStorage({ estimate: async () => ({ usage: 250, quota: 1000 }) });
    expect(info).toEqual({ usageBytes: 250, quotaBytes: 1000, usedFraction: 0.25 });
  });

  it('handles a missing quota and missing or failing APIs', async () => {
    expect(await estimateStorage({ estimate: async () => ({ usage: 5 }) })).toEqual({
      usageBytes: 5,
      quotaBytes: 0,
      usedFraction: 0,
    });
    expect(await estimateStorage({ estimate: async () => ({}) })).toBeNull();
    expect(await estimateStorage({})).toBeNull();
    const failing = async (): Promise<StorageEstimate> => {
      throw new Error('x');
    };
    expect(await estimateStorage({ estimate: failing })).toBeNull();
  });
});
