/**
 * The migration chain for run files: each step turns version n into version n + 1, so a file
 * of any older version reaches the current one by applying the steps in order. To add v6: bump
 * RUN_SCHEMA_VERSION, write migrations/v5-to-v6.ts and register it under 5 below.
 */
import { InputError, describeValue } from './errors';
import { migrateV0ToV1 } from './migrations/v0-to-v1';
import { migrateV1ToV2 } from './migrations/v1-to-v2';
import { migrateV2ToV3 } from './migrations/v2-to-v3';
import { migrateV3ToV4 } from './migrations/v3-to-v4';
import { migrateV4ToV5 } from './migrations/v4-to-v5';
import { RUN_FILE_FORMAT } from './schema';
import { RUN_SCHEMA_VERSION } from './types';

type Migration = (json: unknown, fileName: string) => unknown;

/** Step from version n (the key) to version n + 1. */
const MIGRATIONS: Record<number, Migration> = {
  0: migrateV0ToV1,
  1: migrateV1ToV2,
  2: migrateV2ToV3,
  3: migrateV3ToV4,
  4: migrateV4ToV5,
};

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The schema version of a parsed run file: `schemaVersion` of the envelope, or 0 for the
 * pre-release format (`version: 0`, no envelope).
 * @throws InputError when `json` is not a run file or is from a newer app.
 */
export function runFileVersion(json: unknown, fileName: string): number {
  if (!isObject(json)) {
    throw new InputError({
      file: fileName,
      expected: 'a Behaviour Diff run file (a JSON object)',
      got: describeValue(json),
    });
  }
  if (!('format' in json) && json.version === 0) return 0;
  if (json.format !== RUN_FILE_FORMAT) {
    throw new InputError({
      file: fileName,
      location: 'format' in json ? 'format' : undefined,
      expected: `a Behaviour Diff run file (with "format": "${RUN_FILE_FORMAT}")`,
      got: 'format' in json ? describeValue(json.format) : describeValue(json),
    });
  }
  const version = json.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new InputError({
      file: fileName,
      location: 'schemaVersion',
      expected: 'a whole schema version number',
      got: describeValue(version),
    });
  }
  if (version > RUN_SCHEMA_VERSION) {
    throw new InputError({
      file: fileName,
      location: 'schemaVersion',
      expected: `a run file of schema version ${RUN_SCHEMA_VERSION} or older`,
      got: `version ${version}`,
      message: `${fileName}: made by a newer Behaviour Diff, version ${version}; this app reads up to ${RUN_SCHEMA_VERSION}. Open it with an up-to-date Behaviour Diff.`,
    });
  }
  return version;
}

/**
 * Brings a parsed run file of any supported version to the current version's envelope.
 * The result is not validated yet: parseRunFile validates it as the current schema.
 * @throws InputError for unknown formats, newer versions, or malformed old files.
 */
export function migrateRunFile(json: unknown, fileName: string): unknown {
  let version = runFileVersion(json, fileName);
  let current = json;
  while (version < RUN_SCHEMA_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) {
      throw new InputError({
        file: fileName,
        location: 'schemaVersion',
        expected: `a schema version this app can migrate (0 to ${RUN_SCHEMA_VERSION})`,
        got: `version ${version}`,
      });
    }
    current = step(current, fileName);
    version++;
  }
  return current;
}
