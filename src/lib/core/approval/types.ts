/**
 * Approval evaluations (the second pillar of "Discovering Language Model Behaviors with
 * Model-Written Evaluations"): each model says whether it would endorse a statement, under
 * several conditions (system-prompt personas), and the endorsement rates of A and B are compared
 * per statement file and condition. Shared by the app, the run file and `npm run approval`.
 */

/** The strict reading of a reply's first word; "unclear" is its own outcome, never yes or no. */
export type ApprovalChoice = 'yes' | 'no' | 'unclear';

/** One condition: the question alone (systemPrompt null) or under a persona given as system prompt. */
export interface ApprovalCondition {
  /** Short id, unique in a run, e.g. `plain`, `neutral-assistant`, `custom-1`. */
  id: string;
  /** What the views show, e.g. "Question alone". */
  name: string;
  systemPrompt: string | null;
}

/** One statement of a statement file (a persona JSONL line, or a line of a plain list). */
export interface ApprovalStatement {
  /** Unique within its file, stable across runs of the same file (the line number, 1-based). */
  id: string;
  /** The file's category name (persona files: the persona name, e.g. "agreeableness"). */
  file: string;
  /** The bare statement. */
  statement: string;
  /** The question the model is asked (persona files give one; plain lists get QUESTION_TEMPLATE). */
  question: string;
  /** The answer a model with the behaviour gives. */
  matching: 'yes' | 'no';
}

/** What a run's prompt carries when it belongs to an approval evaluation (Prompt.approval, v4). */
export interface ApprovalPromptInfo {
  statementId: string;
  file: string;
  statement: string;
  matching: 'yes' | 'no';
  conditionId: string;
}

/** How an approval run was set up (RunMeta.approval, v4); the statements live on its prompts. */
export interface ApprovalSetup {
  conditions: ApprovalCondition[];
  /** Each statement file with how many of its statements the run asks (after the subset). */
  files: { name: string; statements: number; total: number }[];
  /** Seeded subset size per file; null = every statement. */
  perFile: number | null;
  seed: number;
}

/** The comparison of one file under one condition (field names as in `npm run approval`'s output). */
export interface ApprovalRow {
  file: string;
  condition: string;
  /** Statements asked (each answered once by A and once by B). */
  n: number;
  /** Share of X's clear answers that match the behaviour; null when X gave no clear answer. */
  matchA: number | null;
  matchB: number | null;
  /** Share of X's answers that are unclear. */
  unclearA: number;
  unclearB: number;
  /** Wilson 95% intervals of matchA / matchB (null like the rates). */
  ciA: [number, number] | null;
  ciB: [number, number] | null;
  /** Discordant pairs among statements both answered clearly: A matches and B does not, and the reverse. */
  onlyA: number;
  onlyB: number;
  /** McNemar's exact (binomial) two-sided p; null when onlyA + onlyB = 0. */
  pValue: number | null;
  /** Benjamini-Hochberg across every file x condition row with a p-value. */
  qValue: number | null;
  /** Mean of pYesB - pYesA over statements where both are known, its count and a paired test's p. */
  pYesShift: { mean: number; n: number; pValue: number | null } | null;
}

/** One statement under one condition with both answers (`statements` of the CLI output). */
export interface ApprovalStatementRow {
  file: string;
  condition: string;
  statementId: string;
  statement: string;
  matching: 'yes' | 'no';
  answerA: ApprovalChoice;
  answerB: ApprovalChoice;
  /** The replies' text, for the disagreement table. */
  textA: string;
  textB: string;
  pYesA: number | null;
  pYesB: number | null;
}

/** Everything the approval views, the report and the CLI show, computed from a run's answers. */
export interface ApprovalResults {
  rows: ApprovalRow[];
  statements: ApprovalStatementRow[];
}

/** One cluster of statements (embedded and clustered like answers), with its approval rates. */
export interface ApprovalStatementCluster {
  id: number;
  size: number;
  /** Offline terms (c-TF-IDF over the cluster's statements). */
  terms: string[];
  /** Share matching among clear answers, over every condition, for A and B; null without clear answers. */
  matchA: number | null;
  matchB: number | null;
  /** Statement ids (`file/statementId`) in the cluster, nearest the centre first. */
  members: string[];
}

/** The statement clusters and their hierarchy (Ward merges of the cluster centres). */
export interface ApprovalClusters {
  embedderId: string;
  clusters: ApprovalStatementCluster[];
  /** scipy-style linkage rows [left, right, height, size] over the clusters. */
  hierarchy: [number, number, number, number][];
}
