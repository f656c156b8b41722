/**
 * The generation plan: every (prompt, side, sample) job of a run, and which of them are still
 * missing. Answers are keyed the same way in IndexedDB, so "resume" is just "run the missing
 * jobs": no job can run twice into two answers.
 */
import { SIDES, type Answer, type Prompt, type Side } from '../run/types';

/** One answer to produce. */
export interface GenerationJob {
  promptId: string;
  side: Side;
  sample: number;
}

/**
 * The identity of a job or an answer as one string, for sets and maps. The answers store keys the
 * same three fields as an array (see persistence/db.ts), so no stored data depends on this form.
 */
export function jobKey(job: Pick<GenerationJob, 'promptId' | 'side' | 'sample'>): string {
  return `${job.promptId}\u0000${job.side}\u0000${job.sample}`;
}

/** Job order: all of one side first when models load one at a time, else interleaved. */
export type JobOrder = 'side-by-side' | 'one-model-at-a-time';

/**
 * Every job of a run in running order. Interleaving A and B per prompt keeps partial runs
 * comparable; one model at a time avoids swapping models in and out of GPU memory.
 */
export function planJobs(
  prompts: readonly Prompt[],
  samplesPerPrompt: number,
  order: JobOrder = 'side-by-side',
  sides: readonly Side[] = SIDES,
): GenerationJob[] {
  const jobs: GenerationJob[] = [];
  if (order === 'one-model-at-a-time') {
    for (const side of sides)
      for (const prompt of prompts)
        for (let sample = 0; sample < samplesPerPrompt; sample++)
          jobs.push({ promptId: prompt.id, side, sample });
  } else {
    for (const prompt of prompts)
      for (let sample = 0; sample < samplesPerPrompt; sample++)
        for (const side of sides) jobs.push({ promptId: prompt.id, side, sample });
  }
  return jobs;
}

/**
 * The jobs that still need an answer. An answer that failed (finishReason 'error') counts as
 * missing so it is retried; one cut at the token limit is a real answer and is kept.
 */
export function missingJobs(
  jobs: readonly GenerationJob[],
  answers: readonly Answer[],
): GenerationJob[] {
  const done = new Set(answers.filter((a) => a.finishReason !== 'error').map(jobKey));
  return jobs.filter((job) => !done.has(jobKey(job)));
}
