import { describe, expect, it } from 'vitest';
import type { ChangeClustersInput } from '../../src/lib/core/compare/change-clusters';
import {
  changedTerms,
  describeChangeCluster,
  detectorDeltas,
  differingExcerpts,
  featureChangeTable,
  termMoves,
  type FeatureChanges,
} from '../../src/lib/core/compare/change-descriptions';
import {
  pairedDesign,
  pairedPromptSides,
  type PromptSides,
} from '../../src/lib/core/compare/design';
import { openingLine } from '../../src/lib/core/compare/length-adjusted-divergence';
import type { Side } from '../../src/lib/core/run/types';
import { fromRows } from '../../src/lib/core/vectors/matrix';

/** One A and one B answer per prompt: texts interleaved A0, B0, A1, B1, ... */
function onePerSide(pairs: readonly [string, string][]): {
  texts: string[];
  sides: PromptSides[];
} {
  return {
    texts: pairs.flat(),
    sides: pairs.map((_, p) => ({ prompt: p, a: [2 * p], b: [2 * p + 1] })),
  };
}

/** `n` prompts where B adds `added` on the first `gain` and A has it on the next `loss`. */
function prompts(n: number, moves: { term: string; gain: number; loss?: number }[]) {
  const pairs: [string, string][] = Array.from({ length: n }, (_, p) => [
    `Plain answer number${p}.`,
    `Plain answer number${p}.`,
  ]);
  for (const { term, gain, loss = 0 } of moves) {
    for (let p = 0; p < gain; p++) pairs[p]![1] += ` ${term}.`;
    for (let p = gain; p < gain + loss; p++) pairs[p]![0] += ` ${term}.`;
  }
  return onePerSide(pairs);
}

describe('termMoves', () => {
  it('counts a prompt as the share of B minus the share of A that contain a term', () => {
    // Prompt 0: A has two answers, one with "kettle"; B has one without -> lost 0.5.
    // Prompt 1: B's answer has "kettle", A's not -> gained 1. "teapot" in both: no move.
    const texts = ['kettle teapot', 'teapot', 'teapot', 'teapot', 'kettle teapot'];
    const sides: PromptSides[] = [
      { prompt: 0, a: [0, 1], b: [2] },
      { prompt: 1, a: [3], b: [4] },
    ];
    const moves = termMoves(texts, sides);
    expect(moves.get('kettle')).toEqual({ gained: 1, lost: 0.5 });
    expect(moves.has('teapot')).toBe(false);
  });

  it('ignores a term whose shares cancel over several samples', () => {
    // A: 1 of 3 answers; B: 1 of 3 answers (1/3 - 1/3 can leave 1e-17, not 0).
    const texts = ['kettle', 'x', 'y', 'kettle', 'x', 'y'];
    const moves = termMoves(texts, [{ prompt: 0, a: [0, 1, 2], b: [3, 4, 5] }]);
    expect(moves.has('kettle')).toBe(false);
  });
});

