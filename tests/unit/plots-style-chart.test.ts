import { describe, expect, it } from 'vitest';
import type { FeatureResult } from '../../src/lib/core/compare/result-types';
import { QUIET_COLOUR } from '../../src/lib/plots/cluster-bars';
import {
  featureEffectTraces,
  featureLabel,
  featureSignificant,
} from '../../src/lib/plots/style-chart';
import { DEFAULT_THEME } from '../../src/lib/plots/theme';

const feature = (
  name: string,
  effect: number | null,
  qValue: number | null,
  means: [number, number] = [1, 2],
): FeatureResult => ({
  name,
  meanA: means[0],
  meanB: means[1],
  effect,
  meanDifference: effect,
  pValue: qValue,
  qValue,
  nPairs: 10,
  nZeros: 0,
  test: effect === null ? null : 'exact',
});

describe('style chart', () => {
  const features = [
    feature('length', 0.8, 0.0004, [120, 310]),
    feature('questions', -0.6, 0.02, [0.5, 0.1]),
    feature('<b>bold</b>', 0.3, 0.4),
    feature('emoji', null, null),
    feature('lists', -0.1, 0.9),
  ];
  const [trace] = featureEffectTraces(features, DEFAULT_THEME);

  it('plots each computable effect, most A-leaning at the bottom', () => {
    expect(trace!.type).toBe('bar');
    expect(trace!.orientation).toBe('h');
    expect(trace!.x).toEqual([-0.6, -0.1, 0.3, 0.8]);
    expect(trace!.customdata).toEqual(['questions', 'lists', '<b>bold</b>', 'length']);
  });
  it('colours significant features by the side they lean to, others grey', () => {
    expect((trace!.marker as { color: string[] }).color).toEqual([
      DEFAULT_THEME.sideA,
      QUIET_COLOUR,
      QUIET_COLOUR,
      DEFAULT_THEME.sideB,
    ]);
    expect(featureSignificant({ qValue: 0.049 })).toBe(true);
    expect(featureSignificant({ qValue: 0.05 })).toBe(false);
    expect(featureSignificant({ qValue: null })).toBe(false);
  });
  it('puts the q-value in the label and the means and q in the hover', () => {
    expect(trace!.y).toEqual([
      'Questions asked (q = 0.020)',
      'lists (q = 0.900)',
      '&lt;b&gt;bold&lt;/b&gt; (q = 0.400)',
      'length (q = 4.0e-4)',
    ]);
    const hover = trace!.hovertext as string[];
    expect(hover[3]).toContain('mean A 120 → mean B 310');
    expect(hover[3]).toContain('q = 4.0e-4 · significant');
    expect(hover[3]).toContain('higher in B');
    expect(hover[0]).toContain('mean A 0.50 → mean B 0.10');
    expect(hover[0]).toContain('higher in A');
    expect(hover[1]).not.toContain('significant');
  });
  it('escapes feature names in labels and hovers', () => {
    expect(featureLabel({ name: 'a<b>&c', qValue: null })).toBe('a&lt;b&gt;&amp;c (q = –)');
    expect((trace!.hovertext as string[])[2]).toContain('<b>&lt;b&gt;bold&lt;/b&gt;</b>');
  });
  it('hovers the primary measure, share, rate and median, and marks a rate against its count', () => {
    const hedges: FeatureResult = {
      ...feature('hedges', -0.5, 0.001, [1.2, 2.9]),
      measure: 'rate',
      shareA: 0.5,
      shareB: 0.75,
      per100wA: 2.4,
      per100wB: 1.1,
      medianA: 1,
      medianB: 2,
      rateOpposesCount: true,
    };
    const [t] = featureEffectTraces([hedges], DEFAULT_THEME);
    expect(t!.y).toEqual(['Hedging phrases ⇄ count (q = 0.001)']);
    const hover = (t!.hovertext as string[])[0]!;
    expect(hover).toContain('tested on per 100 words: 2.40 vs 1.10 per 100 words');
    expect(hover).toContain("in 50.0% of A's answers vs 75.0% of B's");
    expect(hover).toContain('median A 1.00 → median B 2.00');
    expect(hover).toContain('the count per answer moves the other way (more in B');
    expect(hover).toContain('higher in A');
    // Saved before share and rate (version 1): says what it was tested on.
    expect((trace!.hovertext as string[])[0]).toContain('tested on the count per answer');
  });
  it('draws nothing when no effect is computable', () => {
    expect(featureEffectTraces([feature('x', null, null)], DEFAULT_THEME)).toEqual([]);
  });
});
