import { afterEach, describe, expect, it } from 'vitest';
import { adjustedRandIndex } from '../../src/lib/core/cluster/ari';
import { cutTree, linkageFromRawMerges } from '../../src/lib/core/cluster/linkage';
import { wardLinkage } from '../../src/lib/core/cluster/ward';
import { fromRows } from '../../src/lib/core/vectors/matrix';
import { sphereBlobs, toMatrix, WARD_DATA } from './cluster-fixtures';
import { setWasmDisabled } from '../../src/lib/core/vectors/wasm-module';

afterEach(() => {
  setWasmDisabled(false);
});

/*
 * scipy 1.10.1: Z = scipy.cluster.hierarchy.linkage(np.array(WARD_DATA), 'ward'), rounded to 6
 * decimals; sklearn 1.2.1: AgglomerativeClustering(3, linkage='ward').fit_predict(WARD_DATA).
 */
const SCIPY_Z = [
  [17, 18, 0.588558, 2],
  [20, 24, 0.613949, 3],
  [0, 5, 0.712039, 2],
  [9, 15, 0.989747, 2],
  [16, 23, 1.14, 2],
  [10, 27, 1.204768, 3],
  [6, 7, 1.211404, 2],
  [25, 28, 1.252241, 5],
  [12, 13, 1.268503, 2],
  [1, 4, 1.701441, 2],
  [8, 11, 1.766522, 2],
  [2, 30, 1.832621, 3],
  [26, 33, 2.019121, 4],
  [3, 35, 2.055614, 4],
  [29, 34, 2.278125, 5],
  [19, 22, 2.321831, 2],
  [21, 39, 2.760731, 3],
  [14, 38, 3.022187, 6],
  [36, 37, 3.479382, 8],
  [32, 41, 3.836045, 8],
  [31, 40, 4.372954, 8],
  [42, 43, 11.737869, 16],
  [44, 45, 13.583307, 24],
];
const SKLEARN_WARD_3 = [2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0];

describe('wardLinkage', () => {
  for (const backend of ['wasm', 'js'] as const) {
    it(`equals scipy's linkage(X, 'ward') row by row (${backend})`, () => {
      setWasmDisabled(backend === 'js');
      const tree = wardLinkage(toMatrix(WARD_DATA));
      expect(tree.n).toBe(24);
      expect(tree.merges.length).toBe(23 * 4);
      SCIPY_Z.forEach(([a, b, h, size], r) => {
        expect(tree.merges[4 * r]).toBe(a);
        expect(tree.merges[4 * r + 1]).toBe(b);
        expect(Math.abs(tree.merges[4 * r + 2]! - h!)).toBeLessThan(1e-4);
        expect(tree.merges[4 * r + 3]).toBe(size);
      });
    });
  }

  it("cuts like sklearn's AgglomerativeClustering", () => {
    const tree = wardLinkage(toMatrix(WARD_DATA));
    const labels = cutTree(tree, 3);
    expect(adjustedRandIndex(labels, SKLEARN_WARD_3)).toBe(1);
    // Labels are numbered by first appearance.
    expect(labels[0]).toBe(0);
    expect(Array.from(cutTree(tree, 1))).toEqual(Array(24).fill(0));
    expect(Array.from(cutTree(tree, 24))).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(() => cutTree(tree, 0)).toThrow(RangeError);
    expect(() => cutTree(tree, 25)).toThrow(RangeError);
  });

  it('has non-decreasing heights and recovers sphere blobs', () => {
    const { m, truth } = sphereBlobs(900, 40, 6, 5);
    const tree = wardLinkage(m);
    for (let r = 1; r < 899; r++) {
      expect(tree.merges[4 * r + 2]!).toBeGreaterThanOrEqual(tree.merges[4 * (r - 1) + 2]!);
    }
    expect(tree.merges[4 * 898 + 3]).toBe(900);
    expect(adjustedRandIndex(cutTree(tree, 6), truth)).toBe(1);
  });

  it('handles one point, two points and exact duplicates', () => {
    expect(wardLinkage(fromRows([[1, 2]])).merges.length).toBe(0);
    const two = wardLinkage(
      fromRows([
        [0, 0],
        [3, 4],
      ]),
    );
    expect(Array.from(two.merges)).toEqual([0, 1, 5, 2]);
    const dup = wardLinkage(
      fromRows([
        [0, 0],
        [0, 0],
        [1, 0],
      ]),
    );
    expect(Array.from(dup.merges.slice(0, 4))).toEqual([0, 1, 0, 2]);
    // Ward distance of {0,0} and {1,0}: sqrt(2 * 2 * 1 / 3 * 1).
    expect(dup.merges[6]).toBeCloseTo(Math.sqrt(4 / 3), 6);
  });

  it('relabels out-of-order merges like scipy (sorted by height, ids n + row)', () => {
    const tree = linkageFromRawMerges(4, {
      a: Int32Array.from([2, 0, 0]),
      b: Int32Array.from([3, 1, 2]),
      height: Float64Array.from([1, 0.5, 3]),
    });
    expect(Array.from(tree.merges)).toEqual([0, 1, 0.5, 2, 2, 3, 1, 2, 4, 5, 3, 4]);
  });
});
