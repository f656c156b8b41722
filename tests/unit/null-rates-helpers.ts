/**
 * The harness of the null-rate tests (issue #9, "Null, as rates over many seeded runs"): a pool
 * of real answers with their embeddings computed once, null runs drawn from it in which A's and
 * B's labels are exchangeable within every prompt, and the count of runs in which each family
 * of tests makes a discovery at q < 0.05.
 *
 * A run is analysed as the app does it by default: k-means with k chosen by silhouette, then
 * compareAnswers with the app's 999 permutations (NULL_PERMUTATIONS).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import {
  configureTransformers,
  TransformersEmbedder,
} from '../../src/lib/backends/embed/transformers';
import { DEFAULT_ANALYSIS_PARAMS } from '../../src/lib/core/analysis/params';
import { chooseK } from '../../src/lib/core/cluster/choose-k';
import { compareAnswers, type ComparisonInput } from '../../src/lib/core/compare/compare';
import type { ComparisonResult } from '../../src/lib/core/compare/result-types';
import { headlineParts } from '../../src/lib/core/report/headline';
import type { Side } from '../../src/lib/core/run/types';
import { matrix, type Matrix } from '../../src/lib/core/vectors/matrix';
import { createRng, type Rng } from '../../src/lib/core/vectors/random';

/** The false discovery rate every family is controlled at. */
const ALPHA = 0.05;

/**
 * Permutations of every permutation test in a null run (energy, clusters, clusters of change,
 * presence tests with several samples): the app's default, 999, so the runs test what a user
 * gets, its p-value floor 1/1000 included. A floor only makes a family more conservative (a BH
 * family of m permutation p-values can reach q < 0.05 only if some p <= 0.05/m), so fewer
 * permutations would have hidden a liberal test behind it; measured here, 199 instead of 999
 * saves under 10% of a run (the text features dominate) and gave the same counts.
 */
const NULL_PERMUTATIONS = DEFAULT_ANALYSIS_PARAMS.nPermutations;

/** The largest share of null runs with a discovery a family may show: 5% plus three standard errors. */
function nullRateBound(runs: number): number {
  return ALPHA + 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / runs);
}

/** Real answers to draw null runs from: every prompt has at least two, all embedded once. */
export interface AnswerPool {
  /** Prompt ids and texts, by prompt index. */
  prompts: { id: string; text: string }[];
  /** answersOf[p]: indices into `texts` (and rows of `vectors`) of prompt p's answers. */
  answersOf: number[][];
  texts: string[];
  /** Unit-normalised embeddings of `texts` by the bundled embedder. */
  vectors: Matrix;
}

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));

/**
 * Embeds every answer of a pool with the bundled embedder (real transformers.js, on CPU), the
 * embedder an offline analysis uses.
 */
export async function embeddedPool(
  prompts: { id: string; text: string; answers: string[] }[],
): Promise<AnswerPool> {
  const texts: string[] = [];
  const answersOf = prompts.map((p) =>
    p.answers.map((answer) => {
      texts.push(answer);
      return texts.length - 1;
    }),
  );
  configureTransformers({ localModelPath: MODELS, allowRemoteModels: false });
  const embedder = new TransformersEmbedder({ modelId: 'bundled-embedder', device: 'cpu' });
  try {
    const vectors = await embedder.embed(texts, { batchSize: 64 });
    return { prompts: prompts.map(({ id, text }) => ({ id, text })), answersOf, texts, vectors };
  } finally {
    await embedder.unload();
  }
}

/** One prompt of tests/fixtures/null/tiny-base-samples.json. */
export interface TinySamplesPrompt {
  id: string;
  text: string;
  /** tiny-base's answers. */
  samples: string[];
  /** tiny-finetune's answers (the positive control). */
  finetuneSamples: string[];
}

/** The tiny-base pool of tests/fixtures/null (made by scripts/reference/tiny-base-samples.ts). */
export async function readTinyBaseSamples(): Promise<TinySamplesPrompt[]> {
  const file = new URL('../fixtures/null/tiny-base-samples.json', import.meta.url);
  return (JSON.parse(await readFile(file, 'utf8')) as { prompts: TinySamplesPrompt[] }).prompts;
}

