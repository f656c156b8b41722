/**
 * The run data model (schema v1). A Run is what the user saves, shares and reopens.
 * In IndexedDB its parts live in separate stores (see persistence/db.ts); in a run file
 * they travel together as one JSON document (see run-file.ts).
 */

/** Current run schema version; bump it together with a migration in migrate.ts. */
export const RUN_SCHEMA_VERSION = 1;

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
}

/** One prompt of a run. Ids are unique within the run. */
export interface Prompt {
  id: string;
  text: string;
  category?: string;
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

/** A difference hypothesis from the supervisor and, once run, its validation. */
export interface Hypothesis {
  id: string;
  text: string;
  createdAt: string;
  validation?: Record<string, unknown>;
}

/** A record of exactly what was sent to a remote supervisor (never contains API keys). */
export interface SupervisorLogEntry {
  at: string;
  provider: string;
  model: string;
  purpose: string;
  request: unknown;
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
}

/** A whole run with all of its parts, as exported to and imported from a run file. */
export interface Run extends RunMeta {
  prompts: Prompt[];
  answers: Answer[];
  embeddings: EmbeddingRecord[];
  analyses: AnalysisRecord[];
  hypotheses: Hypothesis[];
  supervisorLog: SupervisorLogEntry[];
}

/** What the run library shows for each run. */
export interface RunSummary extends RunMeta {
  promptCount: number;
  answerCounts: Record<Side, number>;
}
