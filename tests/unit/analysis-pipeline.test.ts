import { describe, expect, it } from 'vitest';
import {
  analysisParams,
  embedWithCache,
  hashTexts,
  runAnalysis,
  textHash,
  toReportJson,
  type VectorCache,
} from '../../src/lib/core/analysis';
import { cutTree, wardLinkage } from '../../src/lib/core/cluster';
import type { Answer, EmbeddingRecord, Prompt } from '../../src/lib/core/run/types';
import { createRng } from '../../src/lib/core/vectors/random';

/** Unit vectors around two directions: A answers near e0, B answers split between e0 and e1. */
function shiftedRun(prompts: number, samples: number, shift: number, seed = 3) {
  const gen = createRng(seed);
  const rng = () => gen.next();
  const dims = 16;
  const ps: Prompt[] = Array.from({ length: prompts }, (_, i) => ({
    id: `p${i}`,
    text: `prompt ${i}`,
  }));
  const answers: Answer[] = [];
  const rows: number[][] = [];
  for (const p of ps) {
    for (const side of ['A', 'B'] as const) {
      for (let s = 0; s < samples; s++) {
        const moved = side === 'B' && rng() < shift;
        const v = Array.from({ length: dims }, () => (rng() - 0.5) * 0.3);
        v[moved ? 1 : 0]! += 1;
        const norm = Math.hypot(...v);
        rows.push(v.map((x) => x / norm));
        answers.push({
          promptId: p.id,
          side,
          sample: s,
          text: moved ? 'certainly here is a detailed list' : 'short plain answer',
          finishReason: 'stop',
          createdAt: '2026-01-01T00:00:00Z',
        });
      }
    }
  }
  return {
    prompts: ps,
    answers,
    vectors: { data: Float32Array.from(rows.flat()), rows: rows.length, dims },
  };
}

describe('runAnalysis', () => {
  it('finds a real shift: overall p < 0.01 and a B-leaning cluster with q < 0.05', async () => {
    const input = shiftedRun(30, 2, 0.6);
    const result = await runAnalysis(
      input,
      analysisParams({ k: 2, projection: 'pca', nPermutations: 199 }),
    );
    expect(result.comparison.overall.pValue).toBeLessThan(0.01);
    const bLeaning = result.comparison.clusters.find((c) => c.difference > 0.3);
    expect(bLeaning?.qValue).toBeLessThan(0.05);
    expect(result.projection).toHaveLength(input.answers.length * 2);
    expect(result.labels).toHaveLength(input.answers.length);
    expect(result.n).toEqual({ prompts: 30, answersA: 60, answersB: 60 });
    expect(result.tree?.merges.length).toBe((input.answers.length - 1) * 4);
  });

  it('is reproducible for a seed and reports the chosen k and stability', async () => {
    const input = shiftedRun(20, 2, 0.5);
    const params = analysisParams({ projection: 'umap', nPermutations: 99 });
    const [a, b] = [await runAnalysis(input, params), await runAnalysis(input, params)];
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(a.projection)).toEqual(Array.from(b.projection));
    expect(a.comparison).toEqual(b.comparison);
    expect(a.clustering.k).toBeGreaterThanOrEqual(2);
    expect(a.clustering.silhouettes.length).toBeGreaterThan(0);
    expect(a.clustering.stability?.mean).toBeGreaterThan(0.5);
  });

  it('supports Ward and HDBSCAN', async () => {
    const input = shiftedRun(25, 2, 0.7);
    const ward = await runAnalysis(
      input,
      analysisParams({ clustering: 'ward', k: 2, projection: 'pca', nPermutations: 99 }),
    );
    expect(new Set(ward.labels).size).toBe(2);
    const hdb = await runAnalysis(
      input,
      analysisParams({ clustering: 'hdbscan', projection: 'pca', nPermutations: 99 }),
    );
    expect(hdb.clustering.k).toBeGreaterThanOrEqual(1);
    expect(hdb.clustering.noise).toBe(Array.from(hdb.labels).filter((l) => l < 0).length);
  });

  it("chooses Ward's k as the cut of its tree with the highest silhouette", async () => {
    const input = shiftedRun(25, 2, 0.7);
    const result = await runAnalysis(
      input,
      analysisParams({ clustering: 'ward', k: 'auto', kMin: 2, kMax: 6, projection: 'pca' }),
    );
    const { k, silhouettes, silhouette } = result.clustering;
    expect(silhouettes.map((s) => s.k)).toEqual([2, 3, 4, 5, 6]);
    const best = Math.max(...silhouettes.map((s) => s.silhouette));
    // The smallest k wins a tie.
    expect(k).toBe(silhouettes.find((s) => s.silhouette === best)!.k);
    expect(silhouette).toBe(best);
    // Two directions in the data: two clusters.
    expect(k).toBe(2);
    expect(Array.from(result.labels)).toEqual(Array.from(cutTree(wardLinkage(input.vectors), k)));
  });

  it('rejects mismatched input and honours cancellation', async () => {
    const input = shiftedRun(5, 1, 0.5);
    await expect(
      runAnalysis({ ...input, answers: input.answers.slice(1) }, analysisParams()),
    ).rejects.toThrow(/embedding rows/);
    const abort = new AbortController();
    abort.abort();
    await expect(runAnalysis(input, analysisParams(), { signal: abort.signal })).rejects.toThrow();
  });
});