/**
 * One null run: `nPrompts` prompts drawn without replacement, and for each 2 * `perSide`
 * different answers of the pool in random order, the first `perSide` A's, the rest B's. With two
 * answers a prompt (two models) that order is the coin that decides which model's answer goes
 * to A; with several samples of one model it is that model sampled twice. Either way the labels
 * are exchangeable within each prompt, which is the null every paired test assumes. With one
 * answer a side the presence tests are exact McNemar tests; with more, within-prompt
 * permutations.
 */
export function drawNullRun(
  pool: AnswerPool,
  nPrompts: number,
  rng: Rng,
  perSide = 1,
): ComparisonInput {
  const chosen = sampleWithoutReplacement(pool.prompts.length, nPrompts, rng);
  const rows: number[] = [];
  const promptIndex: number[] = [];
  const sides: Side[] = [];
  chosen.forEach((p, i) => {
    const answers = pool.answersOf[p]!;
    sampleWithoutReplacement(answers.length, 2 * perSide, rng).forEach((a, j) => {
      rows.push(answers[a]!);
      promptIndex.push(i);
      sides.push(j < perSide ? 'A' : 'B');
    });
  });
  return runInput(pool, chosen, rows, promptIndex, sides);
}

/**
 * A run where B's answer is A's answer, word for word, on every prompt: a model against
 * itself. Uses each chosen prompt's first answer.
 */
export function identicalRun(pool: AnswerPool, nPrompts: number, rng: Rng): ComparisonInput {
  const chosen = sampleWithoutReplacement(pool.prompts.length, nPrompts, rng);
  const rows = chosen.flatMap((p) => [pool.answersOf[p]![0]!, pool.answersOf[p]![0]!]);
  const promptIndex = chosen.flatMap((_, i) => [i, i]);
  const sides = chosen.flatMap((): Side[] => ['A', 'B']);
  return runInput(pool, chosen, rows, promptIndex, sides);
}

/**
 * A run with the pool's answer order kept (answer 0 is always A's, answer 1 always B's): not a
 * null when the two answers come from two different models. The positive control showing that
 * the harness sees discoveries where there are some.
 */
export function orderedRun(pool: AnswerPool, nPrompts: number, rng: Rng): ComparisonInput {
  const chosen = sampleWithoutReplacement(pool.prompts.length, nPrompts, rng);
  const rows = chosen.flatMap((p) => [pool.answersOf[p]![0]!, pool.answersOf[p]![1]!]);
  const promptIndex = chosen.flatMap((_, i) => [i, i]);
  const sides = chosen.flatMap((): Side[] => ['A', 'B']);
  return runInput(pool, chosen, rows, promptIndex, sides);
}

function runInput(
  pool: AnswerPool,
  chosen: number[],
  rows: number[],
  promptIndex: number[],
  sides: Side[],
): ComparisonInput {
  const dims = pool.vectors.dims;
  const vectors = matrix(rows.length, dims);
  rows.forEach((r, i) =>
    vectors.data.set(pool.vectors.data.subarray(r * dims, (r + 1) * dims), i * dims),
  );
  return {
    prompts: chosen.map((p) => pool.prompts[p]!.id),
    promptTexts: chosen.map((p) => pool.prompts[p]!.text),
    promptIndex: Int32Array.from(promptIndex),
    sides,
    labels: new Int32Array(rows.length),
    vectors,
    texts: rows.map((r) => pool.texts[r]!),
  };
}

