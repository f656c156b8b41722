/** A fixed REPORT.json for the report, CSV and teaching tests, with hostile model text in it. */
import type { ReportJson } from '../../src/lib/core/analysis/report-json';

/** Text that would run script if it ever reached a page unescaped. */
export const HOSTILE_IMG = '<img src=x onerror="alert(1)">';
/** A script tag as a model might write it. */
export const HOSTILE_SCRIPT = '<script>alert("pwned")</script>';

/** A small, fully specified report; `overrides` replace top-level fields. */
export function fixedReport(overrides: Partial<ReportJson> = {}): ReportJson {
  return {
    n: { prompts: 805, answersA: 805, answersB: 805 },
    overall: { method: 'energy', statistic: 0.01284, pValue: 0.001 },
    clusters: [
      {
        id: 0,
        size: 900,
        countA: 500,
        countB: 400,
        shareA: 500 / 805,
        shareB: 400 / 805,
        difference: -100 / 805,
        ciLow: -0.16,
        ciHigh: -0.09,
        pValue: 0.001,
        qValue: 0.002,
        terms: ['recipe', 'cups', 'a|b'],
        noise: false,
        contrastTerms: { a: ['flour'], b: [] },
        degenerate: 0,
        exemplars: { a: ['Mix two cups of flour.'], b: [HOSTILE_IMG] },
      },
      {
        id: 1,
        size: 710,
        countA: 305,
        countB: 405,
        shareA: 305 / 805,
        shareB: 405 / 805,
        difference: 100 / 805,
        ciLow: 0.09,
        ciHigh: 0.16,
        pValue: 0.4,
        qValue: 0.4,
        terms: ['code', HOSTILE_SCRIPT],
        noise: false,
        contrastTerms: { a: [], b: [HOSTILE_IMG] },
        degenerate: 1,
        exemplars: { a: [], b: ['Here is "quoted", text,\nwith a comma'] },
      },
    ],
    features: [
      {
        name: 'length_tokens',
        meanA: 120.5,
        meanB: 180.25,
        effect: 0.42,
        pValue: 0.0001,
        qValue: 0.0002,
      },
      { name: 'emoji', meanA: 0, meanB: 0, effect: null, pValue: null, qValue: null },
      { name: 'questions', meanA: 0.2, meanB: 0.25, effect: 0.05, pValue: 0.3, qValue: 0.45 },
    ],
    words: {
      test: 'mcnemar-exact',
      tested: 80,
      moreInA: [{ term: 'certainly', z: -4.2, countA: 31, countB: 4, qValue: 0.0003 }],
      moreInB: [{ term: HOSTILE_IMG, z: 5.1, countA: 4, countB: 123, qValue: 1.2e-6 }],
    },
    prompts: [
      {
        prompt: `What is ${HOSTILE_SCRIPT}? | pipe`,
        promptId: 'p1',
        divergence: 0.321,
        lengthRatio: 1.02,
        divergenceAdjusted: 0.187,
        answers: { a: `It is ${HOSTILE_IMG} | a tag`, b: 'I cannot help with that.' },
      },
      {
        prompt: 'Name a colour.',
        promptId: 'p2',
        divergence: 0.612,
        lengthRatio: 24.5,
        divergenceAdjusted: 0.012,
        answers: { a: 'Red.', b: 'Certainly! Here are some colours, each with a short history…' },
      },
    ],
    clusterQuality: {
      silhouette: 0.08,
      stabilityAri: 0.61,
      noise: 0,
      warning:
        'Weak clusters (silhouette 0.08 < 0.2, stability ARI 0.61 < 0.7): answers do not form distinct groups; read the features and words first.',
    },
    assignments: [
      {
        promptId: 'p1',
        prompt: `What is ${HOSTILE_SCRIPT}? | pipe`,
        side: 'A',
        sample: 0,
        cluster: 0,
      },
      {
        promptId: 'p1',
        prompt: `What is ${HOSTILE_SCRIPT}? | pipe`,
        side: 'B',
        sample: 0,
        cluster: 1,
      },
    ],
    timings: { project: 1.5 },
    params: {
      embedderId: 'transformers:bundled-embedder',
      embedInput: 'answer',
      projection: 'umap',
      clustering: 'kmeans',
      k: 'auto',
      kMin: 2,
      kMax: 12,
      minClusterSize: 'auto',
      seed: 4242,
      nPermutations: 999,
      stabilitySeeds: 2,
      kChosen: 2,
    },
    models: { A: 'base <b>model</b>', B: 'tuned & "better"' },
    notes: ['Embedded with the bundled embedder: word-based, blind to <negation>.'],
    ...overrides,
  };
}
