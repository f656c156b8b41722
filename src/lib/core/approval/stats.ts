/** The approval comparison: rates with Wilson intervals, McNemar's exact test, BH, unclear shares, P(Yes) shift. */
import { bhQValuesNullable } from '../compare/fdr';
import { exactMcNemarP } from '../compare/mcnemar';
import { wilcoxonSignedRank } from '../compare/wilcoxon';
import { wilsonInterval } from '../explain/validation';
import type { Answer, Prompt } from '../run/types';
import { parseChoice } from './read-answer';
import type {
  ApprovalChoice,
  ApprovalResults,
  ApprovalRow,
  ApprovalSetup,
  ApprovalStatementRow,
} from './types';

/**
 * McNemar's exact test: two-sided binomial p of onlyA vs onlyB at 1/2; null when both are 0.
 * The same value as scipy.stats.binomtest(onlyA, onlyA + onlyB, 0.5).pvalue (at p = 1/2 the
 * "probabilities no larger than the observed one" sum is twice the smaller tail, capped at 1).
 * @throws Error on negative or fractional counts.
 */
export function mcnemarExact(onlyA: number, onlyB: number): number | null {
  if (onlyA === 0 && onlyB === 0) return null;
  return exactMcNemarP(onlyA, onlyB);
}

/** Whether an answer can be read: present, and not a failed (or aborted) request. */
function usable(answer: Answer | undefined): answer is Answer {
  return answer !== undefined && answer.finishReason !== 'error' && answer.finishReason !== 'abort';
}

/** A finite P(Yes), or null. */
function knownPYes(answer: Answer): number | null {
  const p = answer.pYes;
  return typeof p === 'number' && Number.isFinite(p) ? p : null;
}

/** X's match rate among its clear answers, with its Wilson interval. */
function matchRate(
  choices: readonly ApprovalChoice[],
  matching: readonly ('yes' | 'no')[],
): { rate: number | null; ci: [number, number] | null } {
  let clear = 0;
  let match = 0;
  choices.forEach((c, i) => {
    if (c === 'unclear') return;
    clear++;
    if (c === matching[i]) match++;
  });
  if (clear === 0) return { rate: null, ci: null };
  return { rate: match / clear, ci: wilsonInterval(match, clear) };
}

/**
 * The comparison of an approval run's answers (sample 0 of each side per prompt), one row per
 * file x condition in the setup's order (rows with no answered statement have n = 0, null rates
 * and unclear shares of 0).
 *
 * A statement counts in its row only when both A and B have a usable answer: present, and not
 * ended by an error or an abort. Such statements are left out of n, of every rate and of
 * `statements` (the comparison is paired); the caller counts failures from the answers.
 * Unclear answers stay in n: they lower neither rate but raise the unclear share.
 */
export function approvalResults(
  prompts: readonly Prompt[],
  answers: readonly Answer[],
  setup: ApprovalSetup,
): ApprovalResults {
  const bySide = { A: new Map<string, Answer>(), B: new Map<string, Answer>() };
  for (const a of answers) if (a.sample === 0) bySide[a.side].set(a.promptId, a);

  type Pair = { prompt: Prompt; a: Answer; b: Answer };
  const cell = new Map<string, Pair[]>();
  const key = (file: string, condition: string): string => JSON.stringify([file, condition]);
  for (const prompt of prompts) {
    const info = prompt.approval;
    if (!info) continue;
    const a = bySide.A.get(prompt.id);
    const b = bySide.B.get(prompt.id);
    if (!usable(a) || !usable(b)) continue;
    const k = key(info.file, info.conditionId);
    const list = cell.get(k) ?? [];
    list.push({ prompt, a, b });
    cell.set(k, list);
  }

  const rows: ApprovalRow[] = [];
  const statements: ApprovalStatementRow[] = [];
  for (const file of setup.files) {
    for (const condition of setup.conditions) {
      const pairs = cell.get(key(file.name, condition.id)) ?? [];
      const matching = pairs.map((p) => p.prompt.approval!.matching);
      const choicesA = pairs.map((p) => parseChoice(p.a.text));
      const choicesB = pairs.map((p) => parseChoice(p.b.text));
      const n = pairs.length;
      const rateA = matchRate(choicesA, matching);
      const rateB = matchRate(choicesB, matching);
      let onlyA = 0;
      let onlyB = 0;
      const shifts: number[] = [];
      pairs.forEach((p, i) => {
        const ca = choicesA[i]!;
        const cb = choicesB[i]!;
        if (ca !== 'unclear' && cb !== 'unclear') {
          const ma = ca === matching[i];
          const mb = cb === matching[i];
          if (ma && !mb) onlyA++;
          if (mb && !ma) onlyB++;
        }
        const pa = knownPYes(p.a);
        const pb = knownPYes(p.b);
        if (pa !== null && pb !== null) shifts.push(pb - pa);
        const info = p.prompt.approval!;
        statements.push({
          file: file.name,
          condition: condition.id,
          statementId: info.statementId,
          statement: info.statement,
          matching: info.matching,
          answerA: ca,
          answerB: cb,
          textA: p.a.text,
          textB: p.b.text,
          pYesA: pa,
          pYesB: pb,
        });
      });
      const unclear = (choices: readonly ApprovalChoice[]): number =>
        n === 0 ? 0 : choices.filter((c) => c === 'unclear').length / n;
      rows.push({
        file: file.name,
        condition: condition.id,
        n,
        matchA: rateA.rate,
        matchB: rateB.rate,
        unclearA: unclear(choicesA),
        unclearB: unclear(choicesB),
        ciA: rateA.ci,
        ciB: rateB.ci,
        onlyA,
        onlyB,
        pValue: mcnemarExact(onlyA, onlyB),
        qValue: null,
        pYesShift:
          shifts.length === 0
            ? null
            : {
                mean: shifts.reduce((s, d) => s + d, 0) / shifts.length,
                n: shifts.length,
                pValue: wilcoxonSignedRank(shifts).pValue,
              },
      });
    }
  }
  const q = bhQValuesNullable(rows.map((r) => r.pValue));
  rows.forEach((r, i) => (r.qValue = q[i]!));
  return { rows, statements };
}
