import { describe, expect, it } from 'vitest';
import {
  compareAnswers,
  comparisonInputFromRun,
  type ComparisonInput,
  type ComparisonResult,
} from '../../src/lib/core/compare';
import type { Answer, Prompt } from '../../src/lib/core/run/types';
import { createRng } from '../../src/lib/core/vectors/random';
import { synthetic } from './compare-test-helpers';

/**
 * B refuses the even prompts (refusals embed close together and form their own cluster 3);
 * otherwise both sides answer alike.
 */
function refusalRun(nPrompts = 24): ComparisonInput {
  const s = synthetic({ nPrompts, samples: 3, dims: 8, k: 3, seed: 21 });
  const rng = createRng(5);
  const dims = s.vectors.dims;
  const texts = s.sides.map((side, i) => {
    const p = s.promptIndex[i]!;
    if (side === 'B' && p % 2 === 0) {
      const v = s.vectors.data.subarray(i * dims, (i + 1) * dims);
      for (let d = 0; d < dims; d++) v[d] = (d === 0 ? 1 : 0) + 0.05 * rng.gaussian();
      const norm = Math.hypot(...v);
      for (let d = 0; d < dims; d++) v[d]! /= norm;
      s.labels[i] = 3;
      return `I'm sorry, but I cannot help with request ${p}.`;
    }
    return `Here is a detailed answer about topic ${p}:\n- first point\n- second point\nEnjoy cooking!`;
  });
  return {
    prompts: Array.from({ length: s.nPrompts }, (_, p) => `p${p}`),
    promptIndex: s.promptIndex,
    sides: s.sides,
    labels: s.labels,
    vectors: s.vectors,
    texts,
  };
}

