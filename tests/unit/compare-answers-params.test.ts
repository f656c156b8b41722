import { describe, expect, it } from 'vitest';
import {
  compareAnswers,
  comparisonInputFromRun,
  type ComparisonInput,
} from '../../src/lib/core/compare/compare';
import { pairedDesign } from '../../src/lib/core/compare/design';
import { energyTest } from '../../src/lib/core/compare/energy';
import { distinctiveTerms } from '../../src/lib/core/text/log-odds';
import type { Answer, Prompt, Side } from '../../src/lib/core/run/types';
import { selectRows } from '../../src/lib/core/vectors/matrix';
import { synthetic } from './compare-test-helpers';

const PAIRED = 20;
const promptText = (p: number) => `Explain why the sky looks blue at noon, question ${p}`;

/**
 * 20 paired prompts (2 answers a side), then one prompt answered by A only and one by B only.
 * B repeats the prompt and says "delightful"; A says "scattering"; every third answer is noise
 * (label -1) and says "zzznoise"; one A answer is a repetition loop.
 */
function fixture(shift = 1.2): ComparisonInput {
  const s = synthetic({ nPrompts: PAIRED, samples: 2, dims: 8, seed: 11, shift, k: 3 });
  const promptIndex = [...s.promptIndex, PAIRED, PAIRED, PAIRED + 1, PAIRED + 1];
  const sides: Side[] = [...s.sides, 'A', 'A', 'B', 'B'];
  const n = promptIndex.length;
  const vectors = selectRows(s.vectors, [...Array(s.promptIndex.length).keys(), 0, 1, 2, 3]);
  const sample = new Map<string, number>();
  const texts = promptIndex.map((p, i) => {
    const key = `${p}${sides[i]}`;
    const k = sample.get(key) ?? 0;
    sample.set(key, k + 1);
    if (p === 5 && sides[i] === 'A' && k === 0) return 'again '.repeat(300).trim();
    const noise = i % 3 === 0 ? ' Zzznoise quuxnoise zzznoise.' : '';
    return sides[i] === 'A'
      ? `Sure. The sky is blue because of scattering, part ${p} case ${k}. ${k ? 'Light bends here.' : 'Dust also matters.'}${noise}`
      : `${promptText(p)}. Certainly, a delightful answer for part ${p} case ${k}. ${p % 3 === 0 ? 'Hope this helps.' : 'Thanks for asking.'}${noise}`;
  });
  const labels = Int32Array.from({ length: n }, (_, i) =>
    i % 3 === 0 ? -1 : i < s.labels.length ? s.labels[i]! : 0,
  );
  return {
    prompts: Array.from({ length: PAIRED + 2 }, (_, p) => `p${p}`),
    promptIndex,
    sides,
    labels,
    vectors,
    texts,
    promptTexts: Array.from({ length: PAIRED + 2 }, (_, p) => promptText(p)),
    promptCategories: Array.from({ length: PAIRED + 2 }, (_, p) => (p % 2 ? 'math' : 'writing')),
  };
}

/**
 * Every permutation p-value of a result (with two samples a side, the presence tests permute
 * too): energy, clusters, words, openings and closings, presence features and changes.
 */
function permutationPValues(r: ReturnType<typeof compareAnswers>): (number | null)[] {
  const presence = (f: { measure?: string }) => f.measure === 'presence';
  const presenceNames = new Set(r.features.filter(presence).map((f) => f.name));
  const ps = [
    r.overall.pValue,
    ...r.clusters.map((c) => c.pValue),
    ...[...r.words.moreInA, ...r.words.moreInB].map((w) => w.pValue),
    ...[r.openings, r.closings].flatMap((t) =>
      t ? [...t.moreInA, ...t.moreInB].map((w) => w.pValue) : [],
    ),
    ...r.features.filter(presence).map((f) => f.pValue),
    ...(r.categories ?? []).flatMap((c) =>
      c.features.filter((f) => presenceNames.has(f.name)).map((f) => f.pValue),
    ),
    ...(r.changes?.clusters ?? []).map((c) => c.pValue),
  ];
  return ps;
}

const onGrid = (p: number, n: number) => Math.abs(p * (n + 1) - Math.round(p * (n + 1))) < 1e-6;