describe('changedTerms', () => {
  it('lists added and removed terms by net prompts, a bigram hiding the unigrams it holds', () => {
    const { texts, sides } = prompts(10, [
      { term: 'feel free', gain: 4 },
      { term: 'honestly', gain: 0, loss: 3 },
      { term: 'sure', gain: 1 },
    ]);
    expect(changedTerms(texts, sides, 8)).toEqual({ added: ['feel free'], removed: ['honestly'] });
  });

  it('needs 2 prompts and 10% of the cluster, net', () => {
    // 30 prompts: at least 3 (10%); "kettle" nets 3, "teapot" 2.
    const big = prompts(30, [
      { term: 'kettle', gain: 3 },
      { term: 'teapot', gain: 2 },
    ]);
    expect(changedTerms(big.texts, big.sides, 8).added).toEqual(['kettle']);
    // 5 prompts: 10% is under 1, the 2-prompt minimum holds.
    const small = prompts(5, [
      { term: 'kettle', gain: 2 },
      { term: 'teapot', gain: 1 },
    ]);
    expect(changedTerms(small.texts, small.sides, 8).added).toEqual(['kettle']);
  });

  it('lists a term only when it moves one way (lost at most a quarter as often as gained)', () => {
    const { texts, sides } = prompts(12, [
      { term: 'indeed', gain: 4, loss: 1 },
      { term: 'maybe', gain: 4, loss: 2 },
    ]);
    expect(changedTerms(texts, sides, 8)).toEqual({ added: ['indeed'], removed: [] });
  });

  it('ranks by net count, then longer terms, then alphabetically, and stops at top', () => {
    const { texts, sides } = prompts(10, [
      { term: 'mango', gain: 3 },
      { term: 'zebra', gain: 5 },
      { term: 'apple', gain: 3 },
      { term: 'kettle', gain: 0, loss: 4 },
    ]);
    expect(changedTerms(texts, sides, 8)).toEqual({
      added: ['zebra', 'apple', 'mango'],
      removed: ['kettle'],
    });
    expect(changedTerms(texts, sides, 2).added).toEqual(['zebra', 'apple']);
    expect(changedTerms(texts, sides, 1)).toEqual({ added: ['zebra'], removed: ['kettle'] });
  });

  it('hides a unigram only when its bigram moves at least 80% as often', () => {
    // "feel free" nets 4; "feel" nets 5 (4 / 5 = 0.8: hidden); "free" nets 6 (0.67: listed).
    const { texts, sides } = prompts(12, [
      { term: 'feel free', gain: 4 },
      { term: 'feel', gain: 1, loss: 0 },
    ]);
    // Put the extra "free" mentions on prompts after the first four.
    for (const p of [5, 6]) texts[2 * p + 1] += ' free.';
    // "feel" gained on prompt 0 again adds nothing: move it to prompt 7.
    texts[1] = texts[1]!.replace(' feel.', '');
    texts[2 * 7 + 1] += ' feel.';
    expect(termMoves(texts, sides).get('feel')).toEqual({ gained: 5, lost: 0 });
    expect(termMoves(texts, sides).get('free')).toEqual({ gained: 6, lost: 0 });
    const { added } = changedTerms(texts, sides, 8);
    expect(added).toEqual(['free', 'feel free']);
    // One more "feel" (net 6: 4 / 6 < 0.8) and it is listed again.
    texts[2 * 8 + 1] += ' feel.';
    expect(changedTerms(texts, sides, 8).added).toEqual(['feel', 'free', 'feel free']);
  });
});

/** A real change-cluster input: the features and word counts are all featureChangeTable reads. */
function tableInput(
  promptIndex: number[],
  sides: Side[],
  features: ChangeClustersInput['features'],
  wordCounts: number[],
): { input: ChangeClustersInput; sides: PromptSides[] } {
  const design = pairedDesign(promptIndex, sides);
  const input: ChangeClustersInput = {
    design,
    vectors: fromRows(promptIndex.map(() => [1, 0])),
    texts: promptIndex.map(() => 'text'),
    promptIds: ['p0', 'p1'],
    features,
    wordCounts,
  };
  return { input, sides: pairedPromptSides(design) };
}

describe('featureChangeTable', () => {
  it('takes B minus A of each measure per prompt, and the spread of those changes', () => {
    // Prompt 0: A answers 0, 1; B answer 2. Prompt 1: A answer 3; B answer 4.
    const { input, sides } = tableInput(
      [0, 0, 0, 1, 1],
      ['A', 'A', 'B', 'A', 'B'],
      [
        { name: 'lists', values: [0, 2, 3, 0, 0], measure: 'presence' },
        { name: 'hedges', values: [1, 2, 1, 0, 3], measure: 'rate' },
        { name: 'tokens', values: [3, 5, 9, 2, 2], measure: 'length' },
      ],
      [10, 20, 0, 5, 30],
    );
    const [lists, hedges, tokens] = featureChangeTable(input, sides);
    // presence: A (0 + 1) / 2, B 1 -> 0.5; prompt 1: 0 - 0 = 0.
    expect(Array.from(lists!.changes)).toEqual([0.5, 0]);
    expect(lists!.spread).toBeCloseTo(0.25, 12);
    // rate per 100 words: A (10 + 10) / 2, B 0 (no words) -> -10; prompt 1: 10 - 0 = 10.
    expect(Array.from(hedges!.changes)).toEqual([-10, 10]);
    expect(hedges!.spread).toBeCloseTo(10, 12);
    // length as is: 9 - 4 = 5; 2 - 2 = 0.
    expect(Array.from(tokens!.changes)).toEqual([5, 0]);
    expect(tokens!.spread).toBeCloseTo(2.5, 12);
  });
});

