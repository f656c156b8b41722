import { describe, expect, it } from 'vitest';
import { nnDescent } from '../../src/lib/core/project/nn-descent';
import { knnAccuracy, trustworthiness } from '../../src/lib/core/project/quality';
import { makeBlobs } from '../../src/lib/core/vectors/blobs';
import { exactKnn, knnRecall } from '../../src/lib/core/vectors/knn';
import { fromRows, matrix } from '../../src/lib/core/vectors/matrix';
import { pcaSmall, TRUST_TOY_K5 } from './project-fixtures';

describe('trustworthiness', () => {
  it('matches sklearn.manifold.trustworthiness on a toy embedding', () => {
    const x = pcaSmall();
    // The script's toy_y = x[:, :2] * [1, -0.5] + x[:, 2:3] * 0.3, in float32.
    const y = matrix(40, 2);
    for (let i = 0; i < 40; i++) {
      const x2 = Math.fround(x.data[i * 6 + 2]! * Math.fround(0.3));
      y.data[i * 2] = Math.fround(x.data[i * 6]! * 1) + x2;
      y.data[i * 2 + 1] = Math.fround(x.data[i * 6 + 1]! * -0.5) + x2;
    }
    expect(trustworthiness(x, y, 5)).toBeCloseTo(TRUST_TOY_K5, 6);
  });

  it('is 1 for an isometry and rejects large k', () => {
    const x = fromRows([
      [0, 0],
      [1, 0],
      [3, 1],
      [6, 6],
      [7, 2],
      [9, 9],
    ]);
    expect(trustworthiness(x, x, 2)).toBe(1);
    expect(() => trustworthiness(x, x, 3)).toThrow(/below n \/ 2/);
  });
});

describe('knnAccuracy', () => {
  it('votes by neighbours, hand-checked', () => {
    const y = fromRows([[0], [1], [2], [10], [11], [12], [5.9]]);
    // Point 6 (at 5.9) has neighbours 2 (label 0) and 3 (label 1): a tie goes to label 0.
    expect(knnAccuracy(y, [0, 0, 0, 1, 1, 1, 1], 2)).toBeCloseTo(6 / 7, 10);
  });
});

describe('nnDescent', () => {
  it('reaches recall >= 0.95 against the exact graph on 2,000 points in 384-d', async () => {
    const { matrix: x } = makeBlobs({ n: 2000, dims: 384, centers: 20, seed: 42 });
    const exact = await exactKnn(x, 15);
    const approx = await nnDescent(x, 15, { seed: 1 });
    expect(knnRecall(approx, exact)).toBeGreaterThanOrEqual(0.95);
    for (let i = 0; i < 2000; i++) expect(approx.indices[i * 15]).toBe(i);
  });

  it('is seeded and works with the cosine metric and without self', async () => {
    const { matrix: x } = makeBlobs({ n: 500, dims: 20, centers: 5, seed: 8 });
    const a = await nnDescent(x, 10, { seed: 2, metric: 'cosine', includeSelf: false });
    const b = await nnDescent(x, 10, { seed: 2, metric: 'cosine', includeSelf: false });
    expect(a.indices).toEqual(b.indices);
    const exact = await exactKnn(x, 10, { metric: 'cosine', includeSelf: false });
    expect(knnRecall(a, exact)).toBeGreaterThanOrEqual(0.95);
  });
});
