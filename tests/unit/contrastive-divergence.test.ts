import { describe, expect, it } from 'vitest';
import {
  alignTokenLogprobs,
  amplifyLogits,
  klDivergence,
  logSoftmax,
  pairSeparateScores,
  scoreTotals,
  topTokenIds,
} from '../../src/lib/core/contrastive/divergence';
import type { TokenScore } from '../../src/lib/core/contrastive/types';
import { createRng } from '../../src/lib/core/vectors/random';

// Reference values from scipy 1.17.1:
// /usr/bin/python3 -c "import numpy as np; from scipy.special import log_softmax;
//   from scipy.stats import entropy; a=np.array([1.5,-0.3,2.0,0.0,-1.2]);
//   b=np.array([0.2,0.9,2.5,-0.7,-3.0]); la=log_softmax(a); lb=log_softmax(b);
//   print(la.tolist(), lb.tolist(), entropy(np.exp(lb),np.exp(la)), entropy(np.exp(la),np.exp(lb)));
//   print(log_softmax(np.array([1e4,1e4-1,1e4-3,-1e4])).tolist())"
const LOGITS_A = [1.5, -0.3, 2.0, 0.0, -1.2];
const LOGITS_B = [0.2, 0.9, 2.5, -0.7, -3.0];
const SCIPY_LOG_SOFTMAX_A = [
  -1.1328062322873995, -2.9328062322873993, -0.6328062322873994, -2.6328062322873995,
  -3.8328062322873997,
];
const SCIPY_LOG_SOFTMAX_B = [
  -2.5978831172703254, -1.8978831172703257, -0.2978831172703255, -3.4978831172703257,
  -5.797883117270326,
];
const SCIPY_KL_B_A = 0.26257548219903676; // entropy(pB, pA) = KL(B || A)
const SCIPY_KL_A_B = 0.3436781033542857; // entropy(pA, pB) = KL(A || B)
const SCIPY_LOG_SOFTMAX_BIG = [
  -0.34901221676818633, -1.3490122167681864, -3.349012216768186, -20000.349012216768,
];

function expectClose(actual: ArrayLike<number>, expected: readonly number[], digits = 12) {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, digits));
}

/** A random row of logits of the given size, spread like a language model's (-10..10). */
function randomLogits(size: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: size }, () => (rng.next() - 0.5) * 20);
}

describe('logSoftmax', () => {
  it('matches scipy.special.log_softmax', () => {
    expectClose(logSoftmax(LOGITS_A, 0, 5), SCIPY_LOG_SOFTMAX_A);
    expectClose(logSoftmax(LOGITS_B, 0, 5), SCIPY_LOG_SOFTMAX_B);
  });

  it('gives ln(1/2) for two equal logits, by hand', () => {
    expectClose(logSoftmax([3, 3], 0, 2), [-Math.LN2, -Math.LN2], 15);
  });

  it('reads one row of a flat [positions x vocab] array at its offset', () => {
    const flat = new Float32Array([...LOGITS_B, ...LOGITS_A]);
    expectClose(logSoftmax(flat, 5, 5), SCIPY_LOG_SOFTMAX_A, 6);
    expectClose(logSoftmax(flat, 0, 5), SCIPY_LOG_SOFTMAX_B, 6);
  });

  it('handles logits of 1e4 without overflow', () => {
    const row = logSoftmax([1e4, 1e4 - 1, 1e4 - 3, -1e4], 0, 4);
    expectClose(row, SCIPY_LOG_SOFTMAX_BIG, 9);
    const total = Array.from(row).reduce((s, x) => s + Math.exp(x), 0);
    expect(total).toBeCloseTo(1, 12);
  });

  it('keeps a -Infinity logit as probability 0 and the rest normalised', () => {
    const row = logSoftmax([0, -Infinity, 0], 0, 3);
    expect(Array.from(row)).toEqual([-Math.LN2, -Infinity, -Math.LN2]);
  });

  it('says NaN when every logit is -Infinity (no distribution)', () => {
    expect(Array.from(logSoftmax([-Infinity, -Infinity], 0, 2)).every(Number.isNaN)).toBe(true);
  });

  it('writes into the given array and returns it', () => {
    const out = new Float64Array(5);
    expect(logSoftmax(LOGITS_A, 0, 5, out)).toBe(out);
    expectClose(out, SCIPY_LOG_SOFTMAX_A);
  });

  it('refuses a row outside the logits', () => {
    expect(() => logSoftmax(LOGITS_A, 3, 5)).toThrow(RangeError);
  });
});

