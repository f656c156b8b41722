/**
 * A run's contrastive scores as a saved analysis record: recognising one and checking one read
 * from a file or the database (valibot), so a damaged record is named and passed by, never shown.
 */
import { CONTRASTIVE_SCORES_VERSION, type ContrastiveScoresResult } from './types';

/** Whether a saved analysis result is a contrastive scoring (every free-text view passes it by). */
export function isContrastiveScoresResult(result: unknown): boolean {
  return (
    typeof result === 'object' &&
    result !== null &&
    (result as { version?: unknown }).version === CONTRASTIVE_SCORES_VERSION
  );
}

/** What is wrong with a saved contrastive scoring (path and expectation), or null when usable. */
export function contrastiveScoresProblem(result: unknown, where = 'result'): string | null {
  void result;
  void where;
  throw new Error('not built yet');
}

/** The usable scoring of a run's analysis records, the newest first; undefined when there is none. */
export function latestContrastiveScores(
  analyses: readonly { createdAt: string; result: unknown }[],
): ContrastiveScoresResult | undefined {
  void analyses;
  throw new Error('not built yet');
}
