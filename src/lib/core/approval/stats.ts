/** The approval comparison: rates with Wilson intervals, McNemar's exact test, BH, unclear shares, P(Yes) shift. */
import type { Answer, Prompt } from '../run/types';
import type { ApprovalResults, ApprovalSetup } from './types';

/** McNemar's exact test: two-sided binomial p of onlyA vs onlyB at 1/2; null when both are 0. */
export function mcnemarExact(onlyA: number, onlyB: number): number | null {
  void onlyA;
  void onlyB;
  throw new Error('not built yet');
}

/** The comparison of an approval run's answers (sample 0 of each side per prompt). */
export function approvalResults(
  prompts: readonly Prompt[],
  answers: readonly Answer[],
  setup: ApprovalSetup,
): ApprovalResults {
  void prompts;
  void answers;
  void setup;
  throw new Error('not built yet');
}
