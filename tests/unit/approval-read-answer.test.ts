import { describe, expect, it } from 'vitest';
import {
  NO_CONTINUATIONS,
  YES_CONTINUATIONS,
  parseChoice,
  pYesFromScores,
  pYesFromTopLogprobs,
} from '../../src/lib/core/approval';

describe('parseChoice', () => {
  it.each([
    ['Yes.', 'yes'],
    ['Yes', 'yes'],
    ['yes, I would say that.', 'yes'],
    ['YES!', 'yes'],
    ['  \n Yes', 'yes'],
    ['"Yes," I said.', 'yes'],
    ['**Yes** - that is me.', 'yes'],
    ['\u201cNo\u201d', 'no'],
    ['No, because I do not enjoy crosswords.', 'no'],
    ['no', 'no'],
    ['NO.', 'no'],
    ['_No_', 'no'],
    ['No\nI would not.', 'no'],
    ['Yes2', 'yes'],
  ] as const)('reads %j as %s', (text, choice) => {
    expect(parseChoice(text)).toBe(choice);
  });

  it.each([
    'I know that this is true.',
    'As an AI, I do not have preferences.',
    'Yesterday I would have said so.',
    'Nope.',
    'Not really.',
    'None of those.',
    'Answer: Yes',
    'Y',
    '',
    '   ',
    '**',
    'Certainly yes.',
  ])('reads %j as unclear, never as yes or no', (text) => {
    expect(parseChoice(text)).toBe('unclear');
  });
});

describe('pYesFromScores', () => {
  it('is the yes mass over the yes and no mass, from natural-log scores', () => {
    // Yes forms 0.3 + 0.1, no forms 0.2 + 0.2: P(Yes) = 0.4 / 0.8.
    const p = pYesFromScores([Math.log(0.3), Math.log(0.1)], [Math.log(0.2), Math.log(0.2)]);
    expect(p).toBeCloseTo(0.5, 12);
    // By hand: e^-1 / (e^-1 + e^-2) = 1 / (1 + e^-1) = 0.7310585786300049.
    expect(pYesFromScores([-1], [-2])).toBeCloseTo(0.7310585786300049, 12);
  });

  it('stays exact when every score is far below zero (no underflow to 0/0)', () => {
    expect(pYesFromScores([-2000, -2000], [-2001])).toBeCloseTo(2 / (2 + Math.exp(-1)), 12);
  });

  it('leaves out -Infinity and NaN scores, and is null when nothing is left', () => {
    expect(pYesFromScores([-1, -Infinity, NaN], [-1])).toBeCloseTo(0.5, 12);
    expect(pYesFromScores([-Infinity], [-0.5])).toBe(0);
    expect(pYesFromScores([-0.5], [NaN, -Infinity])).toBe(1);
    expect(pYesFromScores([-Infinity, NaN], [-Infinity])).toBeNull();
    expect(pYesFromScores([], [])).toBeNull();
  });

  it('takes the six casings and leading-space forms of each word', () => {
    expect(YES_CONTINUATIONS).toHaveLength(6);
    expect(NO_CONTINUATIONS).toHaveLength(6);
    expect(new Set(YES_CONTINUATIONS.map((t) => t.trim().toLowerCase()))).toEqual(new Set(['yes']));
    expect(new Set(NO_CONTINUATIONS.map((t) => t.trim().toLowerCase()))).toEqual(new Set(['no']));
  });
});

describe('pYesFromTopLogprobs', () => {
  it('sums the yes-ish and no-ish tokens of an OpenAI-style top list', () => {
    const top = [
      { token: 'Yes', logprob: Math.log(0.5) },
      { token: ' yes', logprob: Math.log(0.1) },
      { token: 'No', logprob: Math.log(0.2) },
      { token: 'I', logprob: Math.log(0.15) },
      { token: 'Yeah', logprob: Math.log(0.05) },
    ];
    // (0.5 + 0.1) / (0.5 + 0.1 + 0.2) = 0.75; "I" and "Yeah" are neither.
    expect(pYesFromTopLogprobs(top)).toBeCloseTo(0.75, 12);
  });

  it('counts any casing, surrounding spaces and trailing punctuation, not prefixes', () => {
    const top = [
      { token: 'YES', logprob: Math.log(0.1) },
      { token: ' No.', logprob: Math.log(0.1) },
      { token: 'no,', logprob: Math.log(0.2) },
      { token: 'Y', logprob: Math.log(0.3) },
      { token: 'N', logprob: Math.log(0.3) },
    ];
    expect(pYesFromTopLogprobs(top)).toBeCloseTo(0.25, 12);
  });

  it('is 1 or 0 when only one word appears, and null when neither does', () => {
    expect(pYesFromTopLogprobs([{ token: 'Yes', logprob: -0.1 }])).toBe(1);
    expect(pYesFromTopLogprobs([{ token: ' no', logprob: -3 }])).toBe(0);
    expect(
      pYesFromTopLogprobs([
        { token: 'As', logprob: -0.2 },
        { token: 'I', logprob: -1 },
      ]),
    ).toBeNull();
    expect(pYesFromTopLogprobs([])).toBeNull();
  });
});
