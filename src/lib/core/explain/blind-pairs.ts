/**
 * Blind pairs: a prompt's two answers shown as "Answer 1" and "Answer 2", never by model. Which
 * side is shown first is a seeded hash of (seed, prompt id): the same on every run and session (so
 * a stored reply still maps back to the right side), about half each way, and unrelated to the
 * answers' content or the prompt's position.
 */
import type { Side } from '../run/types';
import type { BlindPair } from './types';

/** FNV-1a over the UTF-16 code units of `text`, 32 bits. */
export function fnv1a32(text: string, basis = 0x811c9dc5): number {
  let hash = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Murmur3's finaliser: FNV's low bits follow the last characters too closely to use alone. */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** The side shown as answer 1 for this prompt under this seed. */
export function blindFirst(seed: number, promptId: string): Side {
  return (mix32(fnv1a32(`${seed}\u0000${promptId}`)) & 1) === 0 ? 'A' : 'B';
}

/** The pair with `first` shown as answer 1 (judgements ask both orders). */
export function orderedPair(
  promptId: string,
  prompt: string,
  answerA: string,
  answerB: string,
  first: Side,
): BlindPair {
  return {
    promptId,
    prompt,
    first,
    answers: first === 'A' ? [answerA, answerB] : [answerB, answerA],
  };
}

/** The pair in its seeded blind order. */
export function blindPair(
  promptId: string,
  prompt: string,
  answerA: string,
  answerB: string,
  seed: number,
): BlindPair {
  return orderedPair(promptId, prompt, answerA, answerB, blindFirst(seed, promptId));
}

/** The model side of the answer the supervisor called `answer` (1 or 2). */
export function sideOf(pair: Pick<BlindPair, 'first'>, answer: 1 | 2): Side {
  if (answer === 1) return pair.first;
  return pair.first === 'A' ? 'B' : 'A';
}
