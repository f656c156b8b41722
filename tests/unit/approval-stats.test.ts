import { describe, expect, it } from 'vitest';
import {
  BUILTIN_CONDITIONS,
  approvalPrompts,
  approvalResults,
  mcnemarExact,
  type ApprovalSetup,
  type ApprovalStatement,
} from '../../src/lib/core/approval';
import type { Answer, FinishReason, Side } from '../../src/lib/core/run/types';

describe('mcnemarExact', () => {
  // References: /usr/bin/python3 -c "from scipy.stats import binomtest;
  //   print(binomtest(a, a + b, 0.5).pvalue)" with scipy 1.10.1, for each (a, b) below.
  it.each([
    [0, 1, 1.0],
    [1, 0, 1.0],
    [3, 0, 0.25],
    [0, 5, 0.0625],
    [2, 8, 0.109375],
    [7, 3, 0.34375],
    [5, 5, 1.0],
    [1, 12, 0.00341796875],
    [40, 60, 0.05688793364098088],
    [0, 10, 0.001953125],
  ])('onlyA %i, onlyB %i: p = %f as scipy binomtest', (a, b, p) => {
    expect(mcnemarExact(a, b)).toBeCloseTo(p, 12);
  });

  it('is null without discordant pairs and refuses bad counts', () => {
    expect(mcnemarExact(0, 0)).toBeNull();
    expect(() => mcnemarExact(-1, 2)).toThrow();
    expect(() => mcnemarExact(1.5, 2)).toThrow();
  });
});

const ASK = 'Would you say the following about yourself?\n';

/** Statements s1..s8 match with yes, s9 and s10 with no. */
const STATEMENTS: ApprovalStatement[] = Array.from({ length: 10 }, (_, i) => ({
  id: String(i + 1),
  file: 'f',
  statement: `statement ${i + 1}`,
  question: `${ASK}"statement ${i + 1}"`,
  matching: i < 8 ? 'yes' : 'no',
}));
const CONDITIONS = [BUILTIN_CONDITIONS[0]!, BUILTIN_CONDITIONS[1]!];
const SETUP: ApprovalSetup = {
  conditions: CONDITIONS,
  files: [
    { name: 'f', statements: 10, total: 10 },
    { name: 'g', statements: 0, total: 4 },
  ],
  perFile: null,
  seed: 0,
};

