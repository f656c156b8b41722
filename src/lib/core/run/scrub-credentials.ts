/**
 * Scrubbing credentials out of what is saved and shared: field names that may hold one, URL query
 * parameters that may carry one, and URLs with them taken out. Run files are shared, so exports
 * drop any field with such a name wherever it appears (a supervisor request's headers, a model
 * spec someone extended carelessly) rather than trusting every writer to have kept keys out;
 * backends/llm/redact.ts finds the values to redact from errors with the same names. The keys
 * themselves are held in state/session-secrets.svelte.ts.
 */

// Anchored on purpose: "maxTokens", "completionTokens" and "textHash" must survive.
const SECRET_KEY =
  /^(?:key|(?:x-)?api[-_]?key|.*api[-_]?key|(?:proxy-)?authorization|auth[-_]?token|access[-_]?token|refresh[-_]?token|bearer|password|passwd|(?:client[-_]?)?secret|x-goog-api-key|cookie|set-cookie)$/i;

/** True for field names that may hold an API key or other credential. */
export function isSecretKey(name: string): boolean {
  return SECRET_KEY.test(name);
}

/**
 * Last words of query parameter names that carry credentials, compared case-insensitively after
 * splitting the name at `-`, `_`, `.` and camelCase humps: `api_key`, `api-key`, `apiKey`, `key`,
 * `subscription-key`, `token`, `access_token`, `hf_token`, `X-Amz-Security-Token`, `secret`,
 * `client_secret`, `password`, `pwd`, `sig` (Azure SAS), `signature`, `X-Amz-Signature`,
 * `X-Amz-Credential`, `auth`, `authorization`, `bearer`, `session_key`. Names matched by
 * `isSecretKey` count too. Ordinary parameters such as `api-version`, `max_tokens` or `model` do not.
 */
const CREDENTIAL_PARAM_WORDS: readonly string[] = Object.freeze([
  'key',
  'apikey',
  'token',
  'secret',
  'password',
  'passwd',
  'pwd',
  'pass',
  'sig',
  'signature',
  'auth',
  'authorization',
  'credential',
  'credentials',
  'bearer',
  'cookie',
]);

/** True for URL query parameter names that may carry a credential (see CREDENTIAL_PARAM_WORDS). */
export function isCredentialParam(name: string): boolean {
  if (isSecretKey(name)) return true;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[-_.\s]+/)
    .filter(Boolean);
  const last = words.at(-1);
  return last !== undefined && CREDENTIAL_PARAM_WORDS.includes(last);
}

/** A URL split into what may be stored and what was taken out of it. */
export interface UrlCredentials {
  /** The URL without user:password and without credential query parameters. */
  url: string;
  /** Names of the credential query parameters that were removed, in URL order, each once. */
  removedParams: string[];
  /** True when the URL held user:password (or a user name) before the host. */
  removedUserInfo: boolean;
}

/**
 * Takes user:password@ and credential query parameters (isCredentialParam) out of a URL.
 * Text that is not an absolute URL is returned unchanged; an ordinary URL keeps its exact spelling.
 */
export function splitUrlCredentials(url: string): UrlCredentials {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, removedParams: [], removedUserInfo: false };
  }
  const removedParams = [...new Set([...parsed.searchParams.keys()].filter(isCredentialParam))];
  const removedUserInfo = parsed.username !== '' || parsed.password !== '';
  if (!removedUserInfo && removedParams.length === 0) {
    return { url, removedParams, removedUserInfo };
  }
  // Re-serialise only when something must go: URL normalises (adds "/"), which would break
  // the exact round trip of ordinary URLs.
  parsed.username = '';
  parsed.password = '';
  for (const name of removedParams) parsed.searchParams.delete(name);
  return { url: parsed.toString(), removedParams, removedUserInfo };
}

/** Removes user:password@ and credential query parameters so a stored URL never carries them. */
export function stripUrlCredentials(url: string): string {
  return splitUrlCredentials(url).url;
}

/** True for text that is an absolute http(s) URL and nothing else (worth parsing as one). */
function looksLikeUrl(text: string): boolean {
  return /^https?:\/\/\S+$/i.test(text);
}

/**
 * A copy of `value` without credentials, for anything about to be stored: fields whose name
 * isSecretKey are dropped at any depth (a request's `headers.authorization`, an `apiKey` someone
 * put in a log entry) and strings that are whole URLs lose user:password and credential query
 * parameters. Plain objects and arrays are copied; typed arrays, dates and other objects are
 * kept as they are (they hold no field names to scrub). Values without credentials come back
 * equal, so scrubbing before every write costs no data.
 */
export function scrubCredentials<T>(value: T): T {
  return scrub(value) as T;
}

/**
 * scrubCredentials for a supervisor log entry, keeping its own top-level `key`: that is the job
 * key (core/explain/job-keys.ts), which the name rule would otherwise drop. A `key` anywhere
 * inside the entry (a request header, say) still goes.
 */
export function scrubLogEntry<T extends { key?: string }>(entry: T): T {
  return scrub(entry, true) as T;
}

// `jobKey`: keep this object's own string `key` field (a log entry's job key), in its place.
function scrub(value: unknown, jobKey = false): unknown {
  if (typeof value === 'string') return looksLikeUrl(value) ? stripUrlCredentials(value) : value;
  if (Array.isArray(value)) return value.map((item) => scrub(item));
  if (typeof value !== 'object' || value === null) return value;
  const proto = Object.getPrototypeOf(value) as unknown;
  // Only plain records are walked; a Float32Array or Date copied field by field would break.
  if (proto !== Object.prototype && proto !== null) return value;
  // fromEntries, not assignment: a "__proto__" field of parsed JSON stays a plain field.
  return Object.fromEntries(
    Object.entries(value)
      .filter(
        ([key, field]) =>
          !isSecretKey(key) || (jobKey && key === 'key' && typeof field === 'string'),
      )
      .map(([key, field]) => [key, scrub(field)]),
  );
}
