import { describe, expect, it } from 'vitest';
import {
  klDivergence,
  logSoftmax,
  scoreTotals,
  topTokenIds,
} from '../../src/lib/core/contrastive/divergence';
import {
  contrastiveScoresProblem,
  isContrastiveScoresResult,
  latestContrastiveScores,
} from '../../src/lib/core/contrastive/record';
import {
  CONTRASTIVE_SCORES_VERSION,
  type ContrastiveScoresResult,
  type ScoredAnswer,
  type TokenScore,
} from '../../src/lib/core/contrastive/types';
import type { Side } from '../../src/lib/core/run/types';

const VOCAB = [' the', ' license', ' is', ' MIT', '.', '<|endoftext|>'];

/**
 * A token scored as the local scorer does: log-softmax of both models' logits at the position,
 * the token's log probabilities, KL(B || A) and each model's top 2 tokens.
 */
function tokenScore(id: number, logitsA: number[], logitsB: number[]): TokenScore {
  const lpA = logSoftmax(logitsA, 0, VOCAB.length);
  const lpB = logSoftmax(logitsB, 0, VOCAB.length);
  const top = (lp: Float64Array) =>
    topTokenIds(lp, 2).map((t) => ({ token: VOCAB[t.id]!, logprob: t.logprob }));
  return {
    token: VOCAB[id]!,
    logpA: lpA[id]!,
    logpB: lpB[id]!,
    kl: klDivergence(lpB, lpA),
    topA: top(lpA),
    topB: top(lpB),
  };
}

/** One answer " the license is MIT." + end of turn, B leaning to " license" and " MIT". */
function answer(promptId: string, side: Side, sample: number): ScoredAnswer {
  const flat = [0.5, 0.2, 0.1, 0, 0.3, -0.2];
  const tokens = [0, 1, 2, 3, 4, 5].map((id, i) => {
    const b = flat.map((x, j) => x + (j === id ? 1 + i * 0.1 : 0) + (j === 1 || j === 3 ? 2 : 0));
    return tokenScore(id, flat, b);
  });
  return { promptId, side, sample, tokens, ...scoreTotals(tokens) };
}

/** A good record: 2 prompts x 2 sides x 2 samples. */
function goodRecord(): ContrastiveScoresResult {
  return {
    version: CONTRASTIVE_SCORES_VERSION,
    modelA: 'transformers:tiny-base',
    modelB: 'transformers:tiny-finetune',
    sharedVocabulary: true,
    topK: 2,
    items: ['p0', 'p1'].flatMap((p) =>
      (['A', 'B'] as const).flatMap((side) => [0, 1].map((s) => answer(p, side, s))),
    ),
  };
}

/** A good record with one change made by `damage`, through a JSON round trip as if read from a file. */
function damaged(damage: (r: Record<string, unknown> & ContrastiveScoresResult) => void): unknown {
  const r = JSON.parse(JSON.stringify(goodRecord())) as Record<string, unknown> &
    ContrastiveScoresResult;
  damage(r);
  return r;
}

