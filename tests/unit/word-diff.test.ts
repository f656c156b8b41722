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

/** LCS length by the plain O(n·m) table, as the reference the diff must reach. */
const lcsLength = (a: readonly string[], b: readonly string[]): number => {
  const row = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    let diag = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = x === b[j - 1] ? diag + 1 : Math.max(up, row[j - 1]!);
      diag = up;
    }
  }
  return row[b.length]!;
};

/** mulberry32: a small seeded generator, so a failing pair can be reproduced from its seed. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const randomPick = (rand: () => number, vocab: readonly string[], maxLength: number) =>
  Array.from(
    { length: Math.floor(rand() * (maxLength + 1)) },
    () => vocab[Math.floor(rand() * vocab.length)]!,
  );
const tokensIn = (segments: DiffSegment[], kind: DiffSegment['kind']) =>
  segments.filter((s) => s.kind === kind).flatMap((s) => diffTokens(s.text));

describe('wordDiff is a minimal diff', () => {
  it('changes exactly |A| + |B| - 2·LCS tokens on random texts with repeated words', () => {
    // Han characters are one token each and have no spaces between them, so no space is
    // absorbed into a change and the count of changed tokens must equal the LCS bound exactly.
    const vocab = ['甲', '乙', '丙', '丁'];
    const rand = seeded(15);
    for (let trial = 0; trial < 400; trial++) {
      const ta = randomPick(rand, vocab, 9);
      const tb = randomPick(rand, vocab, 9);
      const a = ta.join('');
      const b = tb.join('');
      const { segments, granularity } = wordDiff(a, b);
      expect(granularity).toBe('word');
      roundTrips(a, b, segments);
      const changedCount = tokensIn(segments, 'a').length + tokensIn(segments, 'b').length;
      expect(changedCount, `${a} → ${b}`).toBe(ta.length + tb.length - 2 * lcsLength(ta, tb));
    }
  });

  it('rebuilds both texts on random space-separated sentences with repeated words', () => {
    const rand = seeded(42);
    for (let trial = 0; trial < 400; trial++) {
      const a = randomPick(rand, ['a', 'b', 'c'], 8).join(' ');
      const b = randomPick(rand, ['a', 'b', 'c'], 8).join(' ');
      roundTrips(a, b, wordDiff(a, b).segments);
    }
  });

  it('keeps the longest common run when a word moves, rather than whatever matches first', () => {
    expect(wordDiff('a b c d', 'b c d a').segments).toEqual([
      { kind: 'a', text: 'a ' },
      { kind: 'same', text: 'b c d' },
      { kind: 'b', text: ' a' },
    ]);
    expect(wordDiff('b c d a', 'a b c d').segments).toEqual([
      { kind: 'b', text: 'a ' },
      { kind: 'same', text: 'b c d' },
      { kind: 'a', text: ' a' },
    ]);
  });

  it("between equally short diffs, takes A's words out before B's go in", () => {
    // Swapped words: keeping 'q' or keeping 'p' are both minimal; the choice must be stable.
    expect(wordDiff('p q', 'q p').segments).toEqual([
      { kind: 'a', text: 'p ' },
      { kind: 'same', text: 'q' },
      { kind: 'b', text: ' p' },
    ]);
  });

  it('keeps a shared word between two changes as shared, with its spaces', () => {
    expect(wordDiff('p q r s', 'P q R s').segments).toEqual([
      { kind: 'a', text: 'p' },
      { kind: 'b', text: 'P' },
      { kind: 'same', text: ' q ' },
      { kind: 'a', text: 'r' },
      { kind: 'b', text: 'R' },
      { kind: 'same', text: ' s' },
    ]);
  });
});

describe('wordDiff common start and end', () => {
  it('finds a change only at the start, only at the end, or one word in the middle', () => {
    expect(wordDiff('Alpha beta gamma.', 'Delta beta gamma.').segments).toEqual([
      { kind: 'a', text: 'Alpha' },
      { kind: 'b', text: 'Delta' },
      { kind: 'same', text: ' beta gamma.' },
    ]);
    expect(wordDiff('beta gamma alpha', 'beta gamma delta').segments).toEqual([
      { kind: 'same', text: 'beta gamma ' },
      { kind: 'a', text: 'alpha' },
      { kind: 'b', text: 'delta' },
    ]);
    expect(wordDiff('one two three', 'one six three').segments).toEqual([
      { kind: 'same', text: 'one ' },
      { kind: 'a', text: 'two' },
      { kind: 'b', text: 'six' },
      { kind: 'same', text: ' three' },
    ]);
  });

  it('does not let the shared end overlap the shared start when a word between repeats is cut', () => {
    // "x y z" → "x z": the space before and after 'y' are both shared candidates; the common
    // end must stop where the common start ended or B would get a space twice.
    expect(wordDiff('x y z', 'x z').segments).toEqual([
      { kind: 'same', text: 'x ' },
      { kind: 'a', text: 'y ' },
      { kind: 'same', text: 'z' },
    ]);
    expect(wordDiff('x z', 'x y z').segments).toEqual([
      { kind: 'same', text: 'x ' },
      { kind: 'b', text: 'y ' },
      { kind: 'same', text: 'z' },
    ]);
    expect(wordDiff('a b b', 'a b').segments).toEqual([
      { kind: 'same', text: 'a b' },
      { kind: 'a', text: ' b' },
    ]);
  });
});

describe('wordDiff size fallbacks at their limits', () => {
  it('diffs by words up to maxWords changed words a side, counting only the differing middle', () => {
    // Middle: 'p q r' (3 words) against 'x' (1); the shared ', and the long tail' must not count.
    const a = 'start here p q r, and the long tail';
    const b = 'start here x, and the long tail';
    expect(wordDiff(a, b, { maxWords: 2 }).granularity).toBe('line');
    const atCap = wordDiff(a, b, { maxWords: 3 });
    expect(atCap.granularity).toBe('word');
    expect(atCap.segments).toEqual([
      { kind: 'same', text: 'start here ' },
      { kind: 'a', text: 'p q r' },
      { kind: 'b', text: 'x' },
      { kind: 'same', text: ', and the long tail' },
    ]);
    expect(wordDiff(a, b, { maxWords: 4 }).granularity).toBe('word');
  });

  it('counts words, not the spaces between them, against maxWords on either side', () => {
    // Runs of spaces are not words: 'p  q  r' is 3 words however wide its gaps.
    expect(wordDiff('p  q  r', 'x', { maxWords: 3 }).granularity).toBe('word');
    expect(wordDiff('x', 'p  q  r', { maxWords: 3 }).granularity).toBe('word');
    // 4 words with 3 spaces: one word over the cap on A only, then on B only.
    expect(wordDiff('p q r s', 'x', { maxWords: 3 }).granularity).toBe('line');
    expect(wordDiff('x', 'p q r s', { maxWords: 3 }).granularity).toBe('line');
    expect(wordDiff('p q r s', 'x', { maxWords: 4 }).granularity).toBe('word');
    // An empty side past the cap: the line diff must not invent a line for it.
    expect(wordDiff('', 'p q r s', { maxWords: 3 })).toEqual({
      segments: [{ kind: 'b', text: 'p q r s' }],
      granularity: 'line',
    });
  });

  it('diffs by lines up to maxLines changed lines a side, counting only the differing middle', () => {
    const head = 'h1\nh2\n';
    const tail = 't\n';
    const a = `${head}a1\na2\n${tail}`;
    const b = `${head}b1\nb2\n${tail}`;
    // maxWords 0 forces the line attempt: the middle always has at least one word.
    expect(wordDiff(a, b, { maxWords: 0, maxLines: 1 }).granularity).toBe('whole');
    const atCap = wordDiff(a, b, { maxWords: 0, maxLines: 2 });
    expect(atCap.granularity).toBe('line');
    expect(atCap.segments).toEqual([
      { kind: 'same', text: head },
      { kind: 'a', text: 'a1\na2\n' },
      { kind: 'b', text: 'b1\nb2\n' },
      { kind: 'same', text: tail },
    ]);
    expect(wordDiff(a, b, { maxWords: 0, maxLines: 3 }).granularity).toBe('line');
  });

  it('replaces the whole middle when either side is one line over maxLines, keeping shared lines', () => {
    const head = 'h1\nh2\n';
    const tail = 't\n';
    const long = `${head}a1\na2\na3\n${tail}`;
    const short = `${head}b1\n${tail}`;
    const overA = wordDiff(long, short, { maxWords: 0, maxLines: 2 });
    expect(overA.granularity).toBe('whole');
    expect(overA.segments).toEqual([
      { kind: 'same', text: head },
      { kind: 'a', text: 'a1\na2\na3\n' },
      { kind: 'b', text: 'b1\n' },
      { kind: 'same', text: tail },
    ]);
    const overB = wordDiff(short, long, { maxWords: 0, maxLines: 2 });
    expect(overB.granularity).toBe('whole');
    roundTrips(short, long, overB.segments);
    expect(wordDiff(long, short, { maxWords: 0, maxLines: 3 }).granularity).toBe('line');
  });

  it('keeps a shared blank line between changed lines as shared in the line diff', () => {
    // Only the word diff folds lone spaces into changes; a blank line is real shared content.
    const { segments, granularity } = wordDiff('A1\n\nA2\n', 'B1\n\nB2\n', { maxWords: 0 });
    expect(granularity).toBe('line');
    expect(segments).toEqual([
      { kind: 'a', text: 'A1\n' },
      { kind: 'b', text: 'B1\n' },
      { kind: 'same', text: '\n' },
      { kind: 'a', text: 'A2\n' },
      { kind: 'b', text: 'B2\n' },
    ]);
  });

  it('stays minimal past 65,535 tokens on one side, where the table needs 32-bit cells', () => {
    // 32,800 words and their spaces are over 65,535 tokens; with a 3-token B the table is tiny.
    const many = Array.from({ length: 32800 }, (_, i) => `w${i}`).join(' ');
    const { segments, granularity } = wordDiff(`${many} Y`, 'Y Q', { maxWords: 40000 });
    expect(granularity).toBe('word');
    expect(segments).toEqual([
      { kind: 'a', text: `${many} ` },
      { kind: 'same', text: 'Y' },
      { kind: 'b', text: ' Q' },
    ]);
  });
});

describe('diffTokens', () => {
  it('keeps apostrophes and hyphens inside words and puts other punctuation on its own', () => {
    expect(diffTokens("don't re-run it’s, ok?")).toEqual([
      "don't",
      ' ',
      're-run',
      ' ',
      'it’s',
      ',',
      ' ',
      'ok',
      '?',
    ]);
  });

  it('makes each Han, Hiragana and Katakana character its own token', () => {
    expect(diffTokens('漢字とカナ')).toEqual(['漢', '字', 'と', 'カ', 'ナ']);
  });

  it('keeps a run of whitespace as one token', () => {
    expect(diffTokens('a  \n b')).toEqual(['a', '  \n ', 'b']);
  });

  it('folds a wide gap between two replaced words into the change, like a single space', () => {
    expect(wordDiff('a  b', 'c  d').segments).toEqual([
      { kind: 'a', text: 'a  b' },
      { kind: 'b', text: 'c  d' },
    ]);
  });
  it('has no empty segments and keeps every shared tail line when it replaces the whole middle', () => {
    // No shared head: the whole-mode head segment is empty and must be dropped, not kept as ''.
    expect(wordDiff('a1\na2\na3\n', 'b1\n', { maxWords: 0, maxLines: 2 }).segments).toEqual([
      { kind: 'a', text: 'a1\na2\na3\n' },
      { kind: 'b', text: 'b1\n' },
    ]);
    // Two shared tail lines come back exactly as they were, joined with nothing between them.
    const tail = 't1\nt2\n';
    const { segments, granularity } = wordDiff(`a1\na2\na3\n${tail}`, `b1\n${tail}`, {
      maxWords: 0,
      maxLines: 2,
    });
    expect(granularity).toBe('whole');
    expect(segments.at(-1)).toEqual({ kind: 'same', text: tail });
  });

  it('keeps a trailing shared space after a change at the very end as shared', () => {
    // Found by a mutant that read past the last segment when a change ends just before it.
    expect(wordDiff('a ', 'c b c ').segments).toEqual([
      { kind: 'a', text: 'a' },
      { kind: 'b', text: 'c b c' },
      { kind: 'same', text: ' ' },
    ]);
  });

  it('joins a lone shared space into the change that goes on after it', () => {
    expect(wordDiff('a d a a', 'd d d').segments).toEqual([
      { kind: 'a', text: 'a ' },
      { kind: 'same', text: 'd ' },
      { kind: 'a', text: 'a a' },
      { kind: 'b', text: 'd d' },
    ]);
  });
});
