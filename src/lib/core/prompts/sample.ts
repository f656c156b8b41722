/** A seeded random subset of a prompt set, for trying a large set on a few prompts first. */
import type { Prompt } from '../run/types';
import { createRng, sampleWithoutReplacement } from '../vectors/random';

/** The chosen prompts, in their original order, and anything the user should know. */
export interface PromptSample {
  prompts: Prompt[];
  warnings: string[];
}

/**
 * `n` prompts chosen at random with `seed`: the same seed and set always give the same subset,
 * kept in the set's order. When `n` is at least the set's size, all prompts (with a warning).
 * @throws RangeError unless `n` is a whole number ≥ 1.
 */
export function samplePrompts(prompts: readonly Prompt[], n: number, seed: number): PromptSample {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`samplePrompts: n must be a whole number ≥ 1, got ${n}`);
  }
  if (n >= prompts.length) {
    const warnings =
      n > prompts.length
        ? [`Asked for ${n} prompts but the set has only ${prompts.length}; all of them are used.`]
        : [];
    return { prompts: [...prompts], warnings };
  }
  const chosen = new Set(sampleWithoutReplacement(prompts.length, n, createRng(seed)));
  // Original order, so a subset reads like the set it came from.
  return { prompts: prompts.filter((_, i) => chosen.has(i)), warnings: [] };
}