describe('compareAnswers', () => {
  const options = { nPermutations: 499, nBootstrap: 300, seed: 4 };

  it('produces a JSON-safe result in the REPORT.json shape', () => {
    const res: ComparisonResult = compareAnswers(refusalRun(), options);
    const json = JSON.parse(JSON.stringify(res)) as ComparisonResult;
    expect(json).toEqual(res); // nothing lost: no NaN, no typed arrays, no undefined
    expect(Object.keys(res.overall)).toEqual(
      expect.arrayContaining(['method', 'statistic', 'pValue']),
    );
    for (const c of res.clusters) {
      for (const key of [
        'id',
        'size',
        'countA',
        'countB',
        'shareA',
        'shareB',
        'pValue',
        'qValue',
        'terms',
      ]) {
        expect(c).toHaveProperty(key);
      }
      expect(c.exemplars.a.length + c.exemplars.b.length).toBeGreaterThan(0);
    }
    for (const f of res.features) {
      for (const key of ['name', 'meanA', 'meanB', 'effect', 'pValue', 'qValue'])
        expect(f).toHaveProperty(key);
    }
    expect(res.prompts[0]).toHaveProperty('prompt');
    expect(res.prompts[0]).toHaveProperty('divergence');
    expect(res.counts).toEqual({
      answers: 144,
      answersA: 72,
      answersB: 72,
      prompts: 24,
      pairedPrompts: 24,
    });
    expect(res.params.nPermutations).toBe(499);
  });

  it('finds the planted differences', () => {
    const res = compareAnswers(refusalRun(), options);
    expect(res.overall.pValue).toBeLessThan(0.01);
    const refusals = res.features.find((f) => f.name === 'refusals')!;
    expect(refusals.meanA).toBe(0);
    // Refusals mark an answer (0 or 1): B declines on half of its answers.
    expect(refusals.meanB).toBe(0.5);
    expect(refusals.effect).toBe(1);
    expect(refusals.qValue!).toBeLessThan(0.01);
    expect(res.words.moreInB.map((w) => w.term)).toContain('sorry');
    expect(res.words.moreInA.map((w) => w.term)).toContain('cooking');
    // the refusing prompts (even) diverge most; every refusal here is also the same length
    // change (9 words for 14), so the length-adjusted ranking cannot tell them from length and
    // they stand out on the raw divergence only
    const byRaw = [...res.prompts].sort((x, y) => y.divergence - x.divergence);
    const top = byRaw.slice(0, 6).map((p) => Number(p.prompt.slice(1)));
    expect(top.every((p) => p % 2 === 0)).toBe(true);
    const refusing = res.clusters.find((c) => c.id === 3)!;
    expect([refusing.countA, refusing.countB]).toEqual([0, 36]);
    expect(refusing.shareB).toBe(0.5);
    expect(refusing.qValue).toBeLessThan(0.01);
    // prompts are the unit: half of 24 prompts refuse, so the share has sd ~ 0.1 across prompts
    expect(refusing.ciLow!).toBeGreaterThan(0.2);
    expect(refusing.ciHigh!).toBeLessThan(0.8);
    expect(refusing.terms).toEqual(expect.arrayContaining(['sorry', 'cannot', 'help']));
    expect(refusing.exemplars.a).toEqual([]);
    expect(refusing.exemplars.b[0]).toMatch(/^I'm sorry/);
  });

  it('is reproducible and builds its input from run answers', () => {
    const input = refusalRun();
    expect(compareAnswers(input, options)).toEqual(compareAnswers(input, options));
    const prompts: Prompt[] = input.prompts.map((id) => ({ id, text: id }));
    const answers: Answer[] = input.texts.map((text, i) => ({
      promptId: input.prompts[input.promptIndex[i]!]!,
      side: input.sides[i]!,
      sample: 0,
      text,
      finishReason: 'stop',
      createdAt: '2025-01-01T00:00:00.000Z',
    }));
    const fromRun = comparisonInputFromRun(prompts, answers, input.labels, input.vectors);
    expect(Array.from(fromRun.promptIndex)).toEqual(Array.from(input.promptIndex));
    expect(() =>
      comparisonInputFromRun(prompts.slice(1), answers, input.labels, input.vectors),
    ).toThrow(/unknown prompt id "p0"/);
    expect(() => compareAnswers({ ...input, texts: input.texts.slice(1) })).toThrow(/143 texts/);
  });

  it('fills openings, closings, clusters of change and categories from the same input', () => {
    // 48 prompts: clusters of change need 20 prompts whose answers changed (the 24 even ones).
    const input = refusalRun(48);
    // The refusals are all in the even prompts: call them one category, the rest another.
    const promptCategories = input.prompts.map((_, p) => (p % 2 === 0 ? 'coding' : 'writing'));
    const res = compareAnswers({ ...input, promptCategories }, options);

    const opening = res.openings?.moreInB[0];
    expect(opening).toMatchObject({ text: "i'm sorry but", countA: 0, countB: 72 });
    expect(opening!.qValue).toBeLessThan(0.05);
    expect(res.closings).not.toBeNull();

    // 24 of the 48 prompts changed, all the same way (B declines): the significant kinds of
    // change hold those prompts and say that B adds the refusal's words.
    expect(res.changes).not.toBeNull();
    const found = res.changes!.clusters.filter((c) => c.qValue !== null && c.qValue < 0.05);
    expect(found.length).toBeGreaterThan(0);
    for (const c of found) {
      expect(c.promptIds.every((id) => Number(id.slice(1)) % 2 === 0)).toBe(true);
      expect(c.terms.added).toContain('sorry');
    }
    expect(found.reduce((n, c) => n + c.n, 0)).toBeGreaterThanOrEqual(0.8 * 24);

    expect(res.categories?.map((c) => c.name)).toEqual(['coding', 'writing']);
    const refusalsIn = (name: string) =>
      res.categories!.find((c) => c.name === name)!.features.find((f) => f.name === 'refusals')!;
    expect(refusalsIn('coding')).toMatchObject({ shareA: 0, shareB: 1 });
    expect(refusalsIn('coding').qValue).toBeLessThan(0.05);
    expect(refusalsIn('writing')).toMatchObject({ shareA: 0, shareB: 0 });

    // Without categories there is no per-category section.
    expect(compareAnswers(input, options).categories).toBeNull();
  });
});
