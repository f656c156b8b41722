/**
 * Clusters of change (issue 9 item 5) on constructed pairs built from real answers: alpaca_eval
 * outputs from ../shared/data when present, otherwise answers assembled from a built-in set of
 * varied sentences (the describe names say which ran).
 *
 * Embedding: a signed hashed bag of words (256 dims, unit length). The app's bundled embedder is
 * itself word-based (a mean of word vectors, blind to word order), so a hashed bag of words has
 * the same geometry (answers are close when they share words), is deterministic, and costs
 * nothing, which the 200 null runs need. The appended-sentence construction was also checked
 * with the bundled embedder (README, "Clusters of change").
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  changeClusters,
  type ChangeClustersInput,
  type ChangeClustersOptions,
} from '../../src/lib/core/compare/change-clusters';
import {
  changedTerms,
  detectorDeltas,
  differingExcerpts,
  featureChangeTable,
} from '../../src/lib/core/compare/change-descriptions';
import { pairedDesign, type PromptSides } from '../../src/lib/core/compare/design';
import type { ChangeCluster } from '../../src/lib/core/compare/result-types';
import {
  FEATURE_MEASURES,
  STYLE_FEATURE_NAMES,
  styleFeatureColumns,
} from '../../src/lib/core/text/style-features';
import { terms, words } from '../../src/lib/core/text/tokenize';
import { matrix, type Matrix } from '../../src/lib/core/vectors/matrix';
import { createRng, shuffle, type Rng } from '../../src/lib/core/vectors/random';

const DATA = fileURLToPath(new URL('../../../shared/data/alpaca_eval/', import.meta.url));
const FILE_A = `${DATA}Mistral-7B-Instruct-v0.2.json`;
const FILE_B = `${DATA}Snorkel-Mistral-PairRM-DPO.json`;
const REAL = existsSync(FILE_A) && existsSync(FILE_B);
const SOURCE = REAL
  ? 'real alpaca_eval answers (Mistral-7B-Instruct-v0.2, Snorkel-Mistral-PairRM-DPO)'
  : 'built-in sentences (../shared/data/alpaca_eval absent: real answers not used)';

/** Varied sentences for answers when the real data is absent. */
const SENTENCES = [
  'Photosynthesis turns sunlight, water and carbon dioxide into sugar and oxygen.',
  'The French Revolution began in 1789 and reshaped European politics.',
  'A binary search halves the range of candidates at every step.',
  'Sourdough bread rises thanks to wild yeast and lactic acid bacteria.',
  'Interest compounds when earnings are reinvested alongside the principal.',
  'The mitochondria produce most of the energy a cell uses.',
  'Haiku poems traditionally follow a pattern of five, seven and five syllables.',
  'Regular stretching improves flexibility and reduces the risk of injury.',
  'Python lists can grow and shrink, unlike fixed arrays in C.',
  'The Amazon rainforest holds a tenth of the species known on Earth.',
  'A cover letter should explain why you fit the role in a few paragraphs.',
  'Jupiter is the largest planet and has dozens of moons.',
  'Supply and demand together set the price in a competitive market.',
  'Vaccines train the immune system to recognise a pathogen.',
  'A good password is long, unique and stored in a password manager.',
  'The Pythagorean theorem relates the sides of a right triangle.',
  'Tomatoes grow best in warm soil with plenty of sunlight.',
  'Shakespeare wrote comedies, tragedies and histories for the Globe theatre.',
  'Recursion solves a problem by reducing it to smaller copies of itself.',
  'Coffee contains caffeine, which blocks adenosine receptors in the brain.',
  'A budget lists expected income and spending for each month.',
  'Glaciers carve valleys as they slowly slide downhill.',
  'The stock market rewards patience more than frequent trading.',
  'Electric cars convert stored chemical energy into motion efficiently.',
  'Learning a language is easier with daily practice and real conversations.',
  'The Great Wall of China was built over many centuries.',
  'SQL joins combine rows from two tables on a shared key.',
  'Meditation can lower stress and improve attention over time.',
  'Honeybees communicate the direction of flowers with a waggle dance.',
  'An essay needs a clear thesis supported by evidence.',
  'Volcanoes form where magma rises through cracks in the crust.',
  'Sleep helps the brain consolidate memories from the day.',
  'Chess openings aim to control the centre and develop pieces quickly.',
  'The printing press made books cheaper and spread literacy.',
  'A resume should list achievements rather than duties.',
  'Rainbows appear when sunlight is refracted inside raindrops.',
  'Git records every change, so old versions can be restored.',
  'Olive oil is a staple of the Mediterranean diet.',
  'Whales are mammals that breathe air through blowholes.',
  'Negotiation goes better when both sides understand each other’s interests.',
];

