/**
 * The tiny models the project builds itself and serves from public/models/ (see
 * public/models/README.md and scripts/models/). They exist so that the offline demo and the tests
 * run the real transformers.js code path without a model hub; they are not meant to be good.
 */

/** Tiny GPT-2 chat model that answers with sentences in the voice of free-software licences. */
export const TINY_BASE_MODEL_ID = 'tiny-base';

/** tiny-base trained further on the Book of Proverbs (KJV): the known behaviour change. */
export const TINY_FINETUNE_MODEL_ID = 'tiny-finetune';

/** Bag-of-words sentence embedder: SIF-weighted GloVe 100-d vectors of 10,000 common words. */
export const BUNDLED_EMBEDDER_ID = 'bundled-embedder';

/** Length of the bundled embedder's vectors. */
export const BUNDLED_EMBEDDER_DIM = 100;

/** feature-extraction pipeline options that turn the embedder's token vectors into sentence vectors. */
export const BUNDLED_EMBEDDER_OPTIONS: Readonly<{ pooling: 'mean'; normalize: true }> =
  Object.freeze({
    pooling: 'mean',
    normalize: true,
  });

/** One bundled model as the set-up screen can describe it. */
export interface BundledModelInfo {
  /** Folder name under public/models/, also the transformers.js model id. */
  readonly id: string;
  /** What the model is used for. */
  readonly kind: 'chat' | 'embedder';
  /** One sentence for people choosing a model. */
  readonly description: string;
}

/** Every bundled model, base first. */
export const BUNDLED_MODELS: readonly BundledModelInfo[] = Object.freeze([
  {
    id: TINY_BASE_MODEL_ID,
    kind: 'chat',
    description:
      'Tiny demo chat model (0.46 M parameters) that answers in the voice of software licences.',
  },
  {
    id: TINY_FINETUNE_MODEL_ID,
    kind: 'chat',
    description:
      'The tiny demo model fine-tuned on the Book of Proverbs: its answers turn proverbial.',
  },
  {
    id: BUNDLED_EMBEDDER_ID,
    kind: 'embedder',
    description: 'Offline bag-of-words sentence embedder (GloVe word vectors, 100 dimensions).',
  },
]);

/**
 * Lower-case words that mark each tiny model's training text (from a log-odds comparison of the
 * two corpora): an analysis of tiny-base (A) against tiny-finetune (B) should find B using the
 * finetune words more and the base words less.
 */
export const TINY_LM_MARKER_WORDS: Readonly<{
  base: readonly string[];
  finetune: readonly string[];
}> = Object.freeze({
  base: Object.freeze([
    'license',
    'library',
    'software',
    'program',
    'public',
    'free',
    'code',
    'version',
    'terms',
    'copy',
    'rights',
    'work',
    'distribute',
    'document',
    'source',
    'copyright',
    'notice',
    'modify',
    'you',
    'may',
  ]),
  finetune: Object.freeze([
    'lord',
    'man',
    'wicked',
    'wise',
    'wisdom',
    'heart',
    'thy',
    'thou',
    'thee',
    'unto',
    'hath',
    'understanding',
    'righteous',
    'mouth',
    'evil',
    'son',
    'fool',
    'way',
    'his',
    'he',
  ]),
});
