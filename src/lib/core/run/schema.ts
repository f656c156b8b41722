/**
 * Validation of runs (schema v4) and of run files. Everything that enters the app as a Run,
 * from a file or from storage, goes through validateRun, so the rest of the code can trust
 * the shape, the id references and the vectors.
 */
import { SUPERVISOR_STEPS } from '../explain/types';
import * as v from 'valibot';
import type { HypothesisSource } from '../explain/types';
import { jobKey } from '../generate/jobs';
import type { LocalModelLayout, OnnxDtype } from '../local-model/types';
import { InputError } from './errors';
import { base64ToFloat32 } from './float32-base64';
import { reviveTypedArrays } from './typed-array-json';
import {
  RUN_SCHEMA_VERSION,
  SIDES,
  type BackendKind,
  type FinishReason,
  type PromptSource,
  type Run,
} from './types';
import { joinPath, parseWithSchema } from './valibot-errors';

/** The `format` value that marks a Behaviour Diff run file. */
export const RUN_FILE_FORMAT = 'behaviour-diff-run';

// Records keyed by the union force this list to stay complete when types.ts grows.
const BACKENDS = Object.keys({
  webllm: 1,
  transformers: 1,
  openai: 1,
  anthropic: 1,
  imported: 1,
} satisfies Record<BackendKind, 1>) as BackendKind[];
const FINISH_REASONS = Object.keys({
  stop: 1,
  length: 1,
  abort: 1,
  error: 1,
  unknown: 1,
} satisfies Record<FinishReason, 1>) as FinishReason[];
const PROMPT_SOURCES = Object.keys({
  builtin: 1,
  pasted: 1,
  upload: 1,
  url: 1,
  imported: 1,
} satisfies Record<PromptSource, 1>) as PromptSource[];

const LAYOUTS = Object.keys({
  transformers: 1,
  webllm: 1,
} satisfies Record<LocalModelLayout, 1>) as LocalModelLayout[];
const ONNX_DTYPES = Object.keys({
  fp32: 1,
  fp16: 1,
  q8: 1,
  q4: 1,
  q4f16: 1,
  int8: 1,
  uint8: 1,
  bnb4: 1,
} satisfies Record<OnnxDtype, 1>) as OnnxDtype[];

const nonEmptyString = (what: string) =>
  v.pipe(
    v.string(),
    v.check((s) => s.trim() !== '', what),
  );
const timestamp = v.pipe(
  v.string(),
  v.check((s) => !Number.isNaN(Date.parse(s)), 'a date-time such as "2024-05-01T12:00:00.000Z"'),
);
const count = v.pipe(v.number(), v.integer('a whole number'), v.minValue(0, 'a number ≥ 0'));
const positiveCount = v.pipe(
  v.number(),
  v.integer('a whole number'),
  v.minValue(1, 'a number ≥ 1'),
);
const nonNegative = v.pipe(v.number(), v.minValue(0, 'a number ≥ 0'));
// Infinity survives IndexedDB (and NaN never reaches here: v.number() refuses it); statistics
// shown as text must be real numbers.
const finite = v.pipe(v.number(), v.finite('a finite number'));
const share = v.pipe(
  v.number(),
  v.minValue(0, 'a number from 0 to 1'),
  v.maxValue(1, 'a number from 0 to 1'),
);
const HYPOTHESIS_SOURCES = Object.keys({
  supervisor: 1,
  user: 1,
} satisfies Record<HypothesisSource, 1>) as HypothesisSource[];

const generationParamsSchema = v.object({
  temperature: nonNegative,
  topP: v.pipe(
    v.number(),
    v.minValue(0, 'a number from 0 to 1'),
    v.maxValue(1, 'a number from 0 to 1'),
  ),
  maxTokens: positiveCount,
  seed: v.nullable(v.pipe(v.number(), v.integer('a whole number or null'))),
});