/** One answer per prompt from each of two sources (real: two models; else: two draws). */
function loadAnswers(): { a: string[]; b: string[] } {
  if (REAL) {
    const read = (f: string) =>
      (JSON.parse(readFileSync(f, 'utf8')) as { output: string }[]).map((r) => r.output);
    return { a: read(FILE_A), b: read(FILE_B) };
  }
  const rng = createRng(99);
  const answer = () =>
    Array.from({ length: 3 + rng.int(6) }, () => SENTENCES[rng.int(SENTENCES.length)]!).join(' ');
  return {
    a: Array.from({ length: 400 }, answer),
    b: Array.from({ length: 400 }, answer),
  };
}
const ANSWERS = loadAnswers();

const DIMS = 256;

/** Signed hashed bag of words, unit length (see the file comment for why). */
function hashedEmbedding(texts: readonly string[]): Matrix {
  const m = matrix(texts.length, DIMS);
  texts.forEach((text, i) => {
    const row = m.data.subarray(i * DIMS, (i + 1) * DIMS);
    for (const w of words(text)) {
      let h = 0x811c9dc5;
      for (let c = 0; c < w.length; c++) h = Math.imul(h ^ w.charCodeAt(c), 0x01000193);
      h >>>= 0;
      row[h % DIMS]! += h & 0x80000000 ? -1 : 1;
    }
    const norm = Math.hypot(...row) || 1;
    for (let d = 0; d < DIMS; d++) row[d]! /= norm;
  });
  return m;
}

/** The comparison input of prompts with `samples[p] = { a: [...texts], b: [...texts] }`. */
function changeInput(
  samples: readonly { a: string[]; b: string[] }[],
  withFeatures = true,
): ChangeClustersInput {
  const texts: string[] = [];
  const promptIndex: number[] = [];
  const sides: ('A' | 'B')[] = [];
  samples.forEach(({ a, b }, p) => {
    for (const [side, list] of [
      ['A', a],
      ['B', b],
    ] as const) {
      for (const t of list) {
        texts.push(t);
        promptIndex.push(p);
        sides.push(side);
      }
    }
  });
  // The style features cost more than the rest together; the null runs do without them.
  const style = withFeatures ? styleFeatureColumns(texts) : null;
  return {
    design: pairedDesign(promptIndex, sides, samples.length),
    vectors: hashedEmbedding(texts),
    texts,
    promptIds: samples.map((_, p) => `prompt-${p}`),
    features: style
      ? STYLE_FEATURE_NAMES.map((name) => ({
          name,
          values: style[name],
          measure: FEATURE_MEASURES[name],
        }))
      : [],
    wordCounts: style ? style.length_words : texts.map((t) => words(t).length),
  };
}

const sentencesOf = (text: string) => text.split(/(?<=[.!?])\s+/);

/**
 * Change that is noise, not behaviour: one side (a coin decides which) loses one sentence of the
 * answer, so every prompt changes a little, in a direction as likely on A's side as on B's.
 */
function noisyPair(answer: string, rng: Rng): { a: string; b: string } {
  const sentences = sentencesOf(answer);
  if (sentences.length < 3) return { a: answer, b: answer };
  const drop = rng.int(sentences.length);
  const shorter = sentences.filter((_, j) => j !== drop).join(' ');
  return rng.next() < 0.5 ? { a: answer, b: shorter } : { a: shorter, b: answer };
}

/** `n` distinct answers of source A, in a seeded random order. */
function someAnswers(n: number, rng: Rng): string[] {
  const order = shuffle(
    Int32Array.from(ANSWERS.a, (_, i) => i),
    rng,
  );
  return Array.from(order.subarray(0, n), (i) => ANSWERS.a[i]!);
}

/** The cluster holding most of `marked` prompts, with its precision and recall. */
function bestCluster(clusters: readonly ChangeCluster[], marked: ReadonlySet<string>) {
  const scored = clusters.map((c) => {
    const hits = c.promptIds.filter((id) => marked.has(id)).length;
    return { cluster: c, precision: hits / c.n, recall: hits / marked.size };
  });
  return scored.sort((x, y) => y.recall - x.recall)[0]!;
}

