/** Throughput and ETA from recent completions, robust to the slow first job (model warm-up). */

/** One finished job, for rate estimates. */
export interface Completion {
  /** When it finished, in ms (any monotonic clock). */
  at: number;
  tokens: number;
  /** How long it took, in ms. */
  durationMs: number;
}

/** Current throughput and a time estimate for the remaining jobs. */
export interface RateEstimate {
  tokensPerSecond: number | null;
  /** Seconds per job over the recent window. */
  secondsPerJob: number | null;
  etaSeconds: number | null;
}

/**
 * Estimates from the last `window` completions (job durations, not wall gaps, so a pause
 * does not inflate the ETA). Null until at least one job finished.
 */
export function estimateRate(
  completions: readonly Completion[],
  remainingJobs: number,
  window = 20,
): RateEstimate {
  const recent = completions.slice(-window);
  if (recent.length === 0) return { tokensPerSecond: null, secondsPerJob: null, etaSeconds: null };
  const ms = recent.reduce((sum, c) => sum + c.durationMs, 0);
  const tokens = recent.reduce((sum, c) => sum + c.tokens, 0);
  const secondsPerJob = ms / 1000 / recent.length;
  return {
    tokensPerSecond: ms > 0 ? (tokens * 1000) / ms : null,
    secondsPerJob,
    etaSeconds: secondsPerJob * remainingJobs,
  };
}

/** Where a phase of counted work (embedding 10,000 answers, say) started and where it is now. */
export interface PhaseProgress {
  /** ms (any monotonic clock) when the phase started, and its count then. */
  startedAt: number;
  startDone: number;
  now: number;
  done: number;
  total: number;
}

/**
 * Seconds left in a phase at its average rate so far; null until a second has passed and
 * something was done since the start (the first moments of a phase are mostly set-up).
 */
export function estimateRemaining(p: PhaseProgress): number | null {
  const elapsed = (p.now - p.startedAt) / 1000;
  const done = p.done - p.startDone;
  if (elapsed < 1 || done <= 0 || p.total <= p.done) return null;
  return ((p.total - p.done) * elapsed) / done;
}

/** "2 min 5 s", "45 s", "1 h 3 min": short human durations for progress lines. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