describe('klDivergence', () => {
  const lpA = logSoftmax(LOGITS_A, 0, 5);
  const lpB = logSoftmax(LOGITS_B, 0, 5);

  it('matches scipy.stats.entropy(p, q) in both directions, and is asymmetric', () => {
    expect(klDivergence(lpB, lpA)).toBeCloseTo(SCIPY_KL_B_A, 12);
    expect(klDivergence(lpA, lpB)).toBeCloseTo(SCIPY_KL_A_B, 12);
    expect(Math.abs(klDivergence(lpA, lpB) - klDivergence(lpB, lpA))).toBeGreaterThan(0.05);
  });

  it('is 0.5 ln(4/3) for P = (1/2, 1/2), Q = (1/4, 3/4), by hand', () => {
    const kl = klDivergence([Math.log(0.5), Math.log(0.5)], [Math.log(0.25), Math.log(0.75)]);
    expect(kl).toBeCloseTo(0.5 * Math.log(4 / 3), 15);
  });

  it('is exactly 0 for a distribution against itself', () => {
    expect(klDivergence(lpA, lpA)).toBe(0);
    const big = logSoftmax(randomLogits(50_000, 3), 0, 50_000);
    expect(klDivergence(big, big)).toBe(0);
  });

  it('is >= 0 over many random vocabulary-sized pairs', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const p = logSoftmax(randomLogits(2_000, seed), 0, 2_000);
      // Nearly equal distributions are where rounding could dip below zero.
      const nearly = randomLogits(2_000, seed).map((x, i) => x + (i % 7) * 1e-7);
      const q = logSoftmax(nearly, 0, 2_000);
      expect(klDivergence(p, q)).toBeGreaterThanOrEqual(0);
      expect(klDivergence(q, p)).toBeGreaterThanOrEqual(0);
    }
  });

  it('counts terms where p = 0 as 0, even where q = 0 too', () => {
    // P = (1, 0), Q = (1/2, 1/2): KL = ln 2; P = (1/2, 1/2, 0), Q = (1/2, 1/2, 0): 0.
    expect(klDivergence([0, -Infinity], [Math.log(0.5), Math.log(0.5)])).toBeCloseTo(Math.LN2, 15);
    const lp = [Math.log(0.5), Math.log(0.5), -Infinity];
    expect(klDivergence(lp, lp)).toBe(0);
  });

  it('is Infinity where Q rules out a token P expects', () => {
    expect(klDivergence([Math.log(0.5), Math.log(0.5)], [0, -Infinity])).toBe(Infinity);
  });

  it('is finite and right for logits of 1e4 (against scipy)', () => {
    const p = logSoftmax([1e4, 1e4 - 1, 1e4 - 3, -1e4], 0, 4);
    const q = logSoftmax([0, 0, 0, 0], 0, 4);
    // /usr/bin/python3 -c "import numpy as np; from scipy.special import softmax;
    //   from scipy.stats import entropy;
    //   print(entropy(softmax(np.array([1e4,1e4-1,1e4-3,-1e4])), np.ones(4)/4))"
    expect(klDivergence(p, q)).toBeCloseTo(0.6724286031312662, 13);
  });

  it('refuses rows of different vocabularies', () => {
    expect(() => klDivergence([0], [Math.log(0.5), Math.log(0.5)])).toThrow(RangeError);
  });
});

