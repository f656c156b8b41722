/**
 * The supervisor's data model: what is asked (requests with a stable job key), what comes back
 * (parsed replies) and what is computed from it (property clusters, cluster labels, hypotheses
 * and their held-out validation). Pure types; the builders, parsers and maths live beside it.
 */
import type { Side } from '../run/types';

/** The steps of a supervisor run, in the order they run. */
export type SupervisorStep =
  'properties' | 'property-names' | 'labels' | 'proposals' | 'judgements';

/** Every step, in running order. */
export const SUPERVISOR_STEPS: readonly SupervisorStep[] = [
  'properties',
  'property-names',
  'labels',
  'proposals',
  'judgements',
];

/** One chat message of a supervisor request (the same shape as backends/llm ChatMessage). */
export interface SupervisorMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * One request to the supervisor. `key` is unique within a run and stable across sessions (it is
 * how "continue" knows what is done): see jobKeys in job-keys.ts. `promptIds` lists the run's
 * prompts whose text or answers the request carries (the egress preview groups and excludes by it).
 */
export interface SupervisorRequest {
  key: string;
  step: SupervisorStep;
  messages: SupervisorMessage[];
  maxTokens: number;
  promptIds: string[];
}

/**
 * A prompt's two answers shown blind: `first` is the side shown as "Answer 1"; the other side is
 * "Answer 2". Never carries model names.
 */
export interface BlindPair {
  promptId: string;
  prompt: string;
  first: Side;
  /** [text of answer 1, text of answer 2] */
  answers: [string, string];
}

/** A property the supervisor says one answer of a pair has and the other has not. */
export interface RawProperty {
  text: string;
  /** Which answer has it, as the supervisor saw them. */
  answer: 1 | 2;
}

/** A reply parsed: the value, or why it could not be read (never guessed). */
export type Parsed<T> = { ok: true; value: T; repaired: boolean } | { ok: false; reason: string };

/** A property attributed to a model's answer of one prompt (blind labels mapped back). */
export interface PropertyObservation {
  promptId: string;
  text: string;
  side: Side;
}

/** A cluster of similar properties, counted per model over the sampled prompts. */
export interface PropertyCluster {
  id: number;
  /** Short name and one-line definition from the supervisor ('' until named). */
  name: string;
  definition: string;
  /** Up to 5 member property texts, most central first. */
  examples: string[];
  /** Prompts (of `nPrompts` sampled) where a member was attributed to A's / B's answer. */
  countA: number;
  countB: number;
  nPrompts: number;
  shareA: number;
  shareB: number;
  /** 95% interval of shareB - shareA (paired, see property-stats.ts). */
  ciLow: number;
  ciHigh: number;
  /** Exact McNemar p on prompts attributed to one side only; q: BH across clusters. */
  pValue: number;
  qValue: number;
}

/** A supervisor label of one answer cluster of an analysis. */
export interface ClusterLabel {
  cluster: number;
  label: string;
  description: string;
}

/** Where a hypothesis came from. */
export type HypothesisSource = 'supervisor' | 'user';

/** One judgement reply read: the answer shown as 1 or 2 fits better, neither/both, or unreadable. */
export type Verdict = 1 | 2 | 'neither' | 'unparseable';

/** Both judgements of one held-out prompt, mapped back to sides. */
export interface PromptJudgement {
  promptId: string;
  /** The side picked with A shown first and with B shown first ('neither'/'unparseable' as is). */
  aFirst: Side | 'neither' | 'unparseable';
  bFirst: Side | 'neither' | 'unparseable';
  /** Character lengths of the two answers (for the length rule and similar-length subset). */
  lengthA: number;
  lengthB: number;
}

/** The held-out validation of one hypothesis (see validation.ts for every definition). */
export interface HypothesisValidation {
  nHeldOut: number;
  decided: number;
  forA: number;
  forB: number;
  ties: number;
  orderFlips: number;
  unparseable: number;
  /** forB / decided; null when nothing was decided. */
  accuracy: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  /** One-sided exact binomial P(X >= forB | decided, 1/2); null when nothing was decided. */
  pValue: number | null;
  qValue: number | null;
  confirmed: boolean;
  /** Offline: AUC of telling B's held-out answers from A's by similarity to the hypothesis. */
  auc: number | null;
  /** Accuracy of "the longer answer is B's" on the decided prompts. */
  lengthRuleAccuracy: number | null;
  /** Accuracy on decided prompts whose answers' length ratio is within 0.8-1.25. */
  similarLengthAccuracy: number | null;
  similarLengthDecided: number;
  mayBeLength: boolean;
  /** Held-out prompts where the supervisor picked B's answer both times / A's both times. */
  rightPromptIds: string[];
  wrongPromptIds: string[];
}

/** Settings of a supervisor run that change what is asked (stored with the explanation). */
export interface SupervisorSettings {
  provider: string;
  model: string;
  temperature: number;
  /** Seed of the discovery/held-out split and the blind order. */
  seed: number;
  /** How many discovery prompts get the side-by-side property request. */
  propertiesSample: number;
  /** Up to how many hypotheses the supervisor proposes. */
  hypotheses: number;
  /** Up to how many held-out prompts each hypothesis is judged on. */
  heldOutSample: number;
}

/** What one supervisor run computed for one analysis of a run (saved with the run). */
export interface Explanation {
  id: string;
  createdAt: string;
  analysisId: string;
  settings: SupervisorSettings;
  discoveryPromptIds: string[];
  heldOutPromptIds: string[];
  labels: ClusterLabel[];
  properties: PropertyCluster[];
  /**
   * Replies stored per step and how many of them could not be read (counted, never guessed;
   * judgements count their unparseable verdicts). Absent in explanations saved before it existed.
   */
  replies?: Partial<Record<SupervisorStep, { replies: number; unparseable: number }>>;
}

/**
 * What the supervisor is shown to propose hypotheses: the discovery half only. "A" and "B" here
 * are the app's sides; the request text calls them the BEFORE and AFTER answers (never model
 * names, never "model A/B").
 */
export interface DiscoveryEvidence {
  nPrompts: number;
  properties: { name: string; definition: string; shareA: number; shareB: number }[];
  clusters: {
    cluster: number;
    label: string;
    terms: string[];
    countA: number;
    countB: number;
    exemplarsA: string[];
    exemplarsB: string[];
  }[];
  detectors: { name: string; shareA: number; shareB: number }[];
  words: { term: string; shareA: number; shareB: number }[];
  openings: { phrase: string; countA: number; countB: number }[];
  divergent: { promptId: string; prompt: string; answerA: string; answerB: string }[];
}

/** What the user sees before anything is sent: every request, grouped by step, with its size. */
export interface EgressPreview {
  provider: string;
  model: string;
  steps: {
    step: SupervisorStep;
    requests: SupervisorRequest[];
    characters: number;
    /** About 4 characters a token, plus the reply budget (maxTokens) for the output side. */
    inputTokens: number;
    outputTokens: number;
  }[];
  characters: number;
  inputTokens: number;
  outputTokens: number;
  /** US dollars for known providers' models (approximate list prices), else null. */
  costUsd: number | null;
}
