/**
 * Supervisor API keys the user asked this device to remember ("remember on this device"). The
 * only place a key is ever written: one localStorage entry, REMEMBERED_KEYS_ENTRY, holding a map
 * from endpoint (backend kind and server origin) to key. Keyed by origin so a key typed for one
 * server is never offered to, or sent to, another. Every call is guarded: a browser that blocks
 * site data throws on the mere `localStorage` property, and that must not take the page down.
 */
import { settingsStore, type StorageScope } from '../persistence/site-settings';

/** The one localStorage entry that holds remembered supervisor keys (named so a user finds it). */
export const REMEMBERED_KEYS_ENTRY = 'behaviour-diff.supervisor-api-keys';

/**
 * Which endpoint a key belongs to: the backend kind and the base URL's origin (the kind alone
 * when the URL is empty or unreadable, e.g. Anthropic's default server).
 */
export function endpointOf(kind: string, baseUrl: string): string {
  try {
    return `${kind} ${new URL(baseUrl.trim()).origin}`;
  } catch {
    return kind;
  }
}

/** The stored map, or an empty one when nothing (or something unreadable) is stored. */
function readAll(scope?: StorageScope): Record<string, string> {
  try {
    const text = settingsStore(scope)?.getItem(REMEMBERED_KEYS_ENTRY);
    if (!text) return {};
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  } catch {
    return {};
  }
}

/** Writes the map; an empty map removes the entry, so "forget" leaves no trace. */
function writeAll(keys: Record<string, string>, scope?: StorageScope): boolean {
  const store = settingsStore(scope);
  if (!store) return false;
  try {
    if (Object.keys(keys).length === 0) store.removeItem(REMEMBERED_KEYS_ENTRY);
    else store.setItem(REMEMBERED_KEYS_ENTRY, JSON.stringify(keys));
    return true;
  } catch {
    return false;
  }
}

/** The key remembered for `endpoint`, or null. Never throws. */
export function rememberedKey(endpoint: string, scope?: StorageScope): string | null {
  return readAll(scope)[endpoint] ?? null;
}

/** Remembers `key` for `endpoint`; false when the browser refused (blocked or full). */
export function rememberKey(endpoint: string, key: string, scope?: StorageScope): boolean {
  if (key === '') return forgetKey(endpoint, scope);
  return writeAll({ ...readAll(scope), [endpoint]: key }, scope);
}

/** Forgets the key of `endpoint`; false when storage could not be written. Never throws. */
export function forgetKey(endpoint: string, scope?: StorageScope): boolean {
  const keys = readAll(scope);
  if (!(endpoint in keys)) return true;
  delete keys[endpoint];
  return writeAll(keys, scope);
}
