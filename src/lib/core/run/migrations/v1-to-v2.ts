/**
 * Migration of schema v1 run files to v2.
 *
 * v2 adds the supervisor's results: `explanations` (property clusters, cluster labels and the
 * discovery/held-out split of each supervisor run), optional `source` and `explanationId` on
 * hypotheses, and optional `key`, `reply`, `error`, `attempts`, `usage` and `latencyMs` on
 * supervisor log entries. Everything a v1 file holds is valid v2 as it is (its hypotheses'
 * free-form `validation` stays a record), so the step only moves the version numbers and adds
 * the empty list; the result is validated as v2 afterwards.
 */
function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Converts a parsed v1 run file envelope into a v2 one (validated later as v2). */
export function migrateV1ToV2(json: unknown): unknown {
  // runFileVersion has already checked the envelope; a run that is not an object is left for
  // validation, which names the path.
  if (!isObject(json)) return json;
  const run = json.run;
  if (!isObject(run)) return { ...json, schemaVersion: 2 };
  return { ...json, schemaVersion: 2, run: { ...run, schemaVersion: 2, explanations: [] } };
}
