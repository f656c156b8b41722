/**
 * An IndexedDB kept in this tab's memory, for browsers that block site storage (site data
 * disallowed, some embedded frames): the demo and imports still work, nothing outlives the tab.
 * Loaded only when the real one is refused, so other visitors never download it.
 */

/**
 * Replaces the browser's IndexedDB globals with in-memory ones; `openDb()` then opens that.
 * The classes are replaced as a set because idb's wrappers and `IDBKeyRange.bound` check
 * values against these globals: a memory factory beside the browser's classes would not work.
 */
export async function installMemoryIndexedDb(): Promise<void> {
  const memory = await import('fake-indexeddb');
  const replacements: Record<string, unknown> = {
    indexedDB: memory.indexedDB,
    IDBCursor: memory.IDBCursor,
    IDBCursorWithValue: memory.IDBCursorWithValue,
    IDBDatabase: memory.IDBDatabase,
    IDBFactory: memory.IDBFactory,
    IDBIndex: memory.IDBIndex,
    IDBKeyRange: memory.IDBKeyRange,
    IDBObjectStore: memory.IDBObjectStore,
    IDBOpenDBRequest: memory.IDBOpenDBRequest,
    IDBRequest: memory.IDBRequest,
    IDBTransaction: memory.IDBTransaction,
    IDBVersionChangeEvent: memory.IDBVersionChangeEvent,
  };
  // Own, writable properties shadow the window's accessors (`indexedDB` has no setter).
  for (const [name, value] of Object.entries(replacements)) {
    Object.defineProperty(globalThis, name, {
      value,
      configurable: true,
      writable: true,
      enumerable: false,
    });
  }
}