const APPENDED =
  'Remember to double-check these details with a trusted expert before acting on them.';

describe(`changeClusters on ${SOURCE}`, () => {
  it.each([1, 2, 3])(
    'finds the prompts where B appends a fixed sentence (construction seed %i)',
    (seed) => {
      const rng = createRng(seed);
      const marked = new Set<string>();
      const pairs = someAnswers(120, rng).map((answer, p) => {
        const pair = noisyPair(answer, rng);
        if (p % 3 !== 0) return { a: [pair.a], b: [pair.b] };
        marked.add(`prompt-${p}`);
        return { a: [pair.a], b: [`${pair.b} ${APPENDED}`] };
      });
      const result = changeClusters(changeInput(pairs), { seed })!;
      const { cluster, precision, recall } = bestCluster(result.clusters, marked);
      expect(precision).toBeGreaterThanOrEqual(0.8);
      expect(recall).toBeGreaterThanOrEqual(0.8);
      expect(cluster.qValue).toBeLessThan(0.05);
      // Every keyword of the sentence is listed as added, alone or inside a listed bigram.
      const listed = cluster.terms.added.flatMap((t) => t.split(' '));
      for (const w of terms(APPENDED, { ngrams: 'unigrams' })) expect(listed).toContain(w);
      expect(cluster.terms.removed.flatMap((t) => t.split(' '))).not.toContain('expert');
      expect(cluster.examples.length).toBe(3);
      for (const e of cluster.examples) expect(cluster.promptIds).toContain(e.promptId);
      expect(result.method).toBe('split-half sign-flip');
      expect(result.k).toBeGreaterThanOrEqual(2);
      expect(result.k).toBeLessThanOrEqual(10);
    },
  );

  it('finds the appended sentence with two samples per side', () => {
    const rng = createRng(11);
    const marked = new Set<string>();
    const pairs = someAnswers(80, rng).map((answer, p) => {
      const first = noisyPair(answer, rng);
      const second = noisyPair(answer, rng);
      const b = [first.b, second.b];
      if (p % 3 === 0) marked.add(`prompt-${p}`);
      return { a: [first.a, second.a], b: p % 3 === 0 ? b.map((t) => `${t} ${APPENDED}`) : b };
    });
    const result = changeClusters(changeInput(pairs))!;
    const { cluster, precision, recall } = bestCluster(result.clusters, marked);
    expect(precision).toBeGreaterThanOrEqual(0.8);
    expect(recall).toBeGreaterThanOrEqual(0.8);
    expect(cluster.qValue).toBeLessThan(0.05);
    expect(cluster.terms.added).toContain('trusted expert');
  });

  it('shows numbered lists rising where B adds a numbered list to a quarter of answers', () => {
    const rng = createRng(4);
    const marked = new Set<string>();
    const pairs = someAnswers(120, rng).map((answer, p) => {
      const pair = noisyPair(answer, rng);
      if (p % 4 !== 0) return { a: [pair.a], b: [pair.b] };
      marked.add(`prompt-${p}`);
      const steps = sentencesOf(pair.a)
        .slice(0, 3)
        .map((s, j) => `${j + 1}. ${s}`);
      return { a: [pair.a], b: [`${pair.b}\n\nKey points:\n${steps.join('\n')}`] };
    });
    const result = changeClusters(changeInput(pairs))!;
    const { cluster, precision, recall } = bestCluster(result.clusters, marked);
    // A list of the answer's own sentences is mostly more of the same words to a word-based
    // embedding, like the prompts where A lost a sentence, so the cluster also holds some of
    // those: it holds most list prompts and is richer in them than the whole set (a quarter).
    expect(recall).toBeGreaterThan(0.5);
    expect(precision).toBeGreaterThan(0.25);
    const numbered = cluster.detectors.find((d) => d.name === 'numbered_items');
    expect(numbered?.delta).toBeGreaterThan(0);
    expect(cluster.terms.added).toContain('key points');
    expect(cluster.qValue).toBeLessThan(0.05);
  });

  it('keeps its false-positive rate when A and B are exchangeable per prompt (200 runs)', () => {
    const runs = 200;
    let discoveries = 0;
    for (let run = 0; run < runs; run++) {
      const rng = createRng(5000 + run);
      const order = shuffle(
        Int32Array.from(ANSWERS.a, (_, i) => i),
        rng,
      ).subarray(0, 40);
      // Per prompt a coin decides which source's answer is called A.
      const pairs = Array.from(order, (i) => {
        const [x, y] = [ANSWERS.a[i]!, ANSWERS.b[i]!];
        return rng.next() < 0.5 ? { a: [x], b: [y] } : { a: [y], b: [x] };
      });
      const result = changeClusters(changeInput(pairs, false), { seed: run, nPermutations: 199 });
      if (result!.clusters.some((c) => c.qValue !== null && c.qValue < 0.05)) discoveries++;
    }
    const se = Math.sqrt((0.05 * 0.95) / runs);
    expect(discoveries / runs).toBeLessThanOrEqual(0.05 + 3 * se);
  });

  it('finds nothing when B gives the same answers as A', () => {
    const answers = someAnswers(60, createRng(8));
    const same = answers.map((t) => ({ a: [t], b: [t] }));
    const nothing = { method: 'split-half sign-flip', k: 0, silhouette: null, clusters: [] };
    expect(changeClusters(changeInput(same))).toEqual({ ...nothing, nPrompts: 0 });
    // An embedder that gives the same text slightly different vectors (batching) changes nothing.
    const jittered = changeInput(same);
    const rng = createRng(3);
    jittered.vectors.data.forEach((x, i) => (jittered.vectors.data[i] = x + 1e-3 * rng.gaussian()));
    expect(changeClusters(jittered)).toEqual({ ...nothing, nPrompts: 0 });
    // Only a handful of prompts changed: too few to split and test.
    const few = same.map((s, p) => (p < 10 ? { a: s.a, b: [`${s.b[0]} ${APPENDED}`] } : s));
    expect(changeClusters(changeInput(few))).toEqual({ ...nothing, nPrompts: 10 });
    expect(changeClusters(changeInput(few), { minPrompts: 10 })!.clusters.length).toBeGreaterThan(
      0,
    );
    // Too few paired prompts: not computed.
    expect(changeClusters(changeInput(few.slice(0, 19)))).toBeNull();
  });
});