describe('topTokenIds', () => {
  it('gives the k most likely, most likely first', () => {
    const lp = logSoftmax(LOGITS_A, 0, 5);
    expect(topTokenIds(lp, 3)).toEqual([
      { id: 2, logprob: lp[2] },
      { id: 0, logprob: lp[0] },
      { id: 3, logprob: lp[3] },
    ]);
  });

  it('breaks ties by the lower id', () => {
    expect(topTokenIds([-1, -2, -1, -0.5, -2, -1], 4).map((t) => t.id)).toEqual([3, 0, 2, 5]);
    expect(topTokenIds([-2, -2, -2], 2).map((t) => t.id)).toEqual([0, 1]);
  });

  it('agrees with a full sort on a 50k vocabulary', () => {
    const lp = logSoftmax(randomLogits(50_257, 11), 0, 50_257);
    const sorted = Array.from(lp, (logprob, id) => ({ id, logprob }))
      .sort((x, y) => y.logprob - x.logprob || x.id - y.id)
      .slice(0, 20);
    expect(topTokenIds(lp, 20)).toEqual(sorted);
  });

  it('gives nothing for k = 0 and at most the vocabulary for a large k', () => {
    expect(topTokenIds([-1, -2], 0)).toEqual([]);
    expect(topTokenIds([-2, -1], 5)).toEqual([
      { id: 1, logprob: -1 },
      { id: 0, logprob: -2 },
    ]);
  });

  it('passes NaN by', () => {
    expect(topTokenIds([NaN, -3, NaN, -1], 3).map((t) => t.id)).toEqual([3, 1]);
  });
});

describe('amplifyLogits', () => {
  it('is B bit for bit at alpha = 0, even with -0 and infinities', () => {
    const b = new Float32Array([-0, 1.1, -Infinity, 3.3, 1e30]);
    const a = new Float32Array([5, -Infinity, 2, Infinity, -1e30]);
    const out = amplifyLogits(a, b, 0);
    expect(new Uint32Array(out.buffer)).toEqual(new Uint32Array(b.buffer));
    expect(Object.is(out[0], -0)).toBe(true);
  });

  it('is B + alpha (B - A), by hand', () => {
    expect(Array.from(amplifyLogits([1, 2, 0], [3, 1, 0.5], 1))).toEqual([5, 0, 1]);
    expect(Array.from(amplifyLogits([1, 2, 0], [3, 1, 0.5], 0.5))).toEqual([4, 0.5, 0.75]);
    // A negative alpha moves toward A: B - 1 (B - A) = A.
    expect(Array.from(amplifyLogits([1, 2, 0], [3, 1, 0.5], -1))).toEqual([1, 2, 0]);
  });

  it('raises what B favours over A in the sampled distribution', () => {
    const out = amplifyLogits(LOGITS_A, LOGITS_B, 2);
    const lpB = logSoftmax(LOGITS_B, 0, 5);
    const lpAmp = logSoftmax(out, 0, 5);
    // Token 1 is where B gains most over A (0.9 vs -0.3); token 0 where it loses most.
    expect(lpAmp[1]!).toBeGreaterThan(lpB[1]!);
    expect(lpAmp[0]!).toBeLessThan(lpB[0]!);
  });

  it('keeps B where either model rules a token out, never NaN or +Infinity', () => {
    const out = amplifyLogits([-Infinity, 0, -Infinity], [1, -Infinity, -Infinity], 3);
    expect(Array.from(out)).toEqual([1, -Infinity, -Infinity]);
  });

  it('writes into the given array and refuses mismatched rows', () => {
    const out = new Float32Array(3);
    expect(amplifyLogits([0, 0, 0], [1, 2, 3], 1, out)).toBe(out);
    expect(Array.from(out)).toEqual([2, 4, 6]);
    expect(() => amplifyLogits([0, 0], [1, 2, 3], 1)).toThrow(RangeError);
  });
});

/** A token as the scorer makes it. */
function tok(token: string, logpA: number | null, logpB: number, kl: number | null): TokenScore {
  return { token, logpA, logpB, kl };
}

