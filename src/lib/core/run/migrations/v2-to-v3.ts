/**
 * Migration of schema v2 run files to v3.
 *
 * v3 adds models from a folder on the user's computer: an optional `localFolder` on each model
 * spec (the folder's name, layout, size, identity hash and file list; never the files), and
 * analyses whose embedder came from a folder record it in their free-form params. A v2 file has
 * neither, and everything it holds is valid v3 as it is, so the step only moves the version
 * numbers; the result is validated as v3 afterwards.
 */
function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Converts a parsed v2 run file envelope into a v3 one (validated later as v3). */
export function migrateV2ToV3(json: unknown): unknown {
  // runFileVersion has already checked the envelope; a run that is not an object is left for
  // validation, which names the path.
  if (!isObject(json)) return json;
  const run = json.run;
  if (!isObject(run)) return { ...json, schemaVersion: 3 };
  return { ...json, schemaVersion: 3, run: { ...run, schemaVersion: 3 } };
}
