/**
 * Generation on the run screen: builds both sides' backends, runs the GenerationQueue, and
 * mirrors its snapshots into runes for the progress view. Every answer is already stored by
 * the queue; this only shows it.
 */
import type { ChatBackend } from '../backends/llm/types';
import { missingJobs, planJobs } from '../core/generate/jobs';
import { SIDES, type Answer, type Run, type Side } from '../core/run/types';
import type { AppState } from './app.svelte';
import { appChatBackend } from './chat-backends';
import { describeError } from './describe-error';
import { GenerationQueue, type QueueSnapshot } from './generation-queue';
import { getCapabilities } from '../backends/capabilities';

/** Answers shown in the run view are refreshed at most this often while generating. */
const FLUSH_MS = 400;

/** Whether a run's answers can be generated here (imported answers have no model to run). */
export function canGenerate(run: Run): boolean {
  return run.models.A.backend !== 'imported' && run.models.B.backend !== 'imported';
}

/** How many of a run's jobs still lack an answer. */
export function missingCount(run: Run): number {
  return missingJobs(planJobs(run.prompts, run.samplesPerPrompt), run.answers).length;
}

/** State of the generation panel of one run. */
export class GenerationState {
  snapshot = $state.raw<QueueSnapshot | null>(null);
  error = $state<string | null>(null);
  #queue: GenerationQueue | null = null;
  #pending: Answer[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | null = null;

  /** `onAnswers` receives newly stored answers in batches; `onDone` runs when all jobs finished. */
  constructor(
    private readonly app: AppState,
    private readonly onAnswers: (answers: Answer[]) => void,
    private readonly onDone: () => void,
  ) {}

  /** True while the queue loads a model or generates. */
  get active(): boolean {
    const state = this.snapshot?.state;
    return state === 'loading' || state === 'running';
  }

  /** Starts (or resumes) generating the run's missing answers. */
  async start(run: Run): Promise<void> {
    this.error = null;
    try {
      if (!this.#queue) this.#queue = await this.#createQueue(run);
      const final = await this.#queue.start();
      this.#flush();
      if (final.state === 'done' && final.failed === 0) this.onDone();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** Pauses after aborting the answer in flight (it is regenerated on resume). */
  pause(): void {
    this.#queue?.pause();
  }

  /** Stops for good; stored answers stay. */
  cancel(): void {
    this.#queue?.cancel();
  }

  /** Retries the jobs that failed. */
  async retryFailed(): Promise<void> {
    if (!this.#queue) return;
    await this.#queue.retryFailed();
    this.#flush();
  }

  /** Stops work when the run screen closes (the queue would otherwise keep the GPU busy). */
  dispose(): void {
    this.#queue?.pause();
    this.#flush();
  }

  async #createQueue(run: Run): Promise<GenerationQueue> {
    const caps = await getCapabilities();
    const secrets = this.app.sessionSecrets.forRun(run.id);
    // Sides with the same model (system-prompt and sampling interventions) share one backend.
    const backends = new Map<string, ChatBackend>();
    const backendFor = (side: Side): ChatBackend => {
      const spec = run.models[side];
      const key = `${spec.backend}|${spec.modelId}|${spec.baseUrl ?? ''}`;
      let backend = backends.get(key);
      if (!backend) {
        backend = appChatBackend(
          { ...spec, ...secrets?.[side] },
          { webgpu: caps.webgpu && !caps.fallbackAdapter },
        );
        backends.set(key, backend);
      }
      return backend;
    };
    for (const side of SIDES) backendFor(side);
    const repo = await this.app.repo();
    const webllm = run.models.A.backend === 'webllm' || run.models.B.backend === 'webllm';
    const queue = new GenerationQueue(
      {
        runId: run.id,
        prompts: run.prompts,
        models: run.models,
        samplesPerPrompt: run.samplesPerPrompt,
        // Two WebLLM models rarely fit in GPU memory together: finish A, then load B.
        order: webllm && backends.size > 1 ? 'one-model-at-a-time' : 'side-by-side',
      },
      { repo, backendFor },
    );
    queue.subscribe((snapshot, event) => {
      this.snapshot = snapshot;
      if (event.type === 'answer') this.#queueAnswer(event.answer);
    });
    return queue;
  }

  #queueAnswer(answer: Answer): void {
    this.#pending.push(answer);
    this.#flushTimer ??= setTimeout(() => this.#flush(), FLUSH_MS);
  }

  #flush(): void {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.onAnswers(batch);
  }
}
