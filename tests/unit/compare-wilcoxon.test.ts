import { describe, expect, it } from 'vitest';
import { erfc, normalCdf, normalSf } from '../../src/lib/core/compare/normal';
import { wilcoxonSignedRank } from '../../src/lib/core/compare/wilcoxon';

// Reference values: /usr/bin/python3 with Debian's scipy 1.10.1, e.g.
//   python3 -c "from scipy import stats; print(stats.wilcoxon([1.5,-0.3,...]))"
// (defaults: zero_method='wilcox', correction=False, alternative='two-sided', method='auto').
describe('normal tail', () => {
  it('matches scipy.special.erfc and scipy.stats.norm.sf', () => {
    const ref: [number, number][] = [
      [-3, 1.9999779095030015],
      [-1, 1.8427007929497148],
      [0, 1],
      [0.3, 0.6713732405408726],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028516],
      [1.5, 0.03389485352468927],
      [1.99, 0.004888586800383002],
      [2.01, 0.004475150644751764],
      [3, 2.2090496998585445e-5],
      [5, 1.5374597944280347e-12],
      [10, 2.0884875837625446e-45],
      [20, 5.395865611607901e-176],
    ];
    for (const [x, r] of ref) expect(Math.abs(erfc(x) - r) / r).toBeLessThan(1e-13);
    expect(normalSf(1.959963984540054)).toBeCloseTo(0.025, 14);
    expect(normalSf(3) / 0.0013498980316300933).toBeCloseTo(1, 12);
    expect(normalSf(6) / 9.865876450376946e-10).toBeCloseTo(1, 12);
    expect(normalCdf(-2)).toBeCloseTo(1 - 0.9772498680518208, 14);
  });
});