// v3: what a run remembers of a model folder (core/local-model/types.ts), in that order. The
// total is checked against the file list so a hand-edited file cannot claim another size.
const localFolderSchema = v.pipe(
  v.object({
    name: nonEmptyString('a non-empty folder name'),
    layout: v.picklist(LAYOUTS),
    totalBytes: count,
    hash: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'a SHA-256 hash (64 hex digits)')),
    files: v.array(v.object({ path: nonEmptyString('a non-empty file path'), size: count })),
    dtype: v.optional(v.picklist(ONNX_DTYPES)),
    modelLib: v.optional(nonEmptyString('a non-empty model library path')),
  }),
  v.forward(
    v.check(
      (f) => f.files.reduce((sum, file) => sum + file.size, 0) === f.totalBytes,
      'the sum of the sizes in its file list',
    ),
    ['totalBytes'],
  ),
);

const modelSpecSchema = v.object({
  label: v.string(),
  backend: v.picklist(BACKENDS),
  modelId: v.string(),
  baseUrl: v.optional(v.string()),
  systemPrompt: v.optional(v.string()),
  params: generationParamsSchema,
  localFolder: v.optional(localFolderSchema),
  // v5: an amplified sampler; its base is a local transformers.js model like B.
  amplify: v.optional(
    v.object({
      alpha: v.pipe(v.number(), v.finite('a finite number')),
      base: v.object({
        label: v.string(),
        backend: v.literal('transformers'),
        modelId: v.string(),
        localFolder: v.optional(localFolderSchema),
      }),
    }),
  ),
});

const yesNo = v.picklist(['yes', 'no'] as const);

// v4: the statement and condition an approval prompt asks about (core/approval/types.ts).
const approvalPromptSchema = v.object({
  statementId: nonEmptyString('a non-empty statement id'),
  file: nonEmptyString('a non-empty statement file name'),
  statement: nonEmptyString('a non-empty statement'),
  matching: yesNo,
  conditionId: nonEmptyString('a non-empty condition id'),
});

const promptSchema = v.object({
  id: nonEmptyString('a non-empty prompt id'),
  text: nonEmptyString('a non-empty prompt text'),
  category: v.optional(v.string()),
  systemPrompt: v.optional(v.string()),
  approval: v.optional(approvalPromptSchema),
});

// v4: how an approval run was set up; the statements themselves live on its prompts.
const approvalSetupSchema = v.object({
  conditions: v.pipe(
    v.array(
      v.object({
        id: nonEmptyString('a non-empty condition id'),
        name: v.string(),
        systemPrompt: v.nullable(v.string()),
      }),
    ),
    v.minLength(1, 'at least one condition'),
  ),
  files: v.array(
    v.pipe(
      v.object({
        name: nonEmptyString('a non-empty statement file name'),
        statements: count,
        total: count,
      }),
      v.forward(
        v.check((f) => f.statements <= f.total, 'at most the file’s total'),
        ['statements'],
      ),
    ),
  ),
  perFile: v.nullable(count),
  seed: v.pipe(v.number(), v.integer('a whole number')),
});

const answerSchema = v.object({
  promptId: v.string(),
  side: v.picklist(SIDES),
  sample: count,
  text: v.string(),
  promptTokens: v.optional(count),
  completionTokens: v.optional(count),
  finishReason: v.picklist(FINISH_REASONS),
  latencyMs: v.optional(nonNegative),
  createdAt: timestamp,
  // v4: P(Yes) of an approval answer; null when the backend could not give it.
  pYes: v.optional(v.nullable(share)),
});

// In a file a vector is base64 text; a run from storage already holds a Float32Array.
const vectorSchema = v.union([
  v.instance(Float32Array),
  v.pipe(
    v.string(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const vector = base64ToFloat32(dataset.value);
      if (vector) return vector;
      addIssue({ message: 'base64 of little-endian float32 values' });
      return NEVER;
    }),
  ),
]);

const embeddingSchema = v.object({
  embedderId: v.string(),
  textHash: v.string(),
  vector: vectorSchema,
});

