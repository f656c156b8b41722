/**
 * Null rates on an exchangeable mixture of two real models (issue #9): 200 seeded runs on
 * alpaca_eval answers of a base model and its successor (../shared/data, not part of the repo:
 * skipped when absent), each drawing a subset of prompts and, per prompt, a coin that decides
 * which model's answer goes to A. The two models differ a lot, but under the coin A and B do
 * not, so no family of tests may discover something, and the headline may not claim a
 * difference, in more than 5% plus three standard errors of the runs. Also a model against
 * itself (identical answers): nothing at all; and the pair without the coin, through the same
 * harness, is found.
 *
 * The pair is oasst-sft-llama-33b vs oasst-rlhf-llama-33b: its answers are the shortest of the
 * shared pairs (median 94 and 155 words), and the style features' cost grows with answer
 * length, which is what bounds the runs' size here. Set NULL_MIXTURE_PAIR="A,B" (file names
 * without .json) to run the same test on another pair.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/lib/core/vectors/random';
import {
  analyseRun,
  drawNullRun,
  embeddedPool,
  expectNullRates,
  familyDiscoveries,
  identicalRun,
  orderedRun,
  tallyNullRuns,
  type AnswerPool,
} from './null-rates-helpers';

const DATA = new URL('../../../shared/data/alpaca_eval/', import.meta.url);
const [MODEL_A, MODEL_B] = (
  process.env.NULL_MIXTURE_PAIR ?? 'oasst-sft-llama-33b,oasst-rlhf-llama-33b'
).split(',') as [string, string];
const FILES = [MODEL_A, MODEL_B].map((name) => new URL(`${name}.json`, DATA));
const HAVE_DATA = FILES.every((file) => existsSync(file));

/** Null runs (the issue asks for at least 200). */
const RUNS = 200;
/** Prompts embedded once, a seeded subset of the 805, that every run draws from. */
const POOL_PROMPTS = 300;
/** Prompts of one run: small enough for 200 runs of real-length answers in about a minute. */
const PROMPTS_PER_RUN = 24;
/**
 * Prompts of a positive-control run: the oasst pair's differences (length, paragraphs) are
 * modest, so three runs of 100 prompts make sure the harness sees a real difference.
 */
const CONTROL_PROMPTS = 100;

/** One answer of an alpaca_eval `model_outputs.json`. */
interface AlpacaOutput {
  instruction: string;
  output: string;
}

let pair: AnswerPool;

/** The two models' answers to the same instructions: [A's, B's] for a seeded subset. */
async function readPair(): Promise<{ id: string; text: string; answers: string[] }[]> {
  const [a, b] = await Promise.all(
    FILES.map(async (file) => JSON.parse(await readFile(file, 'utf8')) as AlpacaOutput[]),
  );
  const outputOfB = new Map(b!.map((row) => [row.instruction, row.output]));
  const both = a!.filter((row) => outputOfB.has(row.instruction));
  const rng = createRng(805);
  const subset = both
    .map((row, i) => ({ row, i, key: rng.next() }))
    .sort((x, y) => x.key - y.key)
    .slice(0, POOL_PROMPTS);
  return subset.map(({ row, i }) => ({
    id: `alpaca-${i}`,
    text: row.instruction,
    answers: [row.output, outputOfB.get(row.instruction)!],
  }));
}

describe.skipIf(!HAVE_DATA)(
  `null rates: ${MODEL_A} and ${MODEL_B} mixed by a coin per prompt (needs ../shared/data/alpaca_eval; skipped when absent)`,
  () => {
    beforeAll(async () => {
      pair = await embeddedPool(await readPair());
    }, 60_000);

    it(`in ${RUNS} seeded runs, each family discovers something, and the headline claims a difference, in at most 5% + 3 SE of runs`, () => {
      const tally = tallyNullRuns(RUNS, (rng) => drawNullRun(pair, PROMPTS_PER_RUN, rng), 7000);
      expectNullRates(tally, RUNS);
    }, 120_000);

    it(`${MODEL_A} against itself, answer for answer: no p-value below 1, nothing discovered, no headline claim`, () => {
      for (const seed of [1, 2, 3]) {
        const result = analyseRun(identicalRun(pair, PROMPTS_PER_RUN, createRng(seed)), seed);
        expect(Object.values(familyDiscoveries(result)).filter(Boolean)).toEqual([]);
        expect(result.overall.statistic).toBe(0);
        expect(result.overall.pValue).toBe(1);
        expect(result.clusters.map((c) => c.pValue)).toEqual(result.clusters.map(() => 1));
        const featureP = result.features.map((f) => f.pValue).filter((p) => p !== null);
        expect(featureP).toEqual(featureP.map(() => 1));
        expect([...result.words.moreInA, ...result.words.moreInB]).toEqual([]);
        for (const phrases of [result.openings, result.closings]) {
          expect([...(phrases?.moreInA ?? []), ...(phrases?.moreInB ?? [])]).toEqual([]);
        }
        // No prompt changed, so there is no change to cluster.
        expect(result.changes?.clusters ?? []).toEqual([]);
      }
    });

    it('positive control: the same pair without the coin (A always the first model) is found', () => {
      for (const seed of [1, 2, 3]) {
        const found = familyDiscoveries(
          analyseRun(orderedRun(pair, CONTROL_PROMPTS, createRng(seed)), seed),
        );
        expect({ features: found.features, headline: found.headline }).toEqual({
          features: true,
          headline: true,
        });
      }
    });
  },
);
