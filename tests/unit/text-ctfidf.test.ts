import { describe, expect, it } from 'vitest';
import { ctfidfFromCounts, ctfidfTopTerms } from '../../src/lib/core/text/ctfidf';

describe('class-based TF-IDF (BERTopic)', () => {
  it('matches BERTopic’s ClassTfidfTransformer formula', () => {
    // /usr/bin/python3 (numpy + sklearn), as bertopic/vectorizers/_ctfidf.py does it:
    //   X=[[3,0,1,0],[0,2,2,1],[1,1,0,6]]; df=X.sum(0); avg=int(X.sum(1).mean())  # 17/3 -> 5
    //   W=normalize(X,axis=1,norm='l1')*np.log(avg/df+1)
    const vocab = ['apple', 'banana', 'cherry', 'date'];
    const X = [
      [3, 0, 1, 0],
      [0, 2, 2, 1],
      [1, 1, 0, 6],
    ];
    const W = [
      [0.6081976621622466, 0.0, 0.24520731325293157, 0.0],
      [0.0, 0.3923317012046905, 0.3923317012046905, 0.10779930014653741],
      [0.1013662770270411, 0.12260365662646579, 0.0, 0.4042473755495153],
    ];
    const counts = X.map((row) => new Map(row.map((c, t) => [vocab[t]!, c] as const)));
    const res = ctfidfFromCounts(counts, 4);
    res.forEach((cls, c) => {
      expect(cls.length).toBe(X[c]!.filter((v) => v > 0).length); // zero counts are not terms
      for (const { term, score } of cls) expect(score).toBeCloseTo(W[c]![vocab.indexOf(term)]!, 14);
      for (let i = 1; i < cls.length; i++)
        expect(cls[i - 1]!.score).toBeGreaterThanOrEqual(cls[i]!.score);
    });
    expect(res[1]!.map((t) => t.term)).toEqual(['banana', 'cherry', 'date']); // tie broken by term
  });

  it('describes clusters from texts', () => {
    const texts = [
      'Python code with a function and a loop',
      'Another Python function, more code',
      'A poem about the sea and the moon',
      'The moon over the sea, a poem',
      'ignored noise text',
    ];
    const top = ctfidfTopTerms(texts, [0, 0, 1, 1, -1], 2, { topK: 3 });
    expect(top[0]!.map((t) => t.term).sort()).toEqual(['code', 'function', 'python']);
    expect(top[1]!.map((t) => t.term).sort()).toEqual(['moon', 'poem', 'sea']);
  });
});