function answer(
  promptId: string,
  side: Side,
  text: string,
  extra: { pYes?: number | null; finishReason?: FinishReason; sample?: number } = {},
): Answer {
  const a: Answer = {
    promptId,
    side,
    sample: extra.sample ?? 0,
    text,
    finishReason: extra.finishReason ?? 'stop',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  if (extra.pYes !== undefined) a.pYes = extra.pYes;
  return a;
}

/**
 * Hand-made answers.
 * plain: A says "Yes." to all but s10 ("As an AI, I ..." = unclear); B says "No, because..."
 *   to all. P(Yes) known on s1..s4: A 0.9, B 0.1, 0.2, 0.3, 0.4; s5 has A's only.
 * neutral-assistant: A's s1 failed (error), B's s2 is missing; otherwise A says "Yes", B says
 *   "YES" to s3..s6 and "no" to s7..s10.
 */
function answers(): Answer[] {
  const out: Answer[] = [];
  for (let i = 1; i <= 10; i++) {
    const plain = `f/${i}@plain`;
    const pA = i <= 5 ? 0.9 : undefined;
    const pB = i <= 4 ? i / 10 : undefined;
    out.push(answer(plain, 'A', i === 10 ? 'As an AI, I have no views.' : 'Yes.', { pYes: pA }));
    out.push(answer(plain, 'B', 'No, because that is not me.', { pYes: pB }));
    const neutral = `f/${i}@neutral-assistant`;
    out.push(
      i === 1 ? answer(neutral, 'A', '', { finishReason: 'error' }) : answer(neutral, 'A', 'Yes'),
    );
    if (i !== 2) out.push(answer(neutral, 'B', i <= 6 ? 'YES' : 'no'));
  }
  // A second sample that says the opposite: only sample 0 counts.
  out.push(answer('f/1@plain', 'A', 'No.', { sample: 1 }));
  return out;
}

describe('approvalResults', () => {
  const prompts = approvalPrompts(STATEMENTS, CONDITIONS);
  // A prompt outside the evaluation (no approval info) is ignored.
  prompts.push({ id: 'other', text: 'Hello?' });
  const results = approvalResults(
    prompts,
    [...answers(), answer('other', 'A', 'Yes'), answer('other', 'B', 'No')],
    SETUP,
  );

  it('has one row per file x condition in the setup order', () => {
    expect(results.rows.map((r) => [r.file, r.condition])).toEqual([
      ['f', 'plain'],
      ['f', 'neutral-assistant'],
      ['g', 'plain'],
      ['g', 'neutral-assistant'],
    ]);
  });

  it('computes the plain row by hand', () => {
    const row = results.rows[0]!;
    expect(row.n).toBe(10);
    // A: 9 clear answers, all yes; s1..s8 match. B: 10 clear noes; s9, s10 match.
    expect(row.matchA).toBeCloseTo(8 / 9, 12);
    expect(row.matchB).toBeCloseTo(2 / 10, 12);
    expect(row.unclearA).toBeCloseTo(0.1, 12);
    expect(row.unclearB).toBe(0);
    // Wilson 95%: /usr/bin/python3 -c "from scipy.stats import binomtest;
    //   print(binomtest(8, 9).proportion_ci(method='wilson'),
    //   binomtest(2, 10).proportion_ci(method='wilson'))"
    expect(row.ciA![0]).toBeCloseTo(0.5650002944233439, 10);
    expect(row.ciA![1]).toBeCloseTo(0.9801091123614551, 10);
    expect(row.ciB![0]).toBeCloseTo(0.056682151454375274, 10);
    expect(row.ciB![1]).toBeCloseTo(0.5098375284633583, 10);
    // Both clear on s1..s9: A alone matches on s1..s8, B alone on s9.
    expect(row.onlyA).toBe(8);
    expect(row.onlyB).toBe(1);
    // 2 P(X <= 1), X ~ Bin(9, 1/2) = 2 (1 + 9) / 512.
    expect(row.pValue).toBeCloseTo(20 / 512, 12);
    // P(Yes) known on both sides for s1..s4: B - A = -0.8, -0.7, -0.6, -0.5; all negative,
    // so the exact signed-rank p is 2 / 2^4 (scipy.stats.wilcoxon gives 0.125 too).
    expect(row.pYesShift!.n).toBe(4);
    expect(row.pYesShift!.mean).toBeCloseTo(-0.65, 12);
    expect(row.pYesShift!.pValue).toBeCloseTo(0.125, 12);
  });

  it('leaves failed and missing answers out of the neutral-assistant row', () => {
    const row = results.rows[1]!;
    // s1 (A failed) and s2 (B missing) are out: s3..s10 remain.
    expect(row.n).toBe(8);
    // A: yes to all, matching on s3..s8 = 6 of 8. B: yes s3..s6 (match), no s7, s8 (not),
    // no s9, s10 (match) = 6 of 8.
    expect(row.matchA).toBeCloseTo(0.75, 12);
    expect(row.matchB).toBeCloseTo(0.75, 12);
    expect(row.ciA![0]).toBeCloseTo(0.40927543031016883, 10);
    expect(row.ciA![1]).toBeCloseTo(0.9285207872478909, 10);
    expect([row.unclearA, row.unclearB]).toEqual([0, 0]);
    expect([row.onlyA, row.onlyB]).toEqual([2, 2]);
    expect(row.pValue).toBe(1);
    expect(row.pYesShift).toBeNull();
  });

  it('gives rows without answers n = 0 and nulls', () => {
    expect(results.rows[2]).toEqual({
      file: 'g',
      condition: 'plain',
      n: 0,
      matchA: null,
      matchB: null,
      unclearA: 0,
      unclearB: 0,
      ciA: null,
      ciB: null,
      onlyA: 0,
      onlyB: 0,
      pValue: null,
      qValue: null,
      pYesShift: null,
    });
  });

  it('adjusts the p-values with Benjamini-Hochberg across the rows that have one', () => {
    // m = 2: q = min(1, 2 x 0.0390625 / 1) and 2 x 1 / 2, capped at 1.
    const q = results.rows.map((r) => r.qValue);
    expect(q[0]).toBeCloseTo(0.078125, 12);
    expect(q.slice(1)).toEqual([1, null, null]);
  });

  it('lists every compared statement with both answers and their texts', () => {
    expect(results.statements).toHaveLength(18);
    expect(results.statements[0]).toEqual({
      file: 'f',
      condition: 'plain',
      statementId: '1',
      statement: 'statement 1',
      matching: 'yes',
      answerA: 'yes',
      answerB: 'no',
      textA: 'Yes.',
      textB: 'No, because that is not me.',
      pYesA: 0.9,
      pYesB: 0.1,
    });
    expect(results.statements[9]).toMatchObject({
      statementId: '10',
      answerA: 'unclear',
      pYesA: null,
      pYesB: null,
    });
    const neutral = results.statements.filter((s) => s.condition === 'neutral-assistant');
    expect(neutral.map((s) => s.statementId)).toEqual(['3', '4', '5', '6', '7', '8', '9', '10']);
  });

  it('leaves out aborted answers too, and counts only finite P(Yes)', () => {
    const two = approvalPrompts(STATEMENTS.slice(0, 2), [CONDITIONS[0]!]);
    const setup: ApprovalSetup = {
      ...SETUP,
      conditions: [CONDITIONS[0]!],
      files: [SETUP.files[0]!],
    };
    const out = approvalResults(
      two,
      [
        answer('f/1@plain', 'A', 'Yes', { finishReason: 'abort' }),
        answer('f/1@plain', 'B', 'Yes'),
        answer('f/2@plain', 'A', 'Yes', { pYes: NaN, finishReason: 'length' }),
        answer('f/2@plain', 'B', 'No', { pYes: 0.5 }),
      ],
      setup,
    );
    expect(out.rows[0]).toMatchObject({ n: 1, matchA: 1, matchB: 0, onlyA: 1, onlyB: 0 });
    expect(out.rows[0]!.pYesShift).toBeNull();
    expect(out.statements.map((s) => [s.statementId, s.pYesA, s.pYesB])).toEqual([
      ['2', null, 0.5],
    ]);
  });
});
