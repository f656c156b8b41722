/**
 * Field names that may hold credentials. Run files are shared, so exports drop any field with
 * such a name wherever it appears (a supervisor request's headers, a model spec someone extended
 * carelessly) rather than trusting every writer to have kept keys out.
 */

// Anchored on purpose: "maxTokens", "completionTokens" and "textHash" must survive.
const SECRET_KEY =
  /^(?:key|(?:x-)?api[-_]?key|.*api[-_]?key|(?:proxy-)?authorization|auth[-_]?token|access[-_]?token|refresh[-_]?token|bearer|password|passwd|(?:client[-_]?)?secret|x-goog-api-key|cookie|set-cookie)$/i;

/** True for field names that may hold an API key or other credential. */
export function isSecretKey(name: string): boolean {
  return SECRET_KEY.test(name);
}

/** Removes user:password@ and ?key=… from a URL so a base URL never carries credentials. */
export function stripUrlCredentials(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const secretParams = [...parsed.searchParams.keys()].filter(isSecretKey);
  if (!parsed.username && !parsed.password && secretParams.length === 0) return url;
  // Re-serialise only when something must go: URL normalises (adds "/"), which would break
  // the exact round trip of ordinary URLs.
  parsed.username = '';
  parsed.password = '';
  for (const name of secretParams) parsed.searchParams.delete(name);
  return parsed.toString();
}