const feature = (name: string, changes: number[]): FeatureChanges => {
  const c = Float64Array.from(changes);
  const mean = changes.reduce((s, v) => s + v, 0) / changes.length;
  const spread = Math.sqrt(changes.reduce((s, v) => s + (v - mean) ** 2, 0) / changes.length);
  return { name, changes: c, spread };
};

describe('detectorDeltas', () => {
  it('ranks detectors by their change over the spread, keeps the sign, leaves out one that never moves', () => {
    const table = [
      feature('words', [40, -40, 40, -40]), // delta 40, spread 40: score 1
      feature('lists', [0.5, 0, 0.5, 0]), // delta 0.5, spread 0.25: score 2
      feature('hedges', [-1, 1, -1, 1]), // delta -1, spread 1: score 1 (ties "words": by name)
      feature('emoji', [0.25, -0.75, 0.25, 1.25]), // delta 0.25, spread ~0.71: score ~0.35
      feature('flat', [0, 0, 0, 0]), // never moves: left out
      feature('tiny', [0.2, -1, 0.2, 1]), // delta 0.2, spread ~0.72: score ~0.28, last
    ];
    const out = detectorDeltas(table, [0, 2], 10);
    expect(out.map((d) => d.name)).toEqual(['lists', 'hedges', 'words', 'emoji', 'tiny']);
    expect(out.find((d) => d.name === 'hedges')!.delta).toBe(-1);
    expect(out.find((d) => d.name === 'lists')!.delta).toBe(0.5);
    expect(detectorDeltas(table, [0, 2], 2).map((d) => d.name)).toEqual(['lists', 'hedges']);
  });

  it('lists a change of exactly a quarter of the spread, not less, and never a zero change', () => {
    const quarter = feature('quarter', [1, -1, 0.25, 0.25]);
    const members = [2, 3];
    // Give it a spread of 1 so that its delta, 0.25, is exactly a quarter of it.
    const exact: FeatureChanges = { ...quarter, spread: 1 };
    expect(detectorDeltas([exact], members, 4)).toEqual([{ name: 'quarter', delta: 0.25 }]);
    const under: FeatureChanges = { ...quarter, spread: 1.01 };
    expect(detectorDeltas([under], members, 4)).toEqual([]);
    expect(detectorDeltas([{ ...quarter, spread: 0 }], members, 4)).toEqual([]);
    const zero = feature('zero', [1, -1, 0, 0]);
    expect(detectorDeltas([zero], members, 4)).toEqual([]);
  });
});

describe('differingExcerpts', () => {
  const shared = 'The quick brown fox jumps over the lazy dog. '.repeat(3); // 135 characters

  it('shows the openings when the answers part early', () => {
    const a = 'Hello there, friend. '.repeat(12);
    const b = 'Hi there. '.repeat(20);
    expect(differingExcerpts(a, b)).toEqual({ a: openingLine(a), b: openingLine(b) });
  });

  it('starts both excerpts at a word a little before the answers part (LEAD_IN)', () => {
    const a = `${shared}Alpha ending here.`;
    const b = `${shared}Beta ending there.`;
    const common = shared.length; // "A" vs "B" right after the shared text
    // The word that holds the character 40 before the parting point.
    const start = shared.lastIndexOf(' ', common - 40 - 1) + 1;
    expect(start).toBeGreaterThan(0);
    expect(differingExcerpts(a, b)).toEqual({
      a: `…${a.slice(start)}`,
      b: `…${b.slice(start)}`,
    });
  });

  it('starts at the first character when the lead-in falls in the first word', () => {
    const word = 'y'.repeat(100);
    const a = `${word} same Alpha.`;
    const b = `${word} same Beta.`;
    expect(differingExcerpts(a, b)).toEqual({ a: `…${a}`, b: `…${b}` });
  });

  it('shows a closing appended to an otherwise identical answer', () => {
    const a = shared.trim();
    const b = `${shared}Let me know if you need anything else.`;
    const { a: ea, b: eb } = differingExcerpts(a, b);
    expect(ea.startsWith('…')).toBe(true);
    expect(eb.endsWith('Let me know if you need anything else.')).toBe(true);
    expect(eb.length).toBeLessThan(b.length);
  });

  it('collapses whitespace before comparing, and shows identical answers from the start', () => {
    const spaced = `${shared.replace(/ /g, '  \n')}Alpha.`;
    const excerpt = differingExcerpts(spaced, `${shared}Beta.`);
    expect(excerpt.a.startsWith('…')).toBe(true);
    expect(excerpt.a.endsWith('Alpha.')).toBe(true);
    expect(differingExcerpts(shared, shared)).toEqual({
      a: openingLine(shared),
      b: openingLine(shared),
    });
  });

  it('needs more than half an opening (80 characters) in common to skip the openings', () => {
    const head = 'x'.repeat(79) + ' ';
    expect(head.length).toBe(80);
    const a = `${head}Alpha ${'a'.repeat(200)}`;
    const b = `${head}Beta ${'b'.repeat(200)}`;
    expect(differingExcerpts(a, b)).toEqual({ a: openingLine(a), b: openingLine(b) });
    const a2 = `${head}xAlpha ${'a'.repeat(200)}`;
    const b2 = `${head}xBeta ${'b'.repeat(200)}`;
    expect(differingExcerpts(a2, b2).a.startsWith('…')).toBe(true);
  });
});

