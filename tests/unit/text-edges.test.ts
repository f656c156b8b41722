import { describe, expect, it } from 'vitest';
import { ctfidfFromCounts, ctfidfTopTerms } from '../../src/lib/core/text/ctfidf';
import {
  distinctiveTerms,
  logOddsFromCounts,
  topByDirection,
  type LogOddsTerm,
} from '../../src/lib/core/text/log-odds';
import { styleFeatures } from '../../src/lib/core/text/style-features';
import { normalizeText, segmentWords, terms, words } from '../../src/lib/core/text/tokenize';

// Edge cases of core/text that mutation testing (npm run test:mutation) found untested.

describe('c-TF-IDF edges', () => {
  it('breaks score ties alphabetically whatever the order terms were counted in', () => {
    // zeta and alpha both occur once in class 0 and nowhere else, so tf, f_t and the weight are
    // equal: only the tie-break can order them.
    const counts = [
      new Map([
        ['zeta', 1],
        ['alpha', 1],
      ]),
      new Map([['other', 2]]),
    ];
    expect(ctfidfFromCounts(counts)[0]!.map((t) => t.term)).toEqual(['alpha', 'zeta']);
    expect(ctfidfFromCounts(counts, 1)[0]!.map((t) => t.term)).toEqual(['alpha']);
  });

  it('scores single words without stop words by default; both are options', () => {
    const texts = [
      'the python code and the python function',
      'python code with the function',
      'the sea and the moon',
      'the moon over the sea',
    ];
    const classes = [0, 0, 1, 1];
    const byDefault = ctfidfTopTerms(texts, classes, 2, { topK: 100 }).flat();
    expect(byDefault.some((t) => t.term.includes(' '))).toBe(false);
    expect(byDefault.some((t) => t.term === 'the' || t.term === 'and')).toBe(false);
    expect(byDefault.map((t) => t.term)).toContain('python');

    const withBigrams = ctfidfTopTerms(texts, classes, 2, { topK: 100, ngrams: 'both' }).flat();
    expect(withBigrams.map((t) => t.term)).toContain('python code');
    const withStopWords = ctfidfTopTerms(texts, classes, 2, {
      topK: 100,
      removeStopWords: false,
    }).flat();
    expect(withStopWords.map((t) => t.term)).toContain('the');
  });

  it('says how many labels and texts it got when they differ', () => {
    expect(() => ctfidfTopTerms(['a b', 'c d'], [0], 1)).toThrow(
      'ctfidfTopTerms: 1 class labels for 2 texts',
    );
  });
});

describe('style feature phrases', () => {
  const hedges = [
    'It might rain.',
    'It may rain.',
    'Perhaps it rains.',
    'It possibly rains.',
    'It probably rains.',
    'Rain is likely.',
    'Rain is unlikely.',
    'Maybe it rains.',
    'It could be rain.',
    'It seems wet.',
    'The sky seems to darken.',
    'The sky appears to darken.',
    'I think so.',
    'I believe so.',
    'I guess so.',
    'I suspect so.',
    'Rain is generally wet.',
    'Rain is typically wet.',
    'Rain is usually wet.',
    'Rain is often wet.',
    'Rain is somewhat wet.',
    'Rain is arguably wet.',
    'Rain is presumably wet.',
    'It depends on the sky.',
    'Not sure about rain.',
    'Rain is uncertain.',
    'Roughly ten drops.',
    'Approximately ten drops.',
    'Rain falls in some cases.',
    'Rain is wet to some extent.',
  ];

  it('counts each hedging phrase once', () => {
    for (const sentence of hedges) {
      expect({ sentence, hedges: styleFeatures(sentence).hedges }).toEqual({ sentence, hedges: 1 });
    }
  });
});