describe('contrastiveScoresProblem', () => {
  it('passes a good record, also after a JSON round trip', () => {
    const good = goodRecord();
    expect(good.items[0]!.llr).toBeGreaterThan(0);
    expect(contrastiveScoresProblem(good)).toBeNull();
    expect(contrastiveScoresProblem(JSON.parse(JSON.stringify(good)))).toBeNull();
  });

  it('passes a record without a shared vocabulary (null A values and KL, no top tokens)', () => {
    const r = damaged((r) => {
      r.sharedVocabulary = false;
      r.topK = 0;
      for (const item of r.items) {
        item.meanKl = null;
        item.tokens = item.tokens.map((t) => ({
          token: t.token,
          logpA: null,
          logpB: t.logpB,
          kl: null,
        }));
      }
    });
    expect(contrastiveScoresProblem(r)).toBeNull();
  });

  it('allows rounding: a log probability up to 1e-6 above 0 and a KL down to 1e-6 below', () => {
    const r = damaged((r) => {
      r.items[0]!.tokens[0]!.logpB = 5e-7;
      r.items[0]!.tokens[1]!.kl = -5e-7;
      r.items[0]!.meanKl = -1e-6;
    });
    expect(contrastiveScoresProblem(r)).toBeNull();
  });

  it.each([
    [
      'a positive log probability',
      (r: ContrastiveScoresResult) => (r.items[1]!.tokens[2]!.logpB = 0.5),
      'result.items[1].tokens[2].logpB: expected a log probability (a number ≤ 0), got the number 0.5',
    ],
    [
      'a positive total',
      (r: ContrastiveScoresResult) => (r.items[3]!.logpA = 2e-6),
      'result.items[3].logpA: expected a log probability (a number ≤ 0), got the number 0.000002',
    ],
    [
      'a negative KL',
      (r: ContrastiveScoresResult) => (r.items[0]!.tokens[4]!.kl = -0.01),
      'result.items[0].tokens[4].kl: expected a number ≥ 0, got the number -0.01',
    ],
    [
      'a negative mean KL',
      (r: ContrastiveScoresResult) => (r.items[2]!.meanKl = -0.5),
      'result.items[2].meanKl: expected a number ≥ 0, got the number -0.5',
    ],
    [
      'a side that is neither',
      (r: ContrastiveScoresResult) => ((r.items[5] as { side: string }).side = 'C'),
      'result.items[5].side: expected one of "A", "B", got "C"',
    ],
    [
      'a fractional sample',
      (r: ContrastiveScoresResult) => (r.items[6]!.sample = 1.5),
      'result.items[6].sample: expected a whole number, got the number 1.5',
    ],
    [
      'a negative sample',
      (r: ContrastiveScoresResult) => (r.items[6]!.sample = -1),
      'result.items[6].sample: expected a number ≥ 0, got the number -1',
    ],
    [
      'an infinite llr',
      (r: ContrastiveScoresResult) => (r.items[7]!.llr = Infinity),
      'result.items[7].llr: expected a finite number, got the number Infinity',
    ],
    [
      'a JSON null for a number (how NaN and Infinity come back from a file)',
      (r: ContrastiveScoresResult) => ((r.items[0]!.tokens[0] as { logpB: unknown }).logpB = null),
      'result.items[0].tokens[0].logpB: expected a number, got null',
    ],
    [
      'a damaged top token',
      (r: ContrastiveScoresResult) => (r.items[0]!.tokens[3]!.topB![1]!.logprob = 3),
      'result.items[0].tokens[3].topB[1].logprob: expected a log probability (a number ≤ 0), got the number 3',
    ],
    [
      'a missing tokens list',
      (r: ContrastiveScoresResult) => delete (r.items[4] as { tokens?: unknown }).tokens,
      'result.items[4]: expected an object with a "tokens" field',
    ],
    [
      'a fractional topK',
      (r: ContrastiveScoresResult) => (r.topK = 2.5),
      'result.topK: expected a whole number, got the number 2.5',
    ],
    [
      'a missing model name',
      (r: ContrastiveScoresResult) => delete (r as { modelB?: string }).modelB,
      'result: expected an object with a "modelB" field',
    ],
  ])('names %s at its path', (_what, damage, expected) => {
    const problem = contrastiveScoresProblem(damaged(damage));
    expect(problem).not.toBeNull();
    // The start: a missing field goes on to list the fields the object has.
    expect(problem?.slice(0, expected.length)).toBe(expected);
  });

  it('names a NaN in memory (a record not yet saved)', () => {
    const r = goodRecord();
    r.items[0]!.tokens[1]!.logpA = NaN;
    expect(contrastiveScoresProblem(r)).toMatch(
      /^result\.items\[0\]\.tokens\[1\]\.logpA: expected/,
    );
  });

  it('names another version and prefixes the given path', () => {
    const r = damaged((r) => ((r as { version: string }).version = 'contrastive-scores-9'));
    expect(contrastiveScoresProblem(r, 'analyses[3].result')).toMatch(
      /^analyses\[3\]\.result\.version: expected "contrastive-scores-1"/,
    );
    expect(contrastiveScoresProblem(null)).toMatch(/^result: expected/);
  });
});

describe('isContrastiveScoresResult', () => {
  it('recognises the version, damaged or not, and nothing else', () => {
    expect(isContrastiveScoresResult(goodRecord())).toBe(true);
    expect(isContrastiveScoresResult({ version: CONTRASTIVE_SCORES_VERSION })).toBe(true);
    expect(isContrastiveScoresResult({ version: 3 })).toBe(false);
    expect(isContrastiveScoresResult({ version: 'approval-clusters-1' })).toBe(false);
    expect(isContrastiveScoresResult(null)).toBe(false);
  });
});

describe('latestContrastiveScores', () => {
  const older = goodRecord();
  const newer = { ...goodRecord(), modelB: 'transformers:tiny-finetune-2' };
  const broken = damaged((r) => (r.items[0]!.side = 'X' as Side));
  const freeText = { version: 3, rows: [] };

  it('picks the newest usable scoring by createdAt, whatever the order of the records', () => {
    const records = [
      { createdAt: '2026-12-06T10:00:00.000Z', result: older },
      { createdAt: '2026-12-06T12:00:00.000Z', result: newer },
      { createdAt: '2026-12-06T13:00:00.000Z', result: freeText },
    ];
    expect(latestContrastiveScores(records)).toBe(newer);
    expect(latestContrastiveScores([...records].reverse())).toBe(newer);
  });

  it('passes a damaged newer scoring by', () => {
    const records = [
      { createdAt: '2026-12-06T10:00:00.000Z', result: older },
      { createdAt: '2026-12-06T14:00:00.000Z', result: broken },
    ];
    expect(latestContrastiveScores(records)).toBe(older);
  });

  it('gives the record’s own object, and undefined when there is no usable scoring', () => {
    const only = [{ createdAt: '2026-12-06T10:00:00.000Z', result: older }];
    expect(latestContrastiveScores(only)).toBe(older);
    expect(latestContrastiveScores([])).toBeUndefined();
    expect(
      latestContrastiveScores([
        { createdAt: '2026-12-06T10:00:00.000Z', result: freeText },
        { createdAt: '2026-12-06T11:00:00.000Z', result: broken },
      ]),
    ).toBeUndefined();
  });

  it('takes the later record on equal dates and ranks an unreadable date oldest', () => {
    const same = '2026-12-06T10:00:00.000Z';
    expect(
      latestContrastiveScores([
        { createdAt: same, result: older },
        { createdAt: same, result: newer },
      ]),
    ).toBe(newer);
    expect(
      latestContrastiveScores([
        { createdAt: '2026-12-06T09:00:00.000Z', result: older },
        { createdAt: 'yesterday', result: newer },
      ]),
    ).toBe(older);
  });
});