describe('describeChangeCluster', () => {
  it('gives the prompts nearest the centre as examples, nearest first, ties by prompt order', () => {
    const added = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet';
    const pairs: [string, string][] = [0, 1, 2, 3].map((p) => [
      `A says ${p}.`,
      `B says ${p}. ${added}`,
    ]);
    const { texts } = onePerSide(pairs);
    const promptIndex = [0, 0, 1, 1, 2, 2, 3, 3];
    const sideList: Side[] = ['A', 'B', 'A', 'B', 'A', 'B', 'A', 'B'];
    const design = pairedDesign(promptIndex, sideList);
    const sides = pairedPromptSides(design);
    const input: ChangeClustersInput = {
      design,
      vectors: fromRows(promptIndex.map(() => [1, 0])),
      texts,
      promptIds: ['p0', 'p1', 'p2', 'p3'],
      features: [],
      wordCounts: promptIndex.map(() => 2),
    };
    const context = {
      input,
      sides,
      // Change rows in 2-D; the centre is (1, 1).
      changes: fromRows([
        [3, 1],
        [1, 1.5],
        [1, 0.5],
        [0, 1],
      ]),
      centres: fromRows([
        [0, 0],
        [1, 1],
      ]),
      featureChanges: ['f1', 'f2', 'f3', 'f4', 'f5']
        .map((name, k) => feature(name, [1 + k, -1 - k, 1 + k, 1 + k, -2]))
        .map((f) => ({ ...f, changes: f.changes.slice(0, 4) })),
      options: { examples: 3 },
    };
    const d = describeChangeCluster(context, 1, [0, 1, 2, 3]);
    expect(d.n).toBe(4);
    expect(d.promptIds).toEqual(['p0', 'p1', 'p2', 'p3']);
    // Squared distances to (1, 1): 4, 0.25, 0.25, 1.
    expect(d.examples.map((e) => e.promptId)).toEqual(['p1', 'p2', 'p3']);
    expect(d.examples[0]).toEqual({ promptId: 'p1', a: 'A says 1.', b: `B says 1. ${added}` });
    // By default 8 terms and 4 detectors at most.
    expect(d.terms.added).toHaveLength(8);
    expect(d.detectors).toHaveLength(4);
    // The same members listed the other way round give the same examples.
    const reversed = describeChangeCluster(context, 1, [3, 2, 1, 0]);
    expect(reversed.examples.map((e) => e.promptId)).toEqual(['p1', 'p2', 'p3']);
    // Measured from centre 0, (0, 0), the order changes: 1, 1.25, 2.25, 10.
    const fromOrigin = describeChangeCluster(context, 0, [0, 1, 2, 3]);
    expect(fromOrigin.examples.map((e) => e.promptId)).toEqual(['p3', 'p2', 'p1']);
  });
});