describe('log-odds edges', () => {
  const scoredTerm = (term: string, z: number): LogOddsTerm => ({
    term,
    z,
    delta: z / 2,
    countA: 1,
    countB: 1,
  });

  it('splits by the sign of z, strongest first, ties by term, z = 0 in neither list', () => {
    const scored = [
      scoredTerm('flat', 0),
      scoredTerm('b-weak', 0.5),
      scoredTerm('a-weak', -0.5),
      scoredTerm('b-zeta', 2),
      scoredTerm('b-alpha', 2),
      scoredTerm('a-zeta', -2),
      scoredTerm('a-alpha', -2),
      scoredTerm('b-strong', 3),
      scoredTerm('a-strong', -3),
    ];
    const all = topByDirection(scored, 10);
    expect(all.moreInB.map((t) => t.term)).toEqual(['b-strong', 'b-alpha', 'b-zeta', 'b-weak']);
    expect(all.moreInA.map((t) => t.term)).toEqual(['a-strong', 'a-alpha', 'a-zeta', 'a-weak']);
    const top2 = topByDirection([...scored].reverse(), 2);
    expect(top2.moreInB.map((t) => t.term)).toEqual(['b-strong', 'b-alpha']);
    expect(top2.moreInA.map((t) => t.term)).toEqual(['a-strong', 'a-alpha']);
  });

  it('ranks terms seen at least minCount times over both sides (default: every term)', () => {
    const countsA = new Map([
      ['once', 1],
      ['twice', 1],
      ['thrice', 2],
    ]);
    const countsB = new Map([
      ['twice', 1],
      ['thrice', 1],
    ]);
    const termsOf = (minCount?: number) =>
      logOddsFromCounts(countsA, countsB, minCount === undefined ? {} : { minCount })
        .map((t) => t.term)
        .sort();
    expect(termsOf()).toEqual(['once', 'thrice', 'twice']);
    expect(termsOf(2)).toEqual(['thrice', 'twice']);
    expect(termsOf(3)).toEqual(['thrice']);
  });

  it('distinctiveTerms: passes its prior scale on, and by default ranks terms seen 3+ times', () => {
    // Unigram counts: A {cat 2, dog 1}, B {dog 3, fish 1}: nA = 3, nB = 4. With prior scale s,
    // a_dog = s (1 + 3) and a0 = s (3 + 4); eq. 22 of Monroe et al. by hand:
    const delta = (s: number) =>
      Math.log((3 + 4 * s) / (4 + 7 * s - 3 - 4 * s)) -
      Math.log((1 + 4 * s) / (3 + 7 * s - 1 - 4 * s));
    for (const priorScale of [0.1, 1]) {
      const res = distinctiveTerms(['cat cat dog'], ['dog dog dog fish'], {
        priorScale,
        minCount: 1,
      });
      const dog = res.moreInB.find((t) => t.term === 'dog')!;
      expect(dog.delta).toBeCloseTo(delta(priorScale), 12);
    }
    // By default a term must occur 3 times over both sides: dog (4) is ranked, cat (2) is not.
    const byDefault = distinctiveTerms(['cat cat dog'], ['dog dog dog fish']);
    const ranked = [...byDefault.moreInA, ...byDefault.moreInB].map((t) => t.term);
    expect(ranked).toContain('dog');
    expect(ranked).not.toContain('cat');
  });

  it('distinctiveTerms returns 20 terms a side by default', () => {
    const vocabulary = Array.from({ length: 30 }, (_, i) => `term${String.fromCharCode(97 + i)}`);
    // 30 words only B uses, each in three answers: all 30 lean to B, 20 are returned.
    const textsB = [0, 1, 2].map(() => vocabulary.join(' '));
    const textsA = ['plain answer here', 'plain answer there', 'plain answer again'];
    const res = distinctiveTerms(textsA, textsB);
    expect(res.moreInB).toHaveLength(20);
  });
});

