/**
 * A run's contrastive scores as a saved analysis record: recognising one and checking one read
 * from a file or the database (valibot), so a damaged record is named and passed by, never shown.
 */
import * as v from 'valibot';
import { SIDES } from '../run/types';
import { issueToInputError } from '../run/valibot-errors';
import { CONTRASTIVE_SCORES_VERSION, type ContrastiveScoresResult } from './types';

/** Whether a saved analysis result is a contrastive scoring (every free-text view passes it by). */
export function isContrastiveScoresResult(result: unknown): boolean {
  return (
    typeof result === 'object' &&
    result !== null &&
    (result as { version?: unknown }).version === CONTRASTIVE_SCORES_VERSION
  );
}

// Scores are summed and averaged in float64 from float32 logits, so a log probability of a
// near-certain token can round a hair above 0 and the KL of equal distributions a hair below.
const ROUNDING = 1e-6;

const finite = v.pipe(v.number(), v.finite('a finite number'));
const logp = v.pipe(
  v.number(),
  v.finite('a finite number'),
  v.maxValue(ROUNDING, 'a log probability (a number ≤ 0)'),
);
const kl = v.pipe(v.number(), v.finite('a finite number'), v.minValue(-ROUNDING, 'a number ≥ 0'));
const count = v.pipe(v.number(), v.integer('a whole number'), v.minValue(0, 'a number ≥ 0'));
const topTokens = v.optional(v.array(v.object({ token: v.string(), logprob: logp })));

const tokenScore = v.object({
  token: v.string(),
  logpA: v.nullable(logp),
  logpB: logp,
  kl: v.nullable(kl),
  topA: topTokens,
  topB: topTokens,
});

const scoredAnswer = v.object({
  promptId: v.string(),
  side: v.picklist(SIDES),
  sample: count,
  logpA: logp,
  logpB: logp,
  llr: finite,
  meanKl: v.nullable(kl),
  tokens: v.array(tokenScore),
});

const contrastiveScoresV1 = v.object({
  version: v.literal(CONTRASTIVE_SCORES_VERSION),
  modelA: v.string(),
  modelB: v.string(),
  sharedVocabulary: v.boolean(),
  topK: count,
  items: v.array(scoredAnswer),
});

/** What is wrong with a saved contrastive scoring (path and expectation), or null when usable. */
export function contrastiveScoresProblem(result: unknown, where = 'result'): string | null {
  const parsed = v.safeParse(contrastiveScoresV1, result, { abortEarly: true });
  if (parsed.success) return null;
  // The InputError names the path and what was expected there; the file is the caller's to say.
  const issue = issueToInputError(parsed.issues[0], '', where);
  const got = issue.got === undefined ? '' : `, got ${issue.got}`;
  return `${issue.location ?? where}: expected ${issue.expected}${got}`;
}

/** The usable scoring of a run's analysis records, the newest first; undefined when there is none. */
export function latestContrastiveScores(
  analyses: readonly { createdAt: string; result: unknown }[],
): ContrastiveScoresResult | undefined {
  let best: { time: number; result: ContrastiveScoresResult } | undefined;
  for (const a of analyses) {
    if (!isContrastiveScoresResult(a.result) || contrastiveScoresProblem(a.result) !== null) {
      continue;
    }
    // An unreadable date sorts as the oldest; on equal dates the later record (saved after) wins.
    const parsed = Date.parse(a.createdAt);
    const time = Number.isNaN(parsed) ? -Infinity : parsed;
    // The record's own object, not a parsed copy: callers find the record by it.
    if (!best || time >= best.time) best = { time, result: a.result as ContrastiveScoresResult };
  }
  return best?.result;
}
