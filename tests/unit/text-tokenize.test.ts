import { describe, expect, it } from 'vitest';
import { isStopWord } from '../../src/lib/core/text/stop-words';
import { countTerms, segmentWords, terms, words } from '../../src/lib/core/text/tokenize';

describe('tokenizer', () => {
  it('lowercases, keeps inner apostrophes, straightens curly quotes, splits on the rest', () => {
    expect(words("I’m SURE it's fine: e-mail state_of_the_art x2 42.")).toEqual([
      "i'm",
      'sure',
      "it's",
      'fine',
      'e',
      'mail',
      'state',
      'of',
      'the',
      'art',
      'x2',
      '42',
    ]);
    expect(words('Ｆｕｌｌｗｉｄｔｈ café naïve Übung')).toEqual([
      'fullwidth',
      'café',
      'naïve',
      'übung',
    ]);
    expect(words('')).toEqual([]);
    expect(words('a'.repeat(41) + ' ok')).toEqual(['ok']);
  });

  it('segments at sentence punctuation and line breaks', () => {
    expect(segmentWords('One two. Three\nfour (five)')).toEqual([
      ['one', 'two'],
      ['three'],
      ['four'],
      ['five'],
    ]);
  });

  it('keywords: no stop words or numbers; bigrams only of two keywords inside a segment', () => {
    const t = 'The quick brown fox cannot jump. Fox runs 2024!';
    expect(terms(t, { ngrams: 'unigrams' })).toEqual([
      'quick',
      'brown',
      'fox',
      'cannot',
      'jump',
      'fox',
      'runs',
    ]);
    expect(terms(t, { ngrams: 'bigrams' })).toEqual([
      'quick brown',
      'brown fox',
      'fox cannot',
      'cannot jump',
      'fox runs',
    ]);
    expect(terms('the cat', { ngrams: 'unigrams', removeStopWords: false })).toEqual([
      'the',
      'cat',
    ]);
    expect(isStopWord('the')).toBe(true);
    expect(isStopWord('not')).toBe(false); // negations are behaviour, not noise
    expect(isStopWord('sorry')).toBe(false);
  });

  it('counts terms', () => {
    expect([...countTerms(['a', 'b', 'a'])]).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });
});
