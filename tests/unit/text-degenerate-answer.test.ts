import { describe, expect, it } from 'vitest';
import {
  DEGENERATE_MIN_WORDS,
  degeneration,
  isDegenerateAnswer,
} from '../../src/lib/core/text/degenerate-answer';

const PROSE =
  'Photosynthesis is the process by which green plants use sunlight to turn water and carbon dioxide into glucose and oxygen. It happens mainly in the leaves, inside chloroplasts, where chlorophyll absorbs light. The glucose feeds the plant, and the oxygen is released into the air we breathe.';
const LIST =
  '1. Apples are red or green.\n2. Bananas are yellow when ripe.\n3. Cherries are small and red.\n4. Grapes grow in bunches.\n5. Lemons are sour and yellow.\n6. Oranges are a good source of vitamin C.';

describe('degenerate answers', () => {
  it('one word repeated: a made-up word 1,000 times, or half of the words', () => {
    expect(degeneration(Array.from({ length: 1000 }, () => 'zorblax').join(' '))).toBe('one-token');
    // 10 of 20 words are "the": exactly half.
    const half = `${'the '.repeat(10)}a b c d e f g h i j`;
    expect(degeneration(half)).toBe('one-token');
    // 9 of 20 ("the" spread out so the trigrams stay distinct): not degenerate.
    const under = 'the a the b the c the d the e the f the g the h the i k l';
    expect(under.split(' ')).toHaveLength(20);
    expect(degeneration(under)).toBeNull();
  });

  it('a repetition loop: a sentence said over and over', () => {
    expect(degeneration('I am sorry, I cannot do that. '.repeat(30))).toBe('loop');
    expect(degeneration(`${PROSE} ${'And then the model repeats itself. '.repeat(40)}`)).toBe(
      'loop',
    );
  });

  it('ordinary prose, a list and a short answer are not degenerate', () => {
    expect(degeneration(PROSE)).toBeNull();
    expect(degeneration(LIST)).toBeNull();
    expect(degeneration('no no no no no')).toBeNull();
    expect(isDegenerateAnswer('')).toBe(false);
    expect(isDegenerateAnswer(PROSE)).toBe(false);
    expect(isDegenerateAnswer('hello '.repeat(50))).toBe(true);
  });

  it('needs at least 20 words before calling anything degenerate', () => {
    expect(DEGENERATE_MIN_WORDS).toBe(20);
    expect(degeneration('ha '.repeat(19))).toBeNull();
    expect(degeneration('ha '.repeat(20))).toBe('one-token');
  });

  it('a loop is the repetition_loops detector: a phrase 10 times in a row, not 5', () => {
    // One meaning of "loop" in the report: the detector's (see detectors.ts).
    expect(degeneration('one two three four five six '.repeat(10))).toBe('loop');
    // Five times (30 words) is under both of its thresholds: 10 repeats, or 40 word 4-grams.
    expect(degeneration('one two three four five six '.repeat(5))).toBeNull();
    // A 10-word phrase twice is a repeat, not a loop.
    expect(degeneration('one two three four five six seven eight nine ten '.repeat(2))).toBeNull();
  });

  it("takes the caller's repetition-loop verdict instead of scanning again", () => {
    const loop = 'I am sorry, I cannot do that. '.repeat(30);
    expect(degeneration(loop, false)).toBeNull();
    expect(degeneration(PROSE, true)).toBe('loop');
    expect(isDegenerateAnswer(PROSE, true)).toBe(true);
    // Under the word minimum, or one word dominating, the verdict changes nothing.
    expect(degeneration('no no no', true)).toBeNull();
    expect(degeneration('hello '.repeat(50), false)).toBe('one-token');
  });
});