describe('changeClusters input and output', () => {
  const pairs = Array.from({ length: 30 }, (_, p) => ({
    a: [SENTENCES[p % SENTENCES.length]!],
    b: [`${SENTENCES[p % SENTENCES.length]!} ${SENTENCES[(p * 7 + 3) % SENTENCES.length]!}`],
  }));

  it('says which input has the wrong length', () => {
    const input = changeInput(pairs);
    expect(() => changeClusters({ ...input, texts: input.texts.slice(1) })).toThrow(
      'changeClusters: 60 answers but 59 texts',
    );
    const features = [{ name: 'bold', values: new Float64Array(3), measure: 'rate' as const }];
    expect(() => changeClusters({ ...input, features })).toThrow('3 values of feature bold');
    expect(() => changeClusters({ ...input, promptIds: ['x'] })).toThrow(
      '30 prompts but 1 prompt ids',
    );
  });

  it('gives no groups when every prompt changes in the same direction exactly', () => {
    const same = Array.from({ length: 30 }, () => ({
      a: ['The same answer.'],
      b: ['The same answer, longer.'],
    }));
    expect(changeClusters(changeInput(same))).toEqual({
      method: 'split-half sign-flip',
      k: 0,
      silhouette: null,
      nPrompts: 30,
      clusters: [],
    });
  });

  it('is seeded: the same input and seed give the same result', () => {
    const options: ChangeClustersOptions = { seed: 5, nPermutations: 99 };
    const first = changeClusters(changeInput(pairs), options);
    expect(changeClusters(changeInput(pairs), options)).toEqual(first);
    expect(first!.nPrompts).toBe(30);
    expect(first!.clusters.reduce((s, c) => s + c.n, 0)).toBe(30);
    expect(first!.clusters.map((c) => c.id)).toEqual(first!.clusters.map((_, i) => i));
  });
});

describe('differingExcerpts', () => {
  it('starts both excerpts shortly before the answers part when they share a long opening', () => {
    const common = 'Sure. '.repeat(30);
    const { a, b } = differingExcerpts(`${common}The end.`, `${common}The end. ${APPENDED}`);
    expect(a.startsWith('…')).toBe(true);
    expect(b).toContain('Remember to double-check');
    expect(b.length).toBeLessThanOrEqual(165);
  });

  it('gives the openings when the answers differ early or not at all', () => {
    expect(differingExcerpts('Yes.\n\nIt is.', 'No.')).toEqual({ a: 'Yes. It is.', b: 'No.' });
    const same = 'x '.repeat(200);
    expect(differingExcerpts(same, same).a).toBe(differingExcerpts(same, same).b);
    expect(differingExcerpts(same, same).a.startsWith('x')).toBe(true);
  });
});