const analysisSchema = v.object({
  id: v.string(),
  createdAt: timestamp,
  params: v.record(v.string(), v.unknown()),
  result: v.unknown(),
});

// Entries in the order of types.ts, because valibot writes its output in schema order and a
// file must read back and serialise to the same bytes.
const hypothesisSchema = v.object({
  id: v.string(),
  text: v.string(),
  createdAt: timestamp,
  source: v.optional(v.picklist(HYPOTHESIS_SOURCES)),
  explanationId: v.optional(v.string()),
  // Free-form in v1 files; a HypothesisValidation since v2 (the results view checks its fields).
  // v.record alone takes an array (and outputs an object), so arrays are refused first.
  validation: v.optional(
    v.pipe(
      v.unknown(),
      v.check((x) => typeof x === 'object' && x !== null && !Array.isArray(x), 'a JSON object'),
      v.record(v.string(), v.unknown()),
    ),
  ),
});

const supervisorLogSchema = v.object({
  at: timestamp,
  provider: v.string(),
  model: v.string(),
  purpose: v.string(),
  request: v.unknown(),
  key: v.optional(v.string()),
  reply: v.optional(v.nullable(v.string())),
  error: v.optional(v.string()),
  attempts: v.optional(positiveCount),
  usage: v.optional(v.object({ promptTokens: count, completionTokens: count })),
  latencyMs: v.optional(nonNegative),
});

const supervisorSettingsSchema = v.object({
  provider: v.string(),
  model: v.string(),
  temperature: v.pipe(nonNegative, v.finite('a finite number')),
  seed: v.pipe(v.number(), v.integer('a whole number')),
  propertiesSample: count,
  hypotheses: count,
  heldOutSample: count,
});

const clusterLabelSchema = v.object({
  cluster: v.pipe(v.number(), v.integer('a whole cluster number')),
  label: v.string(),
  description: v.string(),
});

const propertyClusterSchema = v.object({
  id: count,
  name: v.string(),
  definition: v.string(),
  examples: v.array(v.string()),
  countA: count,
  countB: count,
  nPrompts: count,
  shareA: share,
  shareB: share,
  ciLow: finite,
  ciHigh: finite,
  pValue: share,
  qValue: share,
});

/** Valibot schema of one Explanation (core/explain/types.ts): every text a string, numbers finite. */
export const explanationSchema = v.object({
  id: nonEmptyString('a non-empty explanation id'),
  createdAt: timestamp,
  analysisId: v.string(),
  settings: supervisorSettingsSchema,
  discoveryPromptIds: v.array(v.string()),
  heldOutPromptIds: v.array(v.string()),
  labels: v.array(clusterLabelSchema),
  properties: v.array(propertyClusterSchema),
  replies: v.optional(
    v.record(
      v.picklist(SUPERVISOR_STEPS),
      v.optional(v.object({ replies: count, unparseable: count })),
    ),
  ),
});

/** Valibot schema of a whole Run (v5) in its JSON form (vectors as base64 or Float32Array). */
export const runSchema = v.object({
  id: nonEmptyString('a non-empty run id'),
  name: v.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
  schemaVersion: v.literal(RUN_SCHEMA_VERSION),
  models: v.object({ A: modelSpecSchema, B: modelSpecSchema }),
  promptSet: v.object({ id: v.string(), name: v.string(), source: v.picklist(PROMPT_SOURCES) }),
  samplesPerPrompt: positiveCount,
  notes: v.optional(v.string()),
  approval: v.optional(approvalSetupSchema),
  // v5: the run this one was made from.
  derivedFrom: v.optional(
    v.object({
      kind: v.literal('amplified'),
      runId: nonEmptyString('a non-empty run id'),
      runName: v.string(),
      alpha: v.pipe(v.number(), v.finite('a finite number')),
    }),
  ),
  prompts: v.array(promptSchema),
  answers: v.array(answerSchema),
  // Optional so hand-made files need not spell out empty lists.
  embeddings: v.optional(v.array(embeddingSchema), []),
  analyses: v.optional(v.array(analysisSchema), []),
  hypotheses: v.optional(v.array(hypothesisSchema), []),
  supervisorLog: v.optional(v.array(supervisorLogSchema), []),
  explanations: v.optional(v.array(explanationSchema), []),
});