describe('scoreTotals', () => {
  const tokens = [
    tok(' The', -2.5, -1.5, 0.2),
    tok(' licence', -6, -1, 1.4),
    tok('.', -0.5, -0.25, 0.05),
    tok('<|endoftext|>', -1, -2, 0.15),
  ];

  it('sums log probabilities, takes the llr and the mean KL, end-of-turn included', () => {
    expect(scoreTotals(tokens)).toEqual({
      logpA: -10,
      logpB: -4.75,
      llr: 5.25,
      meanKl: expect.closeTo(0.45, 12) as unknown as number,
    });
  });

  it('gives a null mean KL when any token has none, and for no tokens', () => {
    const partial = [...tokens.slice(0, 3), tok('<|endoftext|>', -1, -2, null)];
    expect(scoreTotals(partial).meanKl).toBeNull();
    expect(scoreTotals(partial).llr).toBe(5.25);
    expect(scoreTotals([], 0)).toEqual({ logpA: 0, logpB: 0, llr: 0, meanKl: null });
  });

  it("uses A's separate total when A tokenized the text differently", () => {
    const bOnly = tokens.map((t) => ({ ...t, logpA: null, kl: null }));
    expect(scoreTotals(bOnly, -8)).toEqual({ logpA: -8, logpB: -4.75, llr: 3.25, meanKl: null });
  });

  it("refuses to make up A's total when tokens lack it and none is given", () => {
    expect(() => scoreTotals([tok(' x', null, -1, null)])).toThrow(/logpA/);
  });
});

describe('alignTokenLogprobs', () => {
  const b = [
    { token: 'Hello', logprob: -1 },
    { token: ' world', logprob: -2 },
  ];

  it("attaches A's values when both split the text into the same tokens", () => {
    const a = [
      { token: 'Hello', logprob: -3 },
      { token: ' world', logprob: -0.5 },
    ];
    expect(alignTokenLogprobs(a, b)).toEqual([
      { token: 'Hello', logpA: -3, logpB: -1, kl: null },
      { token: ' world', logpA: -0.5, logpB: -2, kl: null },
    ]);
  });

  it("keeps B's tokens with null A values when the splits differ", () => {
    const a = [
      { token: 'Hel', logprob: -3 },
      { token: 'lo', logprob: -0.1 },
      { token: ' world', logprob: -0.5 },
    ];
    expect(alignTokenLogprobs(a, b)).toEqual([
      { token: 'Hello', logpA: null, logpB: -1, kl: null },
      { token: ' world', logpA: null, logpB: -2, kl: null },
    ]);
    // Same count, one token different: still not one to one.
    const renamed = [
      { token: 'Hello', logprob: -3 },
      { token: ' World', logprob: -0.5 },
    ];
    expect(alignTokenLogprobs(renamed, b).every((t) => t.logpA === null)).toBe(true);
  });
});

describe('pairSeparateScores', () => {
  it('attaches A per token where both split the text alike, and totals both sides', () => {
    const a = [
      { token: 'Hello', logprob: -1.5 },
      { token: ' world', logprob: -2 },
    ];
    const b = [
      { token: 'Hello', logprob: -1 },
      { token: ' world', logprob: -0.25 },
    ];
    expect(pairSeparateScores(a, b)).toEqual({
      tokens: [
        { token: 'Hello', logpA: -1.5, logpB: -1, kl: null },
        { token: ' world', logpA: -2, logpB: -0.25, kl: null },
      ],
      logpA: -3.5,
      logpB: -1.25,
      llr: 2.25,
      meanKl: null,
    });
  });

  it("keeps B's tokens and A's own total when A split the text differently", () => {
    const a = [
      { token: 'Hel', logprob: -1 },
      { token: 'lo', logprob: -0.5 },
    ];
    const b = [{ token: 'Hello', logprob: -0.75 }];
    const paired = pairSeparateScores(a, b);
    expect(paired.tokens).toEqual([{ token: 'Hello', logpA: null, logpB: -0.75, kl: null }]);
    expect([paired.logpA, paired.logpB, paired.llr, paired.meanKl]).toEqual([
      -1.5,
      -0.75,
      0.75,
      null,
    ]);
  });
});
