/** Which saved supervisor results belong to an analysis of a run. */
import type { Hypothesis, Run } from '../run/types';
import type { Explanation } from './types';

/** An analysis's supervisor results: its latest explanation and that explanation's hypotheses. */
export interface Supervision {
  explanation: Explanation;
  hypotheses: Hypothesis[];
}

/**
 * The latest explanation of analysis `analysisId` with its hypotheses (the user's own included),
 * or null when no supervisor has run on it.
 */
export function supervisionOf(
  run: Pick<Run, 'explanations' | 'hypotheses'>,
  analysisId: string,
): Supervision | null {
  const mine = run.explanations.filter((e) => e.analysisId === analysisId);
  const explanation = mine.reduce<Explanation | null>(
    (latest, e) => (!latest || e.createdAt >= latest.createdAt ? e : latest),
    null,
  );
  if (!explanation) return null;
  const hypotheses = run.hypotheses.filter((h) => h.explanationId === explanation.id);
  return { explanation, hypotheses };
}
