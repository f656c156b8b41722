/**
 * The run data model (schema v5; the `v2:`..`v5:` notes mark fields older files lack). A Run is
 * what the user saves, shares and reopens.
 * In IndexedDB its parts live in separate stores (see persistence/db.ts); in a run file
 * they travel together as one JSON document (see run-file.ts).
 */

import type { Explanation, HypothesisSource } from '../explain/types';
import type { LocalFolderInfo } from '../local-model/types';
import type { ApprovalPromptInfo, ApprovalSetup } from '../approval/types';

/** Current run schema version; bump it together with a migration in migrate.ts. */
export const RUN_SCHEMA_VERSION = 5;

/** Which of the two compared models produced an answer: A is "before", B is "after". */
export type Side = 'A' | 'B';

/** Both sides, in display order. */
export const SIDES: readonly Side[] = ['A', 'B'];

/** Where a model's answers come from. `imported` means answers were loaded from a file. */
export type BackendKind = 'webllm' | 'transformers' | 'openai' | 'anthropic' | 'imported';

/** Sampling settings used to generate one side's answers. */
export interface GenerationParams {
  temperature: number;
  topP: number;
  maxTokens: number;
  /** Base seed; sample i of a prompt uses seed + i where the backend supports seeds. */
  seed: number | null;
}

/**
 * v5: an amplified sampler (backends/llm/amplified.ts): this side's model is B, `base` is A, and
 * tokens come from logits_B + alpha * (logits_B - logits_A). Both are local transformers.js models.
 */
export interface AmplifySpec {
  /** 0 is plain B; larger values exaggerate what the intervention changed. */
  alpha: number;
  /** The model amplified away from (the source run's A). */
  base: Pick<ModelSpec, 'label' | 'backend' | 'modelId' | 'localFolder'>;
}

/** v5: where a run came from when another run made it (amplified sampling of that run's models). */
export interface DerivedFrom {
  kind: 'amplified';
  runId: string;
  /** The source run's name when this run was made (it may have been renamed or deleted since). */
  runName: string;
  alpha: number;
}

/** One side of the comparison: which model, how it is reached and how it was prompted. */
export interface ModelSpec {
  /** Short human name shown in the UI, e.g. "tiny-base" or "Mistral-7B-Instruct-v0.2". */
  label: string;
  backend: BackendKind;
  /** Backend-specific model id (WebLLM model id, hub repo, API model name, or the file's generator). */
  modelId: string;
  /** Base URL for HTTP backends; never contains credentials. */
  baseUrl?: string;
  systemPrompt?: string;
  params: GenerationParams;
  /**
   * v3: the model was picked from a folder on this computer (transformers.js or WebLLM layout);
   * the run keeps what identifies the folder, never its files.
   */
  localFolder?: LocalFolderInfo;
  /** v5: this side samples B amplified away from `amplify.base` (see AmplifySpec). */
  amplify?: AmplifySpec;
}

/** One prompt of a run. Ids are unique within the run. */
export interface Prompt {
  id: string;
  text: string;
  category?: string;
  /**
   * v4: a system prompt for this prompt only (an approval condition's persona). It goes before
   * the side's own system prompt, separated by a blank line, when the side has one.
   */
  systemPrompt?: string;
  /** v4: the statement and condition this prompt asks about, in an approval run. */
  approval?: ApprovalPromptInfo;
}

/** Where a prompt set came from. */
export type PromptSource = 'builtin' | 'pasted' | 'upload' | 'url' | 'imported';

/** Identity of the prompt set a run used; the prompts themselves are stored per run. */
export interface PromptSetInfo {
  id: string;
  name: string;
  source: PromptSource;
}

/** Why generation of an answer ended. */
export type FinishReason = 'stop' | 'length' | 'abort' | 'error' | 'unknown';

/** One answer: model `side` answering prompt `promptId`, sample number `sample` (0-based). */
export interface Answer {
  promptId: string;
  side: Side;
  sample: number;
  text: string;
  promptTokens?: number;
  completionTokens?: number;
  finishReason: FinishReason;
  /** Wall time to produce the answer, in milliseconds. */
  latencyMs?: number;
  /** ISO timestamp of when the answer was stored. */
  createdAt: string;
  /**
   * v4, approval runs: the model's probability of answering yes (yes and no continuations
   * scored, or the first token's top log probabilities); null when it could not be had.
   */
  pYes?: number | null;
}

/** Cached embedding vectors of one embedder, keyed by a hash of the embedded text. */
export interface EmbeddingRecord {
  embedderId: string;
  textHash: string;
  vector: Float32Array;
}

/** One analysis: the parameters it ran with and its outputs (shape owned by core/compare). */
export interface AnalysisRecord {
  id: string;
  createdAt: string;
  params: Record<string, unknown>;
  result: unknown;
}

/** A difference hypothesis ("Compared with A, B more often ...") and, once judged, its validation. */
export interface Hypothesis {
  id: string;
  text: string;
  createdAt: string;
  /** v2: who wrote it and which supervisor run it belongs to (absent in v1 files). */
  source?: HypothesisSource;
  explanationId?: string;
  /** The held-out validation (a HypothesisValidation once judged; free-form in v1 files). */
  validation?: Record<string, unknown>;
}

/**
 * A record of exactly what was sent to a supervisor and what came back (never contains API
 * keys). Since v2 it is also the job's stored result: an entry with a `key` and a `reply` marks
 * that job done, so "continue" asks only what is missing.
 */
export interface SupervisorLogEntry {
  at: string;
  provider: string;
  model: string;
  purpose: string;
  /** What was sent: `{ messages, temperature, maxTokens }` for chat requests. */
  request: unknown;
  /** v2: the job key (core/explain/job-keys.ts). */
  key?: string;
  /** v2: the reply's text; null when the request failed (then `error` says why). */
  reply?: string | null;
  error?: string;
  /** v2: how many times it was sent (retries after 429/5xx/timeouts included). */
  attempts?: number;
  usage?: { promptTokens: number; completionTokens: number };
  latencyMs?: number;
}

/** The small, always-loaded part of a run: what the run library lists. */
export interface RunMeta {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  schemaVersion: number;
  models: Record<Side, ModelSpec>;
  promptSet: PromptSetInfo;
  samplesPerPrompt: number;
  notes?: string;
  /** v4: set when the run is an approval evaluation (its prompts carry the statements). */
  approval?: ApprovalSetup;
  /** v5: the run this one was made from (amplified sampling). */
  derivedFrom?: DerivedFrom;
}

/** A whole run with all of its parts, as exported to and imported from a run file. */
export interface Run extends RunMeta {
  prompts: Prompt[];
  answers: Answer[];
  embeddings: EmbeddingRecord[];
  analyses: AnalysisRecord[];
  hypotheses: Hypothesis[];
  supervisorLog: SupervisorLogEntry[];
  /** v2: what each supervisor run computed (property clusters, cluster labels, the split). */
  explanations: Explanation[];
}

/** What the run library shows for each run. */
export interface RunSummary extends RunMeta {
  promptCount: number;
  answerCounts: Record<Side, number>;
}
