/**
 * Migration of schema v3 run files to v4.
 *
 * v4 adds approval evaluations: a prompt may carry its own system prompt (a condition's persona)
 * and the statement it asks about, an answer its P(Yes), and the run how the evaluation was set
 * up. All of them are optional and a v3 file has none, so everything it holds is valid v4 as it
 * is: the step only moves the version numbers; the result is validated as v4 afterwards.
 */
function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Converts a parsed v3 run file envelope into a v4 one (validated later as v4). */
export function migrateV3ToV4(json: unknown): unknown {
  // runFileVersion has already checked the envelope; a run that is not an object is left for
  // validation, which names the path.
  if (!isObject(json)) return json;
  const run = json.run;
  if (!isObject(run)) return { ...json, schemaVersion: 4 };
  return { ...json, schemaVersion: 4, run: { ...run, schemaVersion: 4 } };
}
