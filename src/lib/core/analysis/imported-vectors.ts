/**
 * Vectors that arrive in a run file are someone else's claim about what a text embeds to.
 * They may serve the run they came with, and only where they could be its own: a vector for
 * one of the run's texts, of the embedder's dimension, made of finite numbers. Everything
 * else is dropped and reported, never written anywhere another run could read it.
 */
import type { EmbeddingRecord, Run } from '../run/types';
import { hashTexts } from './embed-cache';
import { embeddingText, type EmbedInput } from './params';

// Keyed by the union so a new embedding input cannot be forgotten here.
const EMBED_INPUTS = Object.keys({
  answer: 1,
  'prompt+answer': 1,
} satisfies Record<EmbedInput, 1>) as EmbedInput[];

/** Text hashes of everything an analysis of `run` can embed, under every embedding input. */
export async function runTextHashes(run: Pick<Run, 'prompts' | 'answers'>): Promise<Set<string>> {
  const promptText = new Map(run.prompts.map((p) => [p.id, p.text]));
  const texts = new Set<string>();
  for (const mode of EMBED_INPUTS) {
    for (const a of run.answers) {
      texts.add(embeddingText(mode, promptText.get(a.promptId) ?? '', a.text));
    }
  }
  return new Set(await hashTexts([...texts]));
}

/** A vector of a run file that was not kept, and why. */
export interface DroppedVector {
  embedderId: string;
  textHash: string;
  reason: string;
}

/** Whether every value of `vector` is a finite number (NaN and ±Infinity are not). */
function allFinite(vector: Float32Array): boolean {
  for (const x of vector) if (!Number.isFinite(x)) return false;
  return true;
}

/**
 * Keeps the file's vectors that can be the run's own: for one of `ownHashes`, of the
 * dimension `knownDims` gives for their embedder (when this machine knows it), finite, and
 * the first for their text. The rest are returned as dropped, with the reason.
 */
export function screenImportedVectors(
  records: readonly EmbeddingRecord[],
  ownHashes: ReadonlySet<string>,
  knownDims: ReadonlyMap<string, number>,
): { kept: EmbeddingRecord[]; dropped: DroppedVector[] } {
  const kept: EmbeddingRecord[] = [];
  const dropped: DroppedVector[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    const { embedderId, textHash, vector } = record;
    const key = JSON.stringify([embedderId, textHash]);
    const dims = knownDims.get(embedderId);
    let reason: string | null = null;
    if (!ownHashes.has(textHash)) reason = 'it is not for any answer of this run';
    else if (dims !== undefined && vector.length !== dims) {
      reason = `it has ${vector.length} numbers; ${embedderId} makes vectors of ${dims}`;
    } else if (vector.length === 0) reason = 'it is empty';
    else if (!allFinite(vector)) reason = 'it holds a value that is not a finite number';
    else if (seen.has(key)) reason = 'the file has another vector for the same text';
    if (reason) dropped.push({ embedderId, textHash, reason });
    else {
      seen.add(key);
      kept.push(record);
    }
  }
  return { kept, dropped };
}

/** Sentences summarising dropped vectors: one per reason, with a count and a few hashes. */
export function describeDroppedVectors(dropped: readonly DroppedVector[]): string[] {
  const byReason = new Map<string, DroppedVector[]>();
  for (const d of dropped) {
    const items = byReason.get(d.reason);
    if (items) items.push(d);
    else byReason.set(d.reason, [d]);
  }
  return [...byReason].map(([reason, items]) => {
    const shown = items.slice(0, 3).map((d) => `${d.textHash.slice(0, 12)}…`);
    const more = items.length > 3 ? ` and ${items.length - 3} more` : '';
    const noun = items.length === 1 ? 'embedding vector was' : 'embedding vectors were';
    return `${items.length} ${noun} left out because ${reason} (${shown.join(', ')}${more}).`;
  });
}