describe('toReportJson', () => {
  it('follows the REPORT.json contract with prompt texts', async () => {
    const input = shiftedRun(12, 1, 0.6);
    const result = await runAnalysis(
      input,
      analysisParams({ k: 2, projection: 'pca', nPermutations: 99 }),
    );
    const report = toReportJson(result, input.prompts, { timings: { embed: 1 } });
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining([
        'n',
        'overall',
        'clusters',
        'features',
        'words',
        'prompts',
        'timings',
      ]),
    );
    expect(Object.keys(report.overall)).toEqual(['method', 'statistic', 'pValue']);
    for (const c of report.clusters) {
      expect(Object.keys(c)).toEqual(
        expect.arrayContaining([
          'id',
          'size',
          'countA',
          'countB',
          'shareA',
          'shareB',
          'pValue',
          'qValue',
          'terms',
          'exemplars',
        ]),
      );
      expect(c.countA + c.countB).toBe(c.size);
    }
    expect(report.features.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'length_words',
        'list_items',
        'headings',
        'code_blocks',
        'questions',
        'refusals',
        'hedges',
        'first_person',
        'emoji',
        'pushback',
        'ai_disclaimers',
        'repeats_prompt',
        'question_only',
        'very_short',
        'repetition_loops',
        'other_language',
        'paragraphs',
        'bold',
        'tables',
      ]),
    );
    // Every feature gains its measure, share, rate, median and paired counts (nothing removed).
    for (const f of report.features) {
      expect(Object.keys(f)).toEqual(
        expect.arrayContaining([
          ...['name', 'meanA', 'meanB', 'effect', 'pValue', 'qValue', 'measure'],
          ...['shareA', 'shareB', 'per100wA', 'per100wB', 'medianA', 'medianB'],
          ...['nPairs', 'nZeros', 'rateOpposesCount'],
        ]),
      );
      expect(f.shareA).toBeGreaterThanOrEqual(0);
      expect(f.shareB).toBeLessThanOrEqual(1);
      expect(f.nPairs).toBe(report.n.prompts);
    }
    const hedges = report.features.find((f) => f.name === 'hedges')!;
    expect(hedges.measure).toBe('rate');
    expect(report.features.find((f) => f.name === 'refusals')!.measure).toBe('presence');
    expect(report.prompts[0]!.prompt).toMatch(/^prompt \d+$/);
    expect(report.timings.embed).toBe(1);
    expect(report.timings.compare).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe('embedWithCache', () => {
  function fakeEmbedder() {
    const calls: string[][] = [];
    const embed = async (texts: string[]) => {
      calls.push(texts);
      const data = new Float32Array(texts.length * 2);
      texts.forEach((t, i) => data.set([t.length, 1], i * 2));
      return { data, rows: texts.length, dims: 2 };
    };
    return { calls, embed };
  }
  function memoryCache(): VectorCache & { store: Map<string, Float32Array> } {
    const store = new Map<string, Float32Array>();
    return {
      store,
      get: async (id, hashes) =>
        new Map(
          hashes.filter((h) => store.has(`${id}/${h}`)).map((h) => [h, store.get(`${id}/${h}`)!]),
        ),
      put: async (records: EmbeddingRecord[]) =>
        records.forEach((r) => store.set(`${r.embedderId}/${r.textHash}`, r.vector)),
    };
  }

  it('embeds each distinct text once and reads repeats from the cache', async () => {
    const { calls, embed } = fakeEmbedder();
    const cache = memoryCache();
    const first = await embedWithCache(['aa', 'b', 'aa'], 'e1', embed, cache);
    expect(calls).toEqual([['aa', 'b']]);
    expect(Array.from(first.vectors.data)).toEqual([2, 1, 1, 1, 2, 1]);
    expect(first.stats).toEqual({ embedded: 2, cached: 1, imported: 0, rejected: 0 });
    const second = await embedWithCache(['b', 'ccc'], 'e1', embed, cache);
    expect(calls[1]).toEqual(['ccc']);
    expect(second.stats).toEqual({ embedded: 1, cached: 1, imported: 0, rejected: 0 });
    await embedWithCache(['b'], 'other-embedder', embed, cache);
    expect(calls[2]).toEqual(['b']);
  });

  it('hashes text with SHA-256', async () => {
    expect(await textHash('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('hashes many texts in slices, keeping their order', async () => {
    const texts = Array.from({ length: 1234 }, (_, i) => `answer ${i % 1000}`);
    const hashes = await hashTexts(texts);
    expect(hashes).toHaveLength(1234);
    expect(hashes[1001]).toBe(hashes[1]);
    expect(hashes[999]).toBe(await textHash('answer 999'));
    expect(new Set(hashes).size).toBe(1000);
  });
});
