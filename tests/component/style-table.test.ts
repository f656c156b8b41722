/**
 * The app's style table: each feature's primary measure in words, share, rate per 100 words and
 * median next to the mean count; a count whose rate moves the other way says so; an analysis
 * saved by result version 1 (counts only) still opens in it and says what it was tested on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import StyleTable from '../../src/components/results/StyleTable.svelte';
import type { AnalysisResult } from '../../src/lib/core/analysis/pipeline';
import { screenAnalyses } from '../../src/lib/core/analysis/result-schema';
import type { FeatureResult } from '../../src/lib/core/compare/result-types';
import type { AnalysisRecord, Answer } from '../../src/lib/core/run/types';
import { asVersion1Result, fakeAnalysisResult } from '../unit/analysis-result-fixture';

const answers = [
  { promptId: 'p1', side: 'A', sample: 0, text: 'I think it might rain.' },
  { promptId: 'p1', side: 'B', sample: 0, text: 'It will rain, perhaps, and then it may snow.' },
] as Answer[];

const hedges: FeatureResult = {
  name: 'hedges',
  meanA: 1.2,
  meanB: 2.9,
  effect: -0.6,
  meanDifference: -1.3,
  pValue: 0.001,
  qValue: 0.002,
  nPairs: 40,
  nZeros: 5,
  test: 'approx',
  measure: 'rate',
  shareA: 0.5,
  shareB: 0.75,
  per100wA: 2.4,
  per100wB: 1.1,
  medianA: 1,
  medianB: 2,
  rateOpposesCount: true,
};
const refusals: FeatureResult = {
  ...hedges,
  name: 'refusals<b>',
  meanA: 0.2,
  meanB: 0.02,
  effect: -0.8,
  test: null,
  measure: 'presence',
  presenceTest: 'mcnemar-exact',
  shareA: 0.2,
  shareB: 0.02,
  per100wA: 0.5,
  per100wB: 0.01,
  medianA: 0,
  medianB: 0,
  rateOpposesCount: false,
};

function resultWith(features: FeatureResult[]): AnalysisResult {
  const result = fakeAnalysisResult(answers);
  result.comparison.features = features;
  return result;
}

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function render(features: readonly FeatureResult[]): HTMLElement {
  const target = document.createElement('div');
  document.body.append(target);
  component = mount(StyleTable, { target, props: { features } });
  flushSync();
  return target;
}

const rows = (target: HTMLElement) =>
  [...target.querySelectorAll('[data-testid="style-row"]')].map((tr) =>
    [...tr.querySelectorAll('td')].map((td) => td.textContent!.replace(/\s+/g, ' ').trim()),
  );

describe('style table', () => {
  it('shows share, rate and median next to the count, and the measure each is tested on', () => {
    const target = render([hedges, refusals]);
    expect(target.querySelector('[data-testid="style-method"]')!.textContent).toMatch(
      /by whether an answer shows it/,
    );
    expect(rows(target)).toEqual([
      [
        'Hedging phrases',
        'per 100 words',
        '2.40 vs 1.10 per 100 words; the count per answer moves the other way (more in B: mean 1.20 → 2.90), from answer length',
        '50.0%',
        '75.0%',
        '2.40',
        '1.10',
        '1.0',
        '2.0',
        '1.20',
        '2.90',
        '-0.60',
        '0.002',
      ],
      [
        'refusals<b>',
        'share of answers',
        "20% of A's answers vs 2% of B's",
        '20.0%',
        '2.0%',
        '0.50',
        '0.01',
        '0.0',
        '0.0',
        '0.20',
        '0.02',
        '-0.80',
        '0.002',
      ],
    ]);
    expect(target.querySelector('[data-testid="style-table"] b')).toBeNull();
  });

  it('opens an analysis saved by result version 1: counts, dashes, and what it was tested on', () => {
    const saved = asVersion1Result(resultWith([hedges]));
    const record = { id: 'an-1', createdAt: '2026-01-01T00:00:00.000Z', result: saved };
    const { kept, dropped } = screenAnalyses([record as AnalysisRecord], new Set(['p1']));
    expect(dropped).toEqual([]);
    const opened = kept[0]!.result as AnalysisResult;
    expect(opened.comparison.features[0]!.measure).toBeUndefined();
    const target = render(opened.comparison.features);
    expect(target.querySelector('[data-testid="style-method"]')!.textContent).toMatch(
      /saved before share and rate.*count per answer/,
    );
    expect(rows(target)).toEqual([
      [
        'Hedging phrases',
        'count per answer',
        'mean 1.20 → 2.90',
        '–',
        '–',
        '–',
        '–',
        '–',
        '–',
        '1.20',
        '2.90',
        '-0.60',
        '0.002',
      ],
    ]);
  });

  it('rejects a saved feature whose share is not a number', () => {
    const broken = resultWith([{ ...hedges, shareA: 'half' as unknown as number }]);
    const record = { id: 'an-2', createdAt: '2026-01-01T00:00:00.000Z', result: broken };
    const { dropped } = screenAnalyses([record as AnalysisRecord], new Set(['p1']));
    expect(dropped[0]?.problem).toMatch(/features\[0\]\.shareA/);
  });
});