describe('Wilcoxon signed-rank test', () => {
  it('exact p-values for small samples without ties or zeros', () => {
    const r10 = wilcoxonSignedRank([1.5, -0.3, 2.2, 0.8, -1.1, 3.4, 0.6, 1.9, -0.2, 2.7]);
    expect(r10.method).toBe('exact');
    expect(r10.statistic).toBe(8);
    expect(r10.pValue).toBeCloseTo(0.048828125, 14);
    const r20 = wilcoxonSignedRank([
      0.12, -0.85, 1.33, 0.47, -0.06, 0.91, 2.05, -1.42, 0.38, 0.77, 1.18, -0.29, 0.64, 1.56, -0.51,
      0.23, 0.99, 1.71, -0.14, 0.83,
    ]);
    expect(r20.statistic).toBe(46);
    expect(r20.pValue).toBeCloseTo(0.026641845703125, 14);
    expect(wilcoxonSignedRank([1, 2, -0.5, 3, 0.25, -1.5, 4.5]).pValue).toBeCloseTo(0.21875, 14);
    expect(wilcoxonSignedRank([-1, -2]).pValue).toBeCloseTo(0.5, 14);
  });

  it('hand-checked exact case with rank-biserial effect', () => {
    // |d| ranks: 0.5->1, 1->2, 2->3, 3->4; R+ = 9, R- = 1; P(R+ >= 9) = 2/16, p = 0.25.
    const r = wilcoxonSignedRank([1, 2, -0.5, 3]);
    expect([r.rPlus, r.rMinus, r.statistic]).toEqual([9, 1, 1]);
    expect(r.pValue).toBe(0.25);
    expect(r.rankBiserial).toBeCloseTo(0.8, 15);
  });

  it('normal approximation when there are zeros (dropped, wilcox method)', () => {
    const r = wilcoxonSignedRank([0, 2, -1, 3, 0, 4, 5, -6, 7, 8, 9, 1.5]);
    expect(r.method).toBe('approx');
    expect([r.n, r.nZeros, r.statistic]).toEqual([10, 2, 8]);
    expect(r.pValue).toBeCloseTo(0.04685328478814715, 13);
  });

  it('normal approximation with tie correction (scipy method="approx")', () => {
    // stats.wilcoxon([1,2,2,-3,3,3,4,-1,5,6,2,7], method='approx')
    const r = wilcoxonSignedRank([1, 2, 2, -3, 3, 3, 4, -1, 5, 6, 2, 7]);
    expect(r.method).toBe('approx');
    expect(r.statistic).toBe(8.5);
    expect(r.pValue).toBeCloseTo(0.01635291762935625, 13);
  });

  it('normal approximation above 50 pairs', () => {
    // numpy.random.default_rng(7).normal(0.3, 1, 60) rounded to 2 decimals (has ties)
    const d = [
      0.3, 0.6, 0.03, -0.59, -0.15, -0.69, 0.36, 1.64, -0.19, -0.32, 0.79, 0.66, 0.41, -0.63, 0.27,
      1.0, -1.04, -0.16, -1.6, -0.99, -1.54, 0.06, -0.97, 0.57, 0.46, 0.11, -2.22, -0.24, 0.25,
      0.41, -1.23, -0.18, -0.68, -0.51, 1.36, -0.51, 0.27, 1.18, -0.28, 0.19, 0.41, 0.36, -0.93,
      0.38, 1.66, -1.25, 1.16, 0.42, -0.34, 2.3, 1.06, -0.9, 0.37, 0.88, 0.11, 0.98, 0.23, 0.97,
      1.74, -0.38,
    ];
    const r = wilcoxonSignedRank(d);
    expect(r.statistic).toBe(794.5);
    expect(r.pValue).toBeCloseTo(0.375021718859592, 13);
  });

  // Tie-free, zero-free differences on both sides of the exact/normal switch (exact up to 50
  // differences, like scipy). Made and checked with /usr/bin/python3 (numpy 1.24, scipy 1.10.1):
  //   n, seed = 30, 130   # (40, 40), (50, 50), (51, 251): first seed n + 100 i with no tied |d|
  //   d = np.round(np.random.default_rng(seed).normal(0.35, 1, n), 3)
  //   stats.wilcoxon(d)   # and stats.wilcoxon(d, method='exact' / 'approx') for the other one
  // Each p-value differs from the other method's by more than 1e-3, far beyond the tolerance.
  const AROUND_SWITCH: { d: number[]; statistic: number; p: number; other: number }[] = [
    {
      d: [
        0.585, 1.296, -0.396, 0.561, 0.412, 1.768, 0.472, 0.481, -0.796, 0.344, -0.202, 0.26,
        -1.426, -0.129, -0.831, -0.801, 1.661, -0.185, 1.067, -0.598, 1.042, -0.225, 1.419, -0.546,
        0.366, 0.07, -0.027, -0.559, 1.981, -1.282,
      ],
      statistic: 187,
      p: 0.3598779272288084,
      other: 0.34934556237492975,
    },
    {
      d: [
        -0.792, -0.719, -0.407, 1.119, -0.688, -0.676, -0.043, 1.738, -0.567, -0.347, 0.543, 0.495,
        0.736, -0.221, -0.586, -0.986, 0.68, 0.142, 0.777, 0.395, 1.74, 0.933, 0.515, 0.394, -0.16,
        -0.037, 0.03, 1.872, 0.161, -0.247, 0.592, 1.072, -0.778, -1.981, 0.079, 1.375, -0.342,
        0.979, 0.679, 1.041,
      ],
      statistic: 299,
      p: 0.13868038851069286,
      other: 0.13570333950789987,
    },
    {
      d: [
        0.836, -0.127, 1.019, -1.037, 2.016, 0.159, 0.884, 1.127, 0.595, 0.53, -0.992, 0.168,
        -0.192, 0.352, -2.35, -1.207, 0.057, 0.609, 0.149, -0.751, -0.243, -0.079, -2.708, -0.437,
        -0.412, -0.321, 0.668, -0.781, 0.795, 0.669, 0.789, 0.604, 1.4, 2.354, 0.152, -0.462, 0.667,
        2.443, 0.389, 0.128, -0.29, -0.724, -0.745, 3.213, -0.36, -0.844, 0.099, 1.089, -0.738,
        -0.382,
      ],
      statistic: 542,
      p: 0.3622430237473182,
      other: 0.35658693993847124,
    },
    {
      d: [
        -0.06, 0.607, 2.013, -1.542, 1.253, 0.358, -0.765, 0.58, -0.51, 0.136, -2.657, 1.063, 0.042,
        0.133, -0.099, 0.284, 0.167, 0.274, 0.848, -0.491, 1.23, 1.445, 1.427, 0.212, -0.029,
        -0.572, 0.014, -0.379, -0.012, 0.2, -0.599, -0.519, 0.257, 2.606, 0.408, 3.079, 1.555,
        1.034, 1.53, 3.373, 0.457, 0.703, 0.79, -0.801, 0.823, -0.548, -0.078, 2.626, 1.979, -0.182,
        1.382,
      ],
      statistic: 347,
      p: 0.003056323676662851,
      other: 0.002592792656842313,
    },
  ];

  it.each(AROUND_SWITCH.map((c) => [c.d.length, c] as const))(
    'switches from the exact test to the normal approximation above 50 differences (n = %i)',
    (n, { d, statistic, p, other }) => {
      expect(new Set(d.map(Math.abs)).size).toBe(n);
      const r = wilcoxonSignedRank(d);
      expect(r.method).toBe(n <= 50 ? 'exact' : 'approx');
      expect(r.statistic).toBe(statistic);
      expect(r.pValue).toBeCloseTo(p, 12);
      expect(Math.abs(r.pValue! - other)).toBeGreaterThan(4e-4);
    },
  );

  it('has no p-value when every difference is zero', () => {
    const r = wilcoxonSignedRank([0, 0, 0]);
    expect(r.pValue).toBeNull();
    expect(r.rankBiserial).toBeNull();
    expect(wilcoxonSignedRank([]).pValue).toBeNull();
  });
});
