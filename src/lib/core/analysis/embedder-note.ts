/**
 * What an analysis's embedder cannot see, said wherever its results are shown. The bundled
 * embedder averages word vectors: "I cannot help with that" is nearer "Sure, here is how to help"
 * (cosine 0.69) than "I am unable to assist with this request" (0.44), so its map, clusters and
 * divergences follow vocabulary and topic, not meaning (tests/unit/embedder-note.test.ts
 * measures this). A sentence embedder (a transformer) reads each word in context, order included.
 */
import { BUNDLED_EMBEDDER_ID } from '../models';

/** The analysis embedder id of the bundled bag-of-words embedder. */
export const BUNDLED_ANALYSIS_EMBEDDER = `transformers:${BUNDLED_EMBEDDER_ID}` as const;

/** The sentence embedder recommended for real work (transformers.js, from the Hugging Face hub). */
export const SENTENCE_ANALYSIS_EMBEDDER = 'transformers:Xenova/all-MiniLM-L6-v2';

/** The limit of the bundled embedder, in one sentence a reader of the results can act on. */
export const BUNDLED_EMBEDDER_NOTE =
  'The bundled embedder is word-based (an average of word vectors), blind to negation and ' +
  'word order ("I cannot help with that" is nearer "Sure, here is how to help" than "I am ' +
  'unable to assist with this request"), so its map, clusters and divergences follow ' +
  'vocabulary and topic; use a sentence embedder (all-MiniLM-L6-v2) for meaning.';

/** The note to show beside results made with `embedderId`, or null when there is none. */
export function embedderNote(embedderId: string): string | null {
  return embedderId === BUNDLED_ANALYSIS_EMBEDDER ? BUNDLED_EMBEDDER_NOTE : null;
}
