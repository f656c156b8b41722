/**
 * Light structural checks of run parts, used both before writing (so a bad key gives a clear
 * message instead of IndexedDB's bare DataError) and after reading (so a damaged or foreign
 * record is reported by store and key instead of crashing the UI later). Full validation of
 * run files is core/run/schema.ts's job; these only guard what the store relies on.
 */
import * as v from 'valibot';
import { explanationSchema } from '../core/run/schema';
import type { Prompt, RunMeta } from '../core/run/types';
import { issueToInputError } from '../core/run/valibot-errors';
import { InvalidRecordError } from './errors';

type Check = [test: (value: unknown) => boolean, expected: string];

const isString: Check = [(v) => typeof v === 'string', 'a string'];
const isId: Check = [(v) => typeof v === 'string' && v.length > 0, 'a non-empty string'];
const isObject: Check = [(v) => typeof v === 'object' && v !== null, 'an object'];
const isSide: Check = [(v) => v === 'A' || v === 'B', '"A" or "B"'];
const isCount: Check = [(v) => Number.isInteger(v) && (v as number) >= 0, 'an integer >= 0'];
const isNumber: Check = [(v) => typeof v === 'number' && Number.isFinite(v), 'a number'];
const isFloat32: Check = [
  // toString survives realms, where `instanceof` would not.
  (v) => Object.prototype.toString.call(v) === '[object Float32Array]',
  'a Float32Array',
];

/** Returns a description of the first field of `value` that fails its check, or null. */
function firstProblem(value: unknown, fields: Record<string, Check>, path = ''): string | null {
  if (typeof value !== 'object' || value === null) return `${path || 'record'} is not an object`;
  const record = value as Record<string, unknown>;
  for (const [field, [test, expected]] of Object.entries(fields)) {
    if (!(field in record) || record[field] === undefined) return `"${path}${field}" is missing`;
    if (!test(record[field])) return `"${path}${field}" should be ${expected}`;
  }
  return null;
}

const modelFields: Record<string, Check> = {
  label: isString,
  backend: isString,
  modelId: isString,
  params: isObject,
};

/** Describes what is wrong with a RunMeta, or returns null when it is usable. */
export function metaProblem(value: unknown): string | null {
  const top = firstProblem(value, {
    id: isId,
    name: isString,
    createdAt: isString,
    updatedAt: isString,
    schemaVersion: isNumber,
    models: isObject,
    promptSet: isObject,
    samplesPerPrompt: isCount,
  });
  if (top) return top;
  const meta = value as RunMeta;
  return (
    firstProblem(meta.models.A, modelFields, 'models.A.') ??
    firstProblem(meta.models.B, modelFields, 'models.B.') ??
    firstProblem(meta.promptSet, { id: isString, name: isString, source: isString }, 'promptSet.')
  );
}

/** Describes what is wrong with a Prompt, or returns null. */
export function promptProblem(value: unknown): string | null {
  return firstProblem(value, { id: isId, text: isString });
}

/** Describes what is wrong with an Answer, or returns null. */
export function answerProblem(value: unknown): string | null {
  return firstProblem(value, {
    promptId: isId,
    side: isSide,
    sample: isCount,
    text: isString,
    finishReason: isString,
    createdAt: isString,
  });
}

/** Describes what is wrong with an AnalysisRecord, or returns null. */
export function analysisProblem(value: unknown): string | null {
  return firstProblem(value, { id: isId, createdAt: isString, params: isObject });
}

/** Like firstProblem, for fields that may be absent (or undefined) but must pass when present. */
function optionalProblem(value: unknown, fields: Record<string, Check>): string | null {
  const record = value as Record<string, unknown>;
  for (const [field, [test, expected]] of Object.entries(fields)) {
    if (record[field] !== undefined && !test(record[field])) {
      return `"${field}" should be ${expected}`;
    }
  }
  return null;
}

const isSource: Check = [(v) => v === 'supervisor' || v === 'user', '"supervisor" or "user"'];
const isReply: Check = [(v) => v === null || typeof v === 'string', 'a string or null'];

/** Describes what is wrong with a Hypothesis, or returns null. */
export function hypothesisProblem(value: unknown): string | null {
  return (
    firstProblem(value, { id: isId, text: isString, createdAt: isString }) ??
    optionalProblem(value, { source: isSource, explanationId: isString, validation: isObject })
  );
}

/** Describes what is wrong with a SupervisorLogEntry, or returns null. */
export function logEntryProblem(value: unknown): string | null {
  // key and reply are what "continue" trusts as done, so their types are checked too.
  return (
    firstProblem(value, {
      at: isString,
      provider: isString,
      model: isString,
      purpose: isString,
    }) ?? optionalProblem(value, { key: isId, reply: isReply, error: isString, attempts: isCount })
  );
}

/**
 * Describes what is wrong with an Explanation, or returns null. Unlike the light checks above it
 * applies the run file's whole schema: explanations are small, and the results view renders
 * their texts and numbers as they are.
 */
export function explanationProblem(value: unknown): string | null {
  const result = v.safeParse(explanationSchema, value, { abortEarly: true });
  if (result.success) return null;
  const issue = issueToInputError(result.issues[0], 'explanation');
  const got = issue.got === undefined ? '' : `, not ${issue.got}`;
  return `"${issue.location ?? 'record'}" should be ${issue.expected}${got}`;
}

/** Describes what is wrong with an EmbeddingRecord, or returns null. */
export function vectorProblem(value: unknown): string | null {
  return firstProblem(value, { embedderId: isId, textHash: isId, vector: isFloat32 });
}

/**
 * Throws InvalidRecordError for a record about to be written.
 * @throws InvalidRecordError naming `what` (e.g. 'answer 12 of run "r1"') and the problem.
 */
export function assertWritable(problem: string | null, what: string): void {
  if (problem) throw new InvalidRecordError(`Cannot save ${what}: ${problem}.`);
}

/**
 * Throws InvalidRecordError for a damaged record read back from the store.
 * @throws InvalidRecordError naming the store, the key and the problem.
 */
export function assertReadable(problem: string | null, store: string, key: unknown): void {
  if (problem) {
    throw new InvalidRecordError(
      `The saved ${store} record ${JSON.stringify(key)} is damaged: ${problem}. ` +
        'Export the run if you can, then delete it from the library.',
    );
  }
}

/** Strips the storage-only fields, turning a stored prompt row back into a Prompt. */
export function rowToPrompt(row: Prompt & { runId: string; order: number }): Prompt {
  const { runId: _runId, order: _order, ...prompt } = row;
  return prompt;
}

/** Strips the run tag from a stored answer, analysis, hypothesis or log row. */
export function untag<T extends { runId: string }>(row: T): Omit<T, 'runId'> {
  const { runId: _runId, ...rest } = row;
  return rest;
}

/** The fields of a Run that are stored in `runs`, dropping the parts that have their own stores. */
export function metaOf(run: RunMeta & Record<string, unknown>): RunMeta {
  const {
    prompts: _p,
    answers: _a,
    embeddings: _e,
    analyses: _an,
    hypotheses: _h,
    supervisorLog: _s,
    explanations: _x,
    promptCount: _pc,
    answerCounts: _ac,
    ...meta
  } = run;
  return meta as RunMeta;
}