// The envelope alone; its run is validated by validateRun so paths read `run.answers[3]`.
const runFileEnvelopeSchema = v.object({
  format: v.literal(RUN_FILE_FORMAT),
  schemaVersion: v.literal(RUN_SCHEMA_VERSION),
  exportedAt: timestamp,
  run: v.custom<Record<string, unknown>>(
    (x) => typeof x === 'object' && x !== null && !Array.isArray(x),
    'a JSON object holding the run',
  ),
});

/**
 * Validates a Run (from a file's `run` field or from storage) and returns it typed, with
 * vectors decoded to Float32Array and tagged typed arrays revived.
 * @throws InputError naming the path of the first problem, e.g. `answers[3].side`.
 */
export function validateRun(value: unknown, fileName: string, pathPrefix = ''): Run {
  const parsed = parseWithSchema(runSchema, value, fileName, pathPrefix);
  const run: Run = {
    ...parsed,
    analyses: parsed.analyses.map((a) => ({
      ...a,
      params: reviveTypedArrays(a.params) as Record<string, unknown>,
      result: reviveTypedArrays(a.result),
    })),
    hypotheses: parsed.hypotheses.map((h) =>
      h.validation === undefined
        ? h
        : { ...h, validation: reviveTypedArrays(h.validation) as Record<string, unknown> },
    ),
    supervisorLog: parsed.supervisorLog.map((e) => ({
      ...e,
      request: reviveTypedArrays(e.request),
    })),
  };
  checkReferences(run, fileName, pathPrefix);
  return run;
}

/**
 * Validates a current-version run file envelope and its run.
 * @throws InputError naming the path of the first problem, e.g. `run.answers[3].side`.
 */
export function validateRunFile(
  value: unknown,
  fileName: string,
): { run: Run; exportedAt: string } {
  const envelope = parseWithSchema(runFileEnvelopeSchema, value, fileName);
  return { run: validateRun(envelope.run, fileName, 'run'), exportedAt: envelope.exportedAt };
}

// What the schema cannot see: ids that must be unique or must point at something.
function checkReferences(run: Run, file: string, prefix: string): void {
  const at = (...keys: (string | number)[]) => keys.reduce<string>(joinPath, prefix);
  if (run.prompts.length === 0) {
    // A run is a comparison on prompts; one without any would open as an empty, dead page.
    throw new InputError({
      file,
      location: at('prompts'),
      expected: 'at least one prompt (a run compares the two models on its prompts)',
      got: 'an empty list: this run file holds no prompts',
    });
  }
  const promptIndex = new Map<string, number>();
  run.prompts.forEach((prompt, i) => {
    const first = promptIndex.get(prompt.id);
    if (first !== undefined) {
      throw new InputError({
        file,
        location: at('prompts', i, 'id'),
        expected: 'a prompt id used only once',
        got: `${JSON.stringify(prompt.id)}, already the id of ${at('prompts', first)}`,
      });
    }
    promptIndex.set(prompt.id, i);
  });
  const seen = new Map<string, number>();
  run.answers.forEach((answer, i) => {
    if (!promptIndex.has(answer.promptId)) {
      throw new InputError({
        file,
        location: at('answers', i, 'promptId'),
        expected: 'the id of one of the run’s prompts',
        got: `${JSON.stringify(answer.promptId)}, which no prompt has`,
      });
    }
    if (answer.sample >= run.samplesPerPrompt) {
      throw new InputError({
        file,
        location: at('answers', i, 'sample'),
        expected: `a sample index below samplesPerPrompt (${run.samplesPerPrompt})`,
        got: String(answer.sample),
      });
    }
    const key = jobKey(answer);
    const first = seen.get(key);
    if (first !== undefined) {
      throw new InputError({
        file,
        location: at('answers', i),
        expected: 'one answer per prompt, side and sample',
        got: `a second answer for prompt ${JSON.stringify(answer.promptId)}, side ${answer.side}, sample ${answer.sample} (the first is ${at('answers', first)})`,
      });
    }
    seen.set(key, i);
  });
  checkExplanations(run, promptIndex, file, at);
  checkApproval(run, file, at);
  const dims = new Map<string, number>();
  run.embeddings.forEach((record, i) => {
    const dim = dims.get(record.embedderId);
    if (dim === undefined) dims.set(record.embedderId, record.vector.length);
    else if (dim !== record.vector.length) {
      throw new InputError({
        file,
        location: at('embeddings', i, 'vector'),
        expected: `a vector of ${dim} numbers like the other vectors of embedder ${JSON.stringify(record.embedderId)}`,
        got: `${record.vector.length} numbers`,
      });
    }
  });
}

