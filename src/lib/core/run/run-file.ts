/**
 * Run files: one JSON document holding a whole run, for saving, sharing and reopening.
 *
 *     { "format": "behaviour-diff-run", "schemaVersion": 4, "exportedAt": "…", "run": { … } }
 *
 * Embedding vectors are base64 of little-endian float32; typed arrays elsewhere are tagged
 * (typed-array-json.ts). No credential ever goes in: fields named like keys are dropped.
 */
import { float32ToBase64 } from './float32-base64';
import { migrateRunFile, runFileVersion } from './migrate';
import { parseJson } from './parse-json';
import { RUN_FILE_FORMAT, validateRunFile } from './schema';
import { isSecretKey, stripUrlCredentials } from './scrub-credentials';
import { tagTypedArray } from './typed-array-json';
import { RUN_SCHEMA_VERSION, type ModelSpec, type Run } from './types';

/** Options of serializeRunFile. */
export interface SerializeOptions {
  /** Export time written to `exportedAt`; default now. */
  now?: Date | string;
  /** Indentation as in JSON.stringify; default none (files can hold many MB of answers). */
  space?: number;
}

function cleanModel(spec: ModelSpec): ModelSpec {
  return spec.baseUrl === undefined
    ? spec
    : { ...spec, baseUrl: stripUrlCredentials(spec.baseUrl) };
}

/**
 * The JSON replacer of a run file: drops credential-named fields at any depth, except the job
 * `key` of the log entries in `logEntries` (a log entry's own key names its job, not a secret).
 */
function fileReplacer(logEntries: ReadonlySet<object>) {
  return function replacer(this: unknown, key: string, value: unknown): unknown {
    if (key !== '' && isSecretKey(key)) {
      const jobKey = key === 'key' && typeof value === 'string' && logEntries.has(this as object);
      if (!jobKey) return undefined;
    }
    return tagTypedArray(value) ?? value;
  };
}

/** Writes `run` as run-file JSON text (current schema version, no credentials). */
export function serializeRunFile(run: Run, options: SerializeOptions = {}): string {
  const now = options.now ?? new Date();
  const exportedAt = typeof now === 'string' ? now : now.toISOString();
  const fileRun = {
    ...run,
    schemaVersion: RUN_SCHEMA_VERSION,
    models: { A: cleanModel(run.models.A), B: cleanModel(run.models.B) },
    embeddings: run.embeddings.map((e) => ({
      embedderId: e.embedderId,
      textHash: e.textHash,
      vector: float32ToBase64(e.vector),
    })),
  };
  const file = {
    format: RUN_FILE_FORMAT,
    schemaVersion: RUN_SCHEMA_VERSION,
    exportedAt,
    run: fileRun,
  };
  return JSON.stringify(file, fileReplacer(new Set(run.supervisorLog)), options.space);
}

/** A run read from a file, with what the file said about itself. */
export interface ReadRunFile {
  run: Run;
  exportedAt: string;
  /** The schema version the file was written in (lower than the current one if migrated). */
  fileVersion: number;
}

/**
 * Parses, migrates and validates run-file text, keeping the file's own metadata.
 * @throws InputError for malformed JSON, unknown or newer formats, or an invalid run.
 */
export function readRunFile(text: string, fileName: string): ReadRunFile {
  const json = parseJson(text, fileName);
  const fileVersion = runFileVersion(json, fileName);
  const { run, exportedAt } = validateRunFile(migrateRunFile(json, fileName), fileName);
  // Files written before `token`, `sig`, ... counted as credentials may still carry them.
  const models = { A: cleanModel(run.models.A), B: cleanModel(run.models.B) };
  return { run: { ...run, models }, exportedAt, fileVersion };
}

/**
 * Parses run-file text of any supported version into a valid current-version Run.
 * @throws InputError for malformed JSON, unknown or newer formats, or an invalid run.
 */
export function parseRunFile(text: string, fileName: string): Run {
  return readRunFile(text, fileName).run;
}