/** `count` distinct integers of 0..n-1 in random order (partial Fisher-Yates). */
function sampleWithoutReplacement(n: number, count: number, rng: Rng): number[] {
  if (count > n) throw new RangeError(`cannot draw ${count} of ${n} without replacement`);
  const items = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(n - i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items.slice(0, count);
}

/**
 * Clusters a run's answers as the app does by default (k-means++, k chosen by silhouette over
 * the app's k range, 3 restarts) and compares them. The labels depend on the vectors only, never
 * on the sides, so the clusters' within-prompt permutation tests stay exact whatever k is
 * chosen; choosing k as the app does tests what a user gets.
 */
export function analyseRun(input: ComparisonInput, seed: number): ComparisonResult {
  const n = input.vectors.rows;
  const { result } = chooseK(input.vectors, {
    kMin: DEFAULT_ANALYSIS_PARAMS.kMin,
    kMax: Math.min(DEFAULT_ANALYSIS_PARAMS.kMax, n - 1),
    seed,
    restarts: 3,
  });
  // One bootstrap draw: the share intervals are not looked at here, only the tests.
  return compareAnswers(
    { ...input, labels: result.labels },
    { seed, nPermutations: NULL_PERMUTATIONS, nBootstrap: 1 },
  );
}

/**
 * The families of tests whose discoveries are counted (openings, closings and changes only once
 * computed), and the headline, which claims a difference when any test of its joint family is
 * significant.
 */
export type NullFamily =
  'overall' | 'clusters' | 'features' | 'words' | 'openings' | 'closings' | 'changes' | 'headline';

const isDiscovery = (q: number | null | undefined): boolean =>
  q !== null && q !== undefined && q < ALPHA;

/**
 * Whether each family made a discovery (any q < 0.05; the overall energy test: p < 0.05), or
 * null for a family the result did not compute (openings, closings and changes until
 * compareAnswers fills them); and whether the headline claims a difference (a claim, or the
 * overall test significant in its joint family: anything but its "no difference" line).
 */
export function familyDiscoveries(result: ComparisonResult): Record<NullFamily, boolean | null> {
  const phrases = (r: ComparisonResult['openings']) =>
    r && [...r.moreInA, ...r.moreInB].some((p) => isDiscovery(p.qValue));
  return {
    overall: result.overall.pValue < ALPHA,
    clusters: result.clusters.some((c) => isDiscovery(c.qValue)),
    features: result.features.some((f) => isDiscovery(f.qValue)),
    words: [...result.words.moreInA, ...result.words.moreInB].some((w) => isDiscovery(w.qValue)),
    openings: phrases(result.openings),
    closings: phrases(result.closings),
    changes: result.changes && result.changes.clusters.some((c) => isDiscovery(c.qValue)),
    headline: headlineClaims(result),
  };
}

/** Whether the headline claims any difference: significant claims or overall test. */
function headlineClaims(result: ComparisonResult): boolean {
  const parts = headlineParts(result);
  return parts.claims.length > 0 || parts.overallSignificant;
}

/** Per family: runs with a discovery, and runs in which the family was computed at all. */
export type NullTally = Record<NullFamily, { discoveries: number; computed: number }>;

/** Runs `runs` seeded null runs through `analyse` and counts discoveries per family. */
export function tallyNullRuns(
  runs: number,
  draw: (rng: Rng) => ComparisonInput,
  seed: number,
): NullTally {
  const tally = {} as NullTally;
  for (let run = 0; run < runs; run++) {
    const rng = createRng(seed + run);
    const found = familyDiscoveries(analyseRun(draw(rng), seed + run));
    for (const [family, discovered] of Object.entries(found) as [NullFamily, boolean | null][]) {
      const entry = (tally[family] ??= { discoveries: 0, computed: 0 });
      if (discovered === null) continue;
      entry.computed++;
      if (discovered) entry.discoveries++;
    }
  }
  return tally;
}

/** "words 3/200 (1.5%)" for every family, the figures a failing or passing run reports. */
function describeTally(tally: NullTally): string {
  return (Object.entries(tally) as [NullFamily, NullTally[NullFamily]][])
    .map(([family, { discoveries, computed }]) =>
      computed === 0
        ? `${family} not computed`
        : `${family} ${discoveries}/${computed} (${((100 * discoveries) / computed).toFixed(1)}%)`,
    )
    .join(', ');
}

/**
 * Expects every family to discover something in at most 5% plus three standard errors of the
 * runs. A family is computed in every run or in none; one that compareAnswers does not fill yet
 * (null in every run: openings, closings, changes until they are wired in) is not tested, and
 * the returned list names it so the caller can say so.
 */
export function expectNullRates(tally: NullTally, runs: number): NullFamily[] {
  const summary = describeTally(tally);
  const untested: NullFamily[] = [];
  for (const [family, { discoveries, computed }] of Object.entries(tally) as [
    NullFamily,
    NullTally[NullFamily],
  ][]) {
    if (computed === 0) {
      untested.push(family);
      continue;
    }
    expect.soft(computed, `${family} computed in every run or none (${summary})`).toBe(runs);
    expect
      .soft(discoveries / runs, `share of runs with a ${family} discovery (${summary})`)
      .toBeLessThanOrEqual(nullRateBound(runs));
  }
  return untested;
}
