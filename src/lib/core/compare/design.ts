/**
 * The paired design shared by every comparison statistic: which prompt each answer answers and
 * which side (A or B) gave it. A and B answered the same prompts, so prompts (not answers) are
 * the independent units; permutations and bootstraps work on this structure.
 */
import type { Answer, Prompt, Side } from '../run/types';

/** Answers grouped by prompt, with their observed A/B labels. Built by `pairedDesign`. */
export interface PairedDesign {
  /** Number of answers. */
  readonly n: number;
  /** Number of prompts (some may have no answers). */
  readonly nPrompts: number;
  /** Prompt index of each answer. */
  readonly promptOf: Int32Array;
  /** Observed labels: 1 where the answer is B's, 0 where it is A's. */
  readonly isB: Uint8Array;
  readonly nA: number;
  readonly nB: number;
  /** Answers of prompt p are members[groupStart[p] .. groupStart[p + 1]). */
  readonly groupStart: Int32Array;
  readonly members: Int32Array;
  /** Number of B answers of each prompt (kept fixed by within-prompt permutations). */
  readonly bCount: Int32Array;
}

/**
 * Builds the paired design from per-answer prompt indices and sides.
 * Throws when a prompt index is negative, not an integer or >= nPrompts.
 */
export function pairedDesign(
  promptIndex: ArrayLike<number>,
  sides: ArrayLike<Side>,
  nPrompts?: number,
): PairedDesign {
  const n = promptIndex.length;
  if (sides.length !== n) {
    throw new Error(`pairedDesign: ${n} prompt indices but ${sides.length} sides`);
  }
  let maxPrompt = -1;
  for (let i = 0; i < n; i++) maxPrompt = Math.max(maxPrompt, promptIndex[i]!);
  const np = nPrompts ?? maxPrompt + 1;
  const promptOf = new Int32Array(n);
  const isB = new Uint8Array(n);
  const groupStart = new Int32Array(np + 1);
  const bCount = new Int32Array(np);
  let nB = 0;
  for (let i = 0; i < n; i++) {
    const p = promptIndex[i]!;
    if (!Number.isInteger(p) || p < 0 || p >= np) {
      throw new Error(`pairedDesign: answer ${i} has prompt index ${p}, expected 0..${np - 1}`);
    }
    const side = sides[i];
    if (side !== 'A' && side !== 'B') {
      throw new Error(`pairedDesign: answer ${i} has side ${String(side)}, expected A or B`);
    }
    promptOf[i] = p;
    if (side === 'B') {
      isB[i] = 1;
      bCount[p]!++;
      nB++;
    }
    groupStart[p + 1]!++;
  }
  for (let p = 0; p < np; p++) groupStart[p + 1]! += groupStart[p]!;
  const members = new Int32Array(n);
  const fill = groupStart.slice(0, np);
  for (let i = 0; i < n; i++) members[fill[promptOf[i]!]!++] = i;
  return { n, nPrompts: np, promptOf, isB, nA: n - nB, nB, groupStart, members, bCount };
}

/** Throws unless both sides have at least one answer (every A-vs-B statistic needs both). */
export function requireBothSides(design: PairedDesign, what: string): void {
  if (design.nA === 0 || design.nB === 0) {
    throw new Error(
      `${what}: needs answers from both A and B (got ${design.nA} A, ${design.nB} B)`,
    );
  }
}

/** The per-answer prompt index and side of run answers, with the prompt ids in index order. */
export interface AnswerDesignInput {
  promptIds: string[];
  promptIndex: Int32Array;
  sides: Side[];
}

/**
 * Maps run answers to prompt indices (in the order of `prompts`).
 * Throws when an answer names a prompt id that is not in `prompts`.
 */
export function answerDesignInput(
  prompts: readonly Prompt[],
  answers: readonly Answer[],
): AnswerDesignInput {
  const index = new Map<string, number>();
  prompts.forEach((p, i) => index.set(p.id, i));
  const promptIndex = new Int32Array(answers.length);
  const sides: Side[] = [];
  answers.forEach((a, i) => {
    const p = index.get(a.promptId);
    if (p === undefined) throw new Error(`answer ${i} refers to unknown prompt id "${a.promptId}"`);
    promptIndex[i] = p;
    sides.push(a.side);
  });
  return { promptIds: prompts.map((p) => p.id), promptIndex, sides };
}

/** A prompt answered by both sides: its index and its answers (indices) per side. */
export interface PromptSides {
  prompt: number;
  a: number[];
  b: number[];
}

/** Every prompt with answers from both sides, in prompt order. */
export function pairedPromptSides(design: PairedDesign): PromptSides[] {
  const out: PromptSides[] = [];
  for (let p = 0; p < design.nPrompts; p++) {
    const a: number[] = [];
    const b: number[] = [];
    for (let m = design.groupStart[p]!; m < design.groupStart[p + 1]!; m++) {
      const i = design.members[m]!;
      (design.isB[i] ? b : a).push(i);
    }
    if (a.length && b.length) out.push({ prompt: p, a, b });
  }
  return out;
}
