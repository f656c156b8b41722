import { describe, expect, it } from 'vitest';
import { jobKey, missingJobs, planJobs } from '../../src/lib/core/generate/jobs';
import { estimateRate, estimateRemaining, formatDuration } from '../../src/lib/core/generate/rate';
import type { Answer, Prompt } from '../../src/lib/core/run/types';

const prompts: Prompt[] = [
  { id: 'p1', text: 'one' },
  { id: 'p2', text: 'two' },
  { id: 'p3', text: 'three' },
];

function answer(
  promptId: string,
  side: 'A' | 'B',
  sample: number,
  finishReason: Answer['finishReason'] = 'stop',
): Answer {
  return { promptId, side, sample, text: 'x', finishReason, createdAt: '2026-01-01T00:00:00Z' };
}

describe('planJobs', () => {
  it('plans prompts x samples x 2 unique jobs in both orders', () => {
    for (const order of ['side-by-side', 'one-model-at-a-time'] as const) {
      const jobs = planJobs(prompts, 2, order);
      expect(jobs).toHaveLength(12);
      expect(new Set(jobs.map(jobKey)).size).toBe(12);
    }
  });

  it('interleaves sides per prompt, or runs all of A before B', () => {
    expect(
      planJobs(prompts, 1)
        .slice(0, 4)
        .map((j) => `${j.promptId}${j.side}`),
    ).toEqual(['p1A', 'p1B', 'p2A', 'p2B']);
    const oneAtATime = planJobs(prompts, 1, 'one-model-at-a-time').map((j) => j.side);
    expect(oneAtATime).toEqual(['A', 'A', 'A', 'B', 'B', 'B']);
  });
});

describe('missingJobs', () => {
  it('leaves out answered jobs, keeps failed ones for a retry, keeps length-capped answers', () => {
    const jobs = planJobs(prompts, 1);
    const answers = [
      answer('p1', 'A', 0),
      answer('p1', 'B', 0, 'error'),
      answer('p2', 'A', 0, 'length'),
    ];
    expect(missingJobs(jobs, answers).map(jobKey)).toEqual(
      [
        { promptId: 'p1', side: 'B', sample: 0 },
        { promptId: 'p2', side: 'B', sample: 0 },
        { promptId: 'p3', side: 'A', sample: 0 },
        { promptId: 'p3', side: 'B', sample: 0 },
      ].map((j) => jobKey(j as never)),
    );
  });

  it('is empty once every job has an answer, even if answers arrive twice', () => {
    const jobs = planJobs(prompts, 2);
    const answers = jobs.flatMap((j) => [
      answer(j.promptId, j.side, j.sample),
      answer(j.promptId, j.side, j.sample),
    ]);
    expect(missingJobs(jobs, answers)).toEqual([]);
  });
});

describe('estimateRate', () => {
  it('is unknown before the first completion', () => {
    expect(estimateRate([], 10)).toEqual({
      tokensPerSecond: null,
      secondsPerJob: null,
      etaSeconds: null,
    });
  });

  it('uses job durations over the recent window', () => {
    const completions = [
      { at: 0, tokens: 1000, durationMs: 60_000 }, // warm-up outlier, outside the window
      { at: 1, tokens: 50, durationMs: 1000 },
      { at: 2, tokens: 150, durationMs: 3000 },
    ];
    const rate = estimateRate(completions, 10, 2);
    expect(rate.tokensPerSecond).toBeCloseTo(50);
    expect(rate.secondsPerJob).toBeCloseTo(2);
    expect(rate.etaSeconds).toBeCloseTo(20);
  });
});

describe('formatDuration', () => {
  it('formats seconds, minutes and hours', () => {
    expect(formatDuration(45.4)).toBe('45 s');
    expect(formatDuration(125)).toBe('2 min 5 s');
    expect(formatDuration(3780)).toBe('1 h 3 min');
    expect(formatDuration(Number.NaN)).toBe('–');
  });
});

describe('estimateRemaining', () => {
  const phase = { startedAt: 1000, startDone: 0, total: 10_000 };
  it('extrapolates the phase average: 2,000 of 10,000 in 4 s leaves 16 s', () => {
    expect(estimateRemaining({ ...phase, now: 5000, done: 2000 })).toBeCloseTo(16, 10);
  });
  it('counts from where the phase started, not from zero', () => {
    // 500 already cached at the start; 1,500 more in 3 s: 8,000 left at 500/s.
    const resumed = { ...phase, startDone: 500, now: 4000, done: 2000 };
    expect(estimateRemaining(resumed)).toBeCloseTo(16, 10);
  });
  it('says nothing in the first second, before any progress, or once done', () => {
    expect(estimateRemaining({ ...phase, now: 1500, done: 900 })).toBeNull();
    expect(estimateRemaining({ ...phase, now: 9000, done: 0 })).toBeNull();
    expect(estimateRemaining({ ...phase, now: 9000, done: 10_000 })).toBeNull();
  });
});
