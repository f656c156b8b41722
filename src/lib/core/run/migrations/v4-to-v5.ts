/**
 * Migration of schema v4 run files to v5.
 *
 * v5 adds amplified sampling: a side's model may carry `amplify` (B amplified away from a base
 * model) and a run may name the run it was `derivedFrom`. Both are optional and a v4 file has
 * neither, so everything it holds is valid v5 as it is: the step only moves the version numbers;
 * the result is validated as v5 afterwards.
 */
function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Converts a parsed v4 run file envelope into a v5 one (validated later as v5). */
export function migrateV4ToV5(json: unknown): unknown {
  // runFileVersion has already checked the envelope; a run that is not an object is left for
  // validation, which names the path.
  if (!isObject(json)) return json;
  const run = json.run;
  if (!isObject(run)) return { ...json, schemaVersion: 5 };
  return { ...json, schemaVersion: 5, run: { ...run, schemaVersion: 5 } };
}