// An approval run's prompts name its conditions and files; the views group answers by them.
function checkApproval(run: Run, file: string, at: (...keys: (string | number)[]) => string): void {
  const setup = run.approval;
  if (!setup) return;
  const conditions = new Map<string, number>();
  setup.conditions.forEach((condition, i) => {
    const first = conditions.get(condition.id);
    if (first !== undefined) {
      throw new InputError({
        file,
        location: at('approval', 'conditions', i, 'id'),
        expected: 'a condition id used only once',
        got: `${JSON.stringify(condition.id)}, already the id of ${at('approval', 'conditions', first)}`,
      });
    }
    conditions.set(condition.id, i);
  });
  const files = new Set(setup.files.map((f) => f.name));
  run.prompts.forEach((prompt, i) => {
    const info = prompt.approval;
    if (!info) return;
    if (!conditions.has(info.conditionId)) {
      throw new InputError({
        file,
        location: at('prompts', i, 'approval', 'conditionId'),
        expected: 'the id of one of the conditions in approval.conditions',
        got: `${JSON.stringify(info.conditionId)}, which no condition has`,
      });
    }
    if (!files.has(info.file)) {
      throw new InputError({
        file,
        location: at('prompts', i, 'approval', 'file'),
        expected: 'the name of one of the statement files in approval.files',
        got: `${JSON.stringify(info.file)}, which no file has`,
      });
    }
  });
}

// An explanation is read against its analysis and the run's prompts (its split, its labels).
function checkExplanations(
  run: Run,
  promptIndex: ReadonlyMap<string, number>,
  file: string,
  at: (...keys: (string | number)[]) => string,
): void {
  const analysisIds = new Set(run.analyses.map((a) => a.id));
  const ids = new Map<string, number>();
  run.explanations.forEach((explanation, i) => {
    const first = ids.get(explanation.id);
    if (first !== undefined) {
      throw new InputError({
        file,
        location: at('explanations', i, 'id'),
        expected: 'an explanation id used only once',
        got: `${JSON.stringify(explanation.id)}, already the id of ${at('explanations', first)}`,
      });
    }
    ids.set(explanation.id, i);
    if (!analysisIds.has(explanation.analysisId)) {
      throw new InputError({
        file,
        location: at('explanations', i, 'analysisId'),
        expected: 'the id of one of the run’s analyses',
        got: `${JSON.stringify(explanation.analysisId)}, which no analysis has`,
      });
    }
    for (const field of ['discoveryPromptIds', 'heldOutPromptIds'] as const) {
      explanation[field].forEach((promptId, j) => {
        if (!promptIndex.has(promptId)) {
          throw new InputError({
            file,
            location: at('explanations', i, field, j),
            expected: 'the id of one of the run’s prompts',
            got: `${JSON.stringify(promptId)}, which no prompt has`,
          });
        }
      });
    }
  });
}
