import { describe, expect, it } from 'vitest';
import {
  diffSide,
  diffTokens,
  wordDiff,
  type DiffSegment,
} from '../../src/lib/core/text/word-diff';

const roundTrips = (a: string, b: string, segments: DiffSegment[]) => {
  expect(diffSide(segments, 'a')).toBe(a);
  expect(diffSide(segments, 'b')).toBe(b);
};
const changed = (segments: DiffSegment[], kind: 'a' | 'b') =>
  segments.filter((s) => s.kind === kind).map((s) => s.text.trim());

describe('wordDiff', () => {
  it('gives one same segment for identical texts and nothing for two empty ones', () => {
    expect(wordDiff('The cat sat.', 'The cat sat.').segments).toEqual([
      { kind: 'same', text: 'The cat sat.' },
    ]);
    expect(wordDiff('', '').segments).toEqual([]);
  });

  it('marks inserted words as B only', () => {
    const a = 'The cat sat on the mat.';
    const b = 'The black cat sat on the mat.';
    const { segments, granularity } = wordDiff(a, b);
    expect(granularity).toBe('word');
    roundTrips(a, b, segments);
    expect(changed(segments, 'b')).toEqual(['black']);
    expect(changed(segments, 'a')).toEqual([]);
  });

  it('marks deleted words as A only', () => {
    const a = 'I think the answer is 42.';
    const b = 'The answer is 42.';
    const { segments } = wordDiff(a, b);
    roundTrips(a, b, segments);
    expect(changed(segments, 'b')).toEqual(['The']);
    expect(changed(segments, 'a')).toEqual(['I think the']);
  });

  it('shows a replaced phrase as the old words then the new ones, not interleaved', () => {
    const a = 'Paris is the capital of France.';
    const b = 'Lyon was never the capital of France.';
    const { segments } = wordDiff(a, b);
    roundTrips(a, b, segments);
    expect(segments.map((s) => s.kind)).toEqual(['a', 'b', 'same']);
    expect(changed(segments, 'a')).toEqual(['Paris is']);
    expect(changed(segments, 'b')).toEqual(['Lyon was never']);
  });

  it('treats everything as changed when nothing is shared, and handles empty sides', () => {
    roundTrips('alpha beta', 'gamma delta', wordDiff('alpha beta', 'gamma delta').segments);
    expect(wordDiff('', 'new text').segments).toEqual([{ kind: 'b', text: 'new text' }]);
    expect(wordDiff('old text', '').segments).toEqual([{ kind: 'a', text: 'old text' }]);
  });

  it('splits unicode words, emoji and CJK characters without breaking code points', () => {
    expect(diffTokens('naïve café, 東京 😀!')).toEqual([
      'naïve',
      ' ',
      'café',
      ',',
      ' ',
      '東',
      '京',
      ' ',
      '😀',
      '!',
    ]);
    const a = 'Ich möchte einen Kaffee 😀 und 東京へ行く';
    const b = 'Ich möchte einen Tee 😢 und 京都へ行く';
    const { segments } = wordDiff(a, b);
    roundTrips(a, b, segments);
    expect(changed(segments, 'a')).toEqual(['Kaffee 😀', '東']);
    expect(changed(segments, 'b')).toEqual(['Tee 😢', '都']);
  });

  it('keeps whitespace and line breaks exactly', () => {
    const a = 'one\n\n  two\tthree  ';
    const b = 'one\ntwo three four';
    roundTrips(a, b, wordDiff(a, b).segments);
  });

  it('falls back to lines past the word cap, and to one replacement past the line cap', () => {
    const para = (seed: number, n: number) =>
      Array.from({ length: n }, (_, i) => `line ${i} word${(i * seed) % 7}`).join('\n');
    const a = para(3, 40);
    const b = para(5, 40);
    const byWord = wordDiff(a, b);
    expect(byWord.granularity).toBe('word');
    const byLine = wordDiff(a, b, { maxWords: 20 });
    expect(byLine.granularity).toBe('line');
    roundTrips(a, b, byLine.segments);
    // Lines are the unit: every changed segment is made of whole lines.
    for (const s of byLine.segments.filter((s) => s.kind !== 'same')) {
      expect(s.text.startsWith('line ')).toBe(true);
    }
    const whole = wordDiff(a, b, { maxWords: 20, maxLines: 5 });
    expect(whole.granularity).toBe('whole');
    roundTrips(a, b, whole.segments);
  });

  it('only counts the differing middle against the cap', () => {
    const long = Array.from({ length: 3000 }, (_, i) => `w${i}`).join(' ');
    const { segments, granularity } = wordDiff(`${long} old end`, `${long} new end`);
    expect(granularity).toBe('word');
    expect(changed(segments, 'a')).toEqual(['old']);
    expect(changed(segments, 'b')).toEqual(['new']);
  });

  it('diffs 2,000 words a side in reasonable time with the default cap', () => {
    const words = (seed: number) =>
      Array.from({ length: 2000 }, (_, i) => `w${(i * seed) % 97}`).join(' ');
    const a = words(7);
    const b = words(11);
    const { segments, granularity } = wordDiff(a, b);
    expect(granularity).toBe('word');
    roundTrips(a, b, segments);
    expect(wordDiff(`${a} x`, `y ${b}`, { maxWords: 1000 }).granularity).not.toBe('word');
  });
});