describe('changedTerms', () => {
  /** Prompts given as [A's answers, B's answers]; answer indices follow the texts' order. */
  function prompts(pairs: [string[], string[]][]): { texts: string[]; sides: PromptSides[] } {
    const texts: string[] = [];
    const sides = pairs.map(([a, b], prompt) => {
      const index = (list: string[]) => list.map((t) => texts.push(t) - 1);
      return { prompt, a: index(a), b: index(b) };
    });
    return { texts, sides };
  }

  it('lists terms that move one way, not common words a longer answer gains and loses', () => {
    // "ensuring" gained on 10 prompts, never lost; "one" gained on 10 and lost on 6 (net 4).
    const pairs: [string[], string[]][] = Array.from({ length: 20 }, (_, p) => [
      [p >= 10 && p < 16 ? `Item w${p}. One.` : `Item w${p}.`],
      [p < 10 ? `Item w${p}. Ensuring v${p}. One.` : `Item w${p}.`],
    ]);
    const { texts, sides } = prompts(pairs);
    expect(changedTerms(texts, sides, 8)).toEqual({ added: ['ensuring'], removed: [] });
  });

  it('lists a bigram instead of its words, drops in `removed`, and counts samples as shares', () => {
    const pairs: [string[], string[]][] = Array.from({ length: 10 }, (_, p) => [
      [`Item w${p}. Sure thing.`, `Item w${p}.`],
      p < 6 ? [`Item w${p}. Feel free to ask.`, `Item w${p}.`] : [`Item w${p}.`, `Item w${p}.`],
    ]);
    const { texts, sides } = prompts(pairs);
    // Half of B's answers gain "feel free" on 6 prompts: 3 prompts' worth; A loses "sure
    // thing" on half its answers on all 10: 5.
    expect(changedTerms(texts, sides, 8)).toEqual({
      added: ['feel free', 'ask'],
      removed: ['sure thing'],
    });
  });
});

describe('detectorDeltas', () => {
  it('ranks a feature by its move relative to its spread over all prompts, not by its unit', () => {
    // 40 prompts, one answer a side; prompts 0-9 (the cluster) gain a refusal and 20 words, the
    // others change length by -100 or +100 words at random and refuse alike.
    const rng = createRng(2);
    const texts: string[] = [];
    const promptIndex: number[] = [];
    const sides: ('A' | 'B')[] = [];
    const refusals: number[] = [];
    const length: number[] = [];
    for (let p = 0; p < 40; p++) {
      const lengthA = 200;
      const lengthB = p < 10 ? 220 : rng.next() < 0.5 ? 100 : 300;
      for (const [side, refuses, words] of [
        ['A', 0, lengthA],
        ['B', p < 10 ? 1 : 0, lengthB],
      ] as const) {
        texts.push(`answer ${p}${side}`);
        promptIndex.push(p);
        sides.push(side);
        refusals.push(refuses);
        length.push(words);
      }
    }
    const input = {
      design: pairedDesign(promptIndex, sides, 40),
      vectors: matrix(80, 2),
      texts,
      promptIds: Array.from({ length: 40 }, (_, p) => `p${p}`),
      features: [
        { name: 'length_words', values: length, measure: 'length' as const },
        { name: 'refusals', values: refusals, measure: 'presence' as const },
      ],
      wordCounts: length,
    };
    const sidesOf = Array.from({ length: 40 }, (_, p) => ({
      prompt: p,
      a: [2 * p],
      b: [2 * p + 1],
    }));
    const table = featureChangeTable(input, sidesOf);
    const cluster = Array.from({ length: 10 }, (_, p) => p);
    // Length moves by +20 words here, a fifth of its spread (about 100): not listed.
    expect(detectorDeltas(table, cluster, 4)).toEqual([{ name: 'refusals', delta: 1 }]);
    const others = Array.from({ length: 30 }, (_, p) => p + 10);
    expect(detectorDeltas(table, others, 4)).toEqual([]);
  });
});
