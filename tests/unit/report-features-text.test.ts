import { describe, expect, it } from 'vitest';
import {
  featureFindingText,
  featureMeasureText,
  featureOpposesNote,
} from '../../src/lib/core/report/features-text';

// Mistral-7B-Instruct vs Snorkel-DPO's first person: B's few long answers raise its pooled rate
// (0.57 -> 0.70 per 100 words) while prompt by prompt its rate falls (effect -0.18).
const firstPerson = {
  name: 'first_person',
  meanA: 1.5,
  meanB: 2.9,
  effect: -0.18,
  measure: 'rate' as const,
  per100wA: 0.57,
  per100wB: 0.7,
  rateOpposesCount: true,
};

describe('a rate feature in words', () => {
  it('says which way the paired test went when the pooled rates point the other way', () => {
    expect(featureMeasureText(firstPerson)).toBe(
      "0.57 vs 0.70 per 100 words over all words, but B's rate is lower prompt by prompt",
    );
    expect(featureFindingText(firstPerson, 'First person')).toMatch(/^First person: lower in B/);
  });

  it('gives the pooled rates alone when they agree with the test', () => {
    expect(featureMeasureText({ ...firstPerson, per100wA: 0.7, per100wB: 0.57 })).toBe(
      '0.70 vs 0.57 per 100 words',
    );
    expect(featureMeasureText({ ...firstPerson, effect: 0 })).toBe('0.57 vs 0.70 per 100 words');
  });
});

describe('a count that moves against its rate', () => {
  it('never quotes means that point against the direction it states', () => {
    // tulu-2-dpo-7b vs its ExPO version, paragraphs: the rate falls, the paired count rises,
    // but the mean count falls a little (6.08 -> 5.86).
    const paragraphs = { ...firstPerson, name: 'paragraphs', meanA: 6.08, meanB: 5.86 };
    expect(featureOpposesNote(paragraphs)).toBe(
      'the count per answer moves the other way (more in B prompt by prompt), from answer length',
    );
    expect(featureOpposesNote(firstPerson)).toBe(
      'the count per answer moves the other way (more in B: mean 1.50 → 2.90), from answer length',
    );
  });
});