describe('compareAnswers parameters and stages', () => {
  const input = fixture();

  it('reports every stage once, in order', () => {
    const stages: string[] = [];
    compareAnswers(input, { nPermutations: 9, onStage: (s) => stages.push(s) });
    expect(stages).toEqual([
      'clusters',
      'energy',
      'prompts',
      'words',
      'features',
      'changes',
      'describe',
    ]);
  });

  it('names the counts when vectors, labels or texts do not match the answers', () => {
    const n = input.texts.length;
    expect(() =>
      compareAnswers({ ...input, vectors: selectRows(input.vectors, [...Array(n - 1).keys()]) }),
    ).toThrow(`compareAnswers: ${n} answers but ${n - 1} vectors, ${n} labels, ${n} texts`);
    expect(() => compareAnswers({ ...input, labels: Array.from(input.labels).slice(1) })).toThrow(
      `compareAnswers: ${n} answers but ${n} vectors, ${n - 1} labels, ${n} texts`,
    );
    expect(() => compareAnswers({ ...input, texts: input.texts.slice(1) })).toThrow(
      `compareAnswers: ${n} answers but ${n} vectors, ${n} labels, ${n - 1} texts`,
    );
    const allA = { ...input, sides: Array.from(input.sides, (): Side => 'A') };
    expect(() => compareAnswers(allA)).toThrow('compareAnswers: needs answers from both A and B');
  });

  it('passes nPermutations to every permutation test (p-values on the 1/(N+1) grid)', () => {
    for (const nPermutations of [19, 29]) {
      const r = compareAnswers(input, { nPermutations, seed: 3 });
      expect(r.overall.nPermutations).toBe(nPermutations);
      expect(r.params.nPermutations).toBe(nPermutations);
      expect(r.words.test).toBe('permutation');
      expect(r.categories?.length).toBe(2);
      const ps = permutationPValues(r).filter((p): p is number => p !== null);
      expect(ps.some((p) => p < 1)).toBe(true);
      for (const p of ps) {
        expect(p).toBeGreaterThanOrEqual(1 / (nPermutations + 1));
        expect(onGrid(p, nPermutations)).toBe(true);
      }
    }
  });

  it('is reproducible from its seed, and the seed changes the permutation p-values', () => {
    // No shift between the sides' vectors, so the p-values are not all at their floor.
    const input = fixture(0);
    const a = compareAnswers(input, { nPermutations: 49, seed: 7 });
    expect(compareAnswers(input, { nPermutations: 49, seed: 7 })).toEqual(a);
    expect(compareAnswers(input, { nPermutations: 49 })).toEqual(
      compareAnswers(input, { nPermutations: 49, seed: 1 }),
    );
    const others = [8, 9, 10].map((seed) => compareAnswers(input, { nPermutations: 49, seed }));
    expect(others.some((o) => o.overall.pValue !== a.overall.pValue)).toBe(true);
    expect(
      others.some(
        (o) => JSON.stringify(permutationPValues(o)) !== JSON.stringify(permutationPValues(a)),
      ),
    ).toBe(true);
  });

  it('gives the overall test the metric and cap asked for', () => {
    const r = compareAnswers(input, {
      nPermutations: 9,
      energyMetric: 'cosine',
      energyMaxAnswers: 20,
    });
    expect(r.overall.metric).toBe('cosine');
    expect(r.overall.subsampled).toBe(true);
    expect(r.overall.nAnswers).toBeLessThanOrEqual(20);
    // The energy statistic on every answer does not depend on the permutations.
    const design = pairedDesign(input.promptIndex, input.sides, input.prompts.length);
    const full = compareAnswers(input, { nPermutations: 9 });
    expect(full.overall.statistic).toBeCloseTo(
      energyTest(input.vectors, design, { nPermutations: 9 }).statistic,
      9,
    );
  });

  it('lists the per-token log-odds words of each side with their sign', () => {
    const options = { priorScale: 0.5, minWordCount: 4, topWords: 5 };
    const r = compareAnswers(input, { nPermutations: 9, ...options });
    const textsA = input.texts.filter((_, i) => input.sides[i] === 'A');
    const textsB = input.texts.filter((_, i) => input.sides[i] === 'B');
    expect(r.wordsLogOdds).toEqual(
      distinctiveTerms(textsA, textsB, { priorScale: 0.5, minCount: 4, topK: 5 }),
    );
    const logOdds = r.wordsLogOdds!;
    expect(logOdds.moreInB.length).toBe(5);
    expect(logOdds.moreInB.map((w) => w.term)).toContain('delightful');
    expect(logOdds.moreInA.map((w) => w.term)).toContain('scattering');
    for (const w of logOdds.moreInB) expect(w.z).toBeGreaterThan(0);
    for (const w of logOdds.moreInA) expect(w.z).toBeLessThan(0);
  });

  it('tests an extra feature on its values, as length', () => {
    const values = Array.from(input.sides, (s, i) => (s === 'B' ? 10 + (i % 3) : 2));
    const r = compareAnswers(input, {
      nPermutations: 9,
      extraFeatures: [{ name: 'tool_calls', values }],
    });
    const row = r.features.find((f) => f.name === 'tool_calls');
    expect(row?.measure).toBe('length');
    expect(row!.meanA).toBeCloseTo(2, 9);
    expect(row!.meanB).toBeGreaterThan(10);
  });

  it('lets the prompt texts reach repeats_prompt', () => {
    const withPrompts = compareAnswers(input, { nPermutations: 9 });
    const repeats = withPrompts.features.find((f) => f.name === 'repeats_prompt')!;
    expect(repeats.shareA).toBe(0);
    expect(repeats.shareB).toBe(1);
    const { promptTexts: _unused, ...withoutPromptTexts } = input;
    const without = compareAnswers(withoutPromptTexts, { nPermutations: 9 });
    expect(without.features.find((f) => f.name === 'repeats_prompt')!.shareB).toBe(0);
  });

  it("keeps noise answers out of every cluster's terms", () => {
    const r = compareAnswers(input, { nPermutations: 9 });
    expect(r.clusters.some((c) => c.terms.length > 2)).toBe(true);
    for (const c of r.clusters) {
      expect(c.terms.filter((t) => /zzznoise|quuxnoise/.test(t))).toEqual([]);
    }
  });

  it('keeps the repetition loop out of the cluster examples and sizes terms and examples', () => {
    const r = compareAnswers(input, { nPermutations: 9, topTerms: 2, exemplarsPerSide: 1 });
    expect(r.clusters.reduce((s, c) => s + (c.degenerate ?? 0), 0)).toBe(1);
    for (const c of r.clusters) {
      expect(c.terms.length).toBeLessThanOrEqual(2);
      expect(c.exemplars.a.length).toBeLessThanOrEqual(1);
      expect(c.exemplars.b.length).toBeLessThanOrEqual(1);
      for (const t of [...c.exemplars.a, ...c.exemplars.b]) expect(t).not.toMatch(/^again again/);
    }
  });

  it('counts only prompts answered by both sides as paired', () => {
    const r = compareAnswers(input, { nPermutations: 9 });
    expect(r.counts).toEqual({
      answers: input.texts.length,
      answersA: PAIRED * 2 + 2,
      answersB: PAIRED * 2 + 2,
      prompts: PAIRED + 2,
      pairedPrompts: PAIRED,
    });
  });

  it('takes the prompt texts and categories from the run', () => {
    const prompts: Prompt[] = Array.from({ length: 24 }, (_, p) => ({
      id: `q${p}`,
      text: promptText(p),
      category: p < 12 ? 'math' : 'writing',
    }));
    const s = synthetic({ nPrompts: 24, samples: 1, dims: 6, seed: 2, shift: 1 });
    const answers: Answer[] = Array.from(s.promptIndex, (p, i) => ({
      promptId: `q${p}`,
      side: s.sides[i]!,
      sample: 0,
      text: s.sides[i] === 'B' ? `${promptText(p)}. Indeed.` : 'No idea, sorry about that.',
      finishReason: 'stop',
      createdAt: '2026-01-01T00:00:00Z',
    }));
    const fromRun = comparisonInputFromRun(prompts, answers, s.labels, s.vectors);
    expect(fromRun.promptTexts).toEqual(prompts.map((p) => p.text));
    expect(fromRun.promptCategories).toEqual(prompts.map((p) => p.category));
    const r = compareAnswers(fromRun, { nPermutations: 9 });
    expect(r.features.find((f) => f.name === 'repeats_prompt')!.shareB).toBe(1);
    expect(r.categories?.map((c) => c.name).sort()).toEqual(['math', 'writing']);
  });
});
