/**
 * The browser's storage manager: asking that saved runs survive storage pressure, and how much
 * room is left. Both degrade to a plain answer where the API is missing (older Safari, Node).
 */

/** Outcome of asking for persistent storage. */
export type PersistResult = 'granted' | 'denied' | 'unsupported';

/** How much this site stores and may store, in bytes. */
export interface StorageEstimateInfo {
  usageBytes: number;
  quotaBytes: number;
  /** usage / quota, 0 when the quota is unknown. */
  usedFraction: number;
}

/** The parts of StorageManager used here, so tests can pass a stand-in. */
export type StorageManagerLike = Partial<
  Pick<StorageManager, 'persist' | 'persisted' | 'estimate'>
>;

/** The global StorageManager, if this environment has one. */
function defaultManager(): StorageManagerLike | undefined {
  return (globalThis as { navigator?: { storage?: StorageManagerLike } }).navigator?.storage;
}

/**
 * Asks the browser not to evict our data under storage pressure. Never throws: a browser
 * that errors here is treated as not supporting it.
 */
export async function requestPersistentStorage(
  manager: StorageManagerLike | undefined = defaultManager(),
): Promise<PersistResult> {
  if (typeof manager?.persist !== 'function') return 'unsupported';
  try {
    // Already persistent: asking again may show a prompt for nothing in some browsers.
    if (typeof manager.persisted === 'function' && (await manager.persisted())) return 'granted';
    return (await manager.persist()) ? 'granted' : 'denied';
  } catch {
    return 'unsupported';
  }
}

/** Current usage and quota, or null where the browser does not say. Never throws. */
export async function estimateStorage(
  manager: StorageManagerLike | undefined = defaultManager(),
): Promise<StorageEstimateInfo | null> {
  if (typeof manager?.estimate !== 'function') return null;
  try {
    const { usage, quota } = await manager.estimate();
    if (usage === undefined && quota === undefined) return null;
    const usageBytes = usage ?? 0;
    const quotaBytes = quota ?? 0;
    return { usageBytes, quotaBytes, usedFraction: quotaBytes > 0 ? usageBytes / quotaBytes : 0 };
  } catch {
    return null;
  }
}