describe('tokenizer edges', () => {
  it('keeps words up to 40 characters, in words() and in segments alike', () => {
    const forty = 'x'.repeat(40);
    const fortyOne = 'y'.repeat(41);
    expect(words(`${forty} ${fortyOne}`)).toEqual([forty]);
    expect(segmentWords(`${forty} ${fortyOne} end`)).toEqual([[forty, 'end']]);
    expect(segmentWords(fortyOne)).toEqual([]);
  });

  it('ends a bigram window at every sentence, bracket and quote mark, not at commas', () => {
    for (const mark of [
      '.',
      '!',
      '?',
      ';',
      ':',
      '\n',
      '\r',
      '(',
      ')',
      '[',
      ']',
      '{',
      '}',
      '"',
      '“',
      '”',
      '«',
      '»',
      '|',
      '•',
    ]) {
      expect({ mark, segments: segmentWords(`alpha${mark}beta`) }).toEqual({
        mark,
        segments: [['alpha'], ['beta']],
      });
    }
    expect(segmentWords("alpha, beta's-gamma")).toEqual([['alpha', "beta's", 'gamma']]);
  });

  it('keeps every inner-apostrophe part of a word, and words that start with digits', () => {
    expect(words("we'll rock'n'roll o'clock's")).toEqual(["we'll", "rock'n'roll", "o'clock's"]);
    expect(terms('gpt 4o beats 3b models', { ngrams: 'unigrams' })).toEqual([
      'gpt',
      '4o',
      'beats',
      '3b',
      'models',
    ]);
  });

  it('straightens every kind of typographic apostrophe', () => {
    expect(normalizeText('it’s it‘s it`s it´s')).toBe("it's it's it's it's");
    expect(words('don’t')).toEqual(["don't"]);
  });

  it('drops one-letter words and pure numbers as keywords, keeps mixed ones; both n-grams by default', () => {
    expect(terms("x marks 2024 and 1'000 but v2 stays")).toEqual([
      'marks',
      'v2',
      'stays',
      'v2 stays',
    ]);
  });
});

describe('style feature structure edges', () => {
  const headings = (text: string) => styleFeatures(text).headings;
  const listItems = (text: string) => styleFeatures(text).list_items;
  const codeBlocks = (text: string) => styleFeatures(text).code_blocks;

  it('reads a setext underline as a heading only under a non-blank line', () => {
    expect(headings('Title\n===')).toBe(1);
    expect(headings('Title\n===   ')).toBe(1); // trailing spaces are allowed
    expect(headings('Title\n===\n')).toBe(1);
    expect(headings('===\nText')).toBe(0); // nothing above it
    expect(headings('\n===')).toBe(0);
    expect(headings('   \n===')).toBe(0); // a line of spaces is blank
    expect(headings('Result\nx ==')).toBe(0); // not an underline: text before the =
  });

  it('anchors headings, list items and fences at the start of a line', () => {
    expect(headings('C# is a language')).toBe(0);
    expect(headings('   ## Indented three')).toBe(1);
    expect(listItems('Pros - cons')).toBe(0);
    expect(listItems('-   spaced item')).toBe(1);
    expect(codeBlocks('Use ```inline``` code')).toBe(0);
    expect(codeBlocks('   ```\ncode\n   ```')).toBe(1); // up to three spaces of indent
    expect(codeBlocks('    ```\ncode')).toBe(0); // four spaces: indented text, not a fence
  });

  it('closes a fence only with the same kind of fence', () => {
    const f = styleFeatures('~~~\n```\n# inside\n~~~\n# after');
    expect(f.code_blocks).toBe(1);
    expect(f.headings).toBe(1);
  });

  it('keeps line breaks between prose lines, and counts a run of ? as one question', () => {
    expect(styleFeatures('Yes\nmaybe').hedges).toBe(1);
    expect(styleFeatures('Why?? How?!').questions).toBe(2);
  });

  it('counts every first-person form', () => {
    for (const word of ['I', 'me', 'my', 'mine', 'myself', "I'm", "I've", "I'd", "I'll"]) {
      const sentence = `Tell ${word} now`;
      expect({ sentence, n: styleFeatures(sentence).first_person }).toEqual({ sentence, n: 1 });
    }
    expect(styleFeatures('Tell us, we mean them').first_person).toBe(0);
  });

  it('ends an emoji ZWJ sequence at the last joined pictograph', () => {
    expect(styleFeatures('👨‍👩 and 😀').emoji).toBe(2);
  });
});
