/**
 * Generation on the run screen: builds both sides' backends, runs the GenerationQueue, and
 * mirrors its snapshots into runes for the progress view. Every answer is already stored by
 * the queue; this only shows it.
 */
import type { ChatBackend } from '../backends/llm/types';
import { missingJobs, planJobs } from '../core/generate/jobs';
import { SIDES, type Answer, type Run, type Side } from '../core/run/types';
import { LocalFolderMismatchError, LocalFolderNeededError } from '../core/local-model/errors';
import type { LocalFolderInfo } from '../core/local-model/types';
import type { AppState } from './app.svelte';
import type { LocalFolders } from './local-folders.svelte';
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

/** A folder a run's model comes from that is not picked in this tab, and which sides use it. */
export interface NeededFolder {
  folder: LocalFolderInfo;
  sides: Side[];
}

/**
 * The folders `run` still needs before it can generate here: each side's `localFolder` (and an
 * amplified side's base model's) that `isPicked` does not know, once per folder (both sides of a
 * system-prompt run share one).
 */
export function neededFolders(
  run: Pick<Run, 'models'>,
  isPicked: (hash: string) => boolean,
): NeededFolder[] {
  const needed = new Map<string, NeededFolder>();
  for (const side of SIDES) {
    // An amplified side needs its base model's folder too.
    const spec = run.models[side];
    for (const folder of [spec.localFolder, spec.amplify?.base.localFolder]) {
      if (!folder || isPicked(folder.hash)) continue;
      const entry = needed.get(folder.hash);
      if (!entry) needed.set(folder.hash, { folder, sides: [side] });
      else if (!entry.sides.includes(side)) entry.sides.push(side);
    }
  }
  return [...needed.values()];
}

/** What the run screen says about a folder it needs, e.g. after a reload. */
export function neededFolderMessage({ folder, sides }: NeededFolder): string {
  const mb = folder.totalBytes / 1e6;
  const size = `${mb.toFixed(mb < 10 ? 1 : 0)} MB`;
  const who = sides.length > 1 ? `models ${sides.join(' and ')} come` : `model ${sides[0]} comes`;
  return (
    `This run's ${who} from the folder "${folder.name}" on this computer ` +
    `(${folder.files.length} files, ${size}): its files are never stored, so pick it again to go on.`
  );
}

/**
 * Whether a folder picked to replace `expected` is the model the run used; when it is not, the
 * LocalFolderMismatchError message saying so.
 */
export function pickedFolderMismatch(
  expected: LocalFolderInfo,
  picked: LocalFolderInfo,
): string | null {
  return picked.hash === expected.hash
    ? null
    : new LocalFolderMismatchError(expected, picked).message;
}

/** State of the generation panel of one run. */
export class GenerationState {
  snapshot = $state.raw<QueueSnapshot | null>(null);
  error = $state<string | null>(null);
  /**
   * The folder generation stopped for: a model from a folder not picked in this tab. Not an
   * answer's failure; the panel asks for the folder, and Resume goes on once it is picked.
   */
  folderNeeded = $state.raw<LocalFolderNeededError | null>(null);
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
    this.folderNeeded = null;
    try {
      this.#checkFolders(run);
      if (!this.#queue) this.#queue = await this.#createQueue(run);
      const final = await this.#queue.start();
      this.#flush();
      if (final.state === 'error' && final.error?.name === 'LocalFolderNeededError') {
        // Thrown by a backend while loading: the queue stopped; this asks for the folder.
        this.#dropQueue();
        this.#checkFolders(run);
      }
      if (final.state === 'done' && final.failed === 0) this.onDone();
    } catch (error) {
      if (error instanceof LocalFolderNeededError) {
        this.folderNeeded = error;
        this.#dropQueue();
      } else this.error = describeError(error);
    }
  }

  /** The tab's picked folders, where the panel re-picks a run's folder. */
  get localFolders(): LocalFolders {
    return this.app.localFolders;
  }

  /**
   * The folders `run` needs picked before it can generate in this tab; a folder picked with the
   * right identity but failing its check (its dtype's weights gone, say) is still needed.
   */
  neededFolders(run: Pick<Run, 'models'>): NeededFolder[] {
    const folders = this.app.localFolders;
    return neededFolders(run, (hash) => folders.byHash(hash)?.check.ok === true);
  }

  // Throws for the first side whose folder is not picked, before any model loads.
  #checkFolders(run: Run): void {
    const [first] = this.neededFolders(run);
    if (first) throw new LocalFolderNeededError(first.folder, first.sides.join(' and '));
  }

  // Backends hold the folders they were built with: a queue made before a re-pick is rebuilt.
  #dropQueue(): void {
    this.#queue?.cancel();
    this.#queue = null;
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
      // Two folders may share a name: their identity hash tells them apart.
      // An amplified side runs the same model as the plain one: its amplification tells them apart.
      const amplified = spec.amplify
        ? JSON.stringify([
            spec.amplify.alpha,
            spec.amplify.base.modelId,
            spec.amplify.base.localFolder?.hash,
          ])
        : '';
      const key = `${spec.backend}|${spec.modelId}|${spec.baseUrl ?? ''}|${spec.localFolder?.hash ?? ''}|${amplified}`;
      let backend = backends.get(key);
      if (!backend) {
        backend = appChatBackend(
          { ...spec, ...secrets?.[side] },
          {
            webgpu: caps.webgpu && !caps.fallbackAdapter,
            localFolders: this.app.localFolders,
            side,
          },
        );
        backends.set(key, backend);
      }
      return backend;
    };
    for (const side of SIDES) backendFor(side);
    // The service worker must serve this page before a folder model's files can be fetched.
    if (SIDES.some((side) => run.models[side].localFolder)) await this.app.localFolders.ready();
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
