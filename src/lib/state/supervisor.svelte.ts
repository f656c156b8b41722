/**
 * The supervisor panel's page state: drives a SupervisorRunner stage by stage. For a remote
 * supervisor every stage is previewed first (exactly what will be sent, with the prompts the
 * user excluded left out and answers cut to the length they chose) and sent only when approved;
 * a supervisor in this browser sends nothing anywhere, so its stages run one after the other.
 * Progress, a cap or a cancel stop cleanly; "continue" plans only what is still missing.
 */
import { egressPreview, withoutPrompts } from '../core/explain/egress';
import type { EgressPreview, Explanation, SupervisorRequest } from '../core/explain/types';
import type { Hypothesis, Run } from '../core/run/types';
import type { ChatBackend } from '../backends/llm/types';
import { redactText } from '../backends/llm/redact';
import { describeError } from './describe-error';
import type { JobQueueSnapshot } from './job-queue';
import {
  SupervisorRunner,
  type StagePlan,
  type SupervisorDeps,
  type SupervisorInput,
  type SupervisorStage,
  type SupervisorStore,
} from './supervisor-runner';
import type { SupervisorSettingsState } from './supervisor-settings.svelte';

/** What the page needs of a runner (SupervisorRunner; tests pass a small stand-in). */
export type SupervisorRunnerApi = Pick<
  SupervisorRunner,
  'explanationId' | 'nextStage' | 'runStage' | 'cancel' | 'outcome'
>;

/** Builds a runner. */
export type CreateSupervisorRunner = (
  input: SupervisorInput,
  deps: SupervisorDeps,
) => SupervisorRunnerApi;

/** Builds what the user sees of a stage's requests. */
export type EgressPreviewer = (
  requests: SupervisorRequest[],
  provider: string,
  model: string,
) => EgressPreview;

/** What the page state works with. */
export interface SupervisorPageDeps {
  /** Where replies, explanations and hypotheses are stored (the run repository). */
  store(): Promise<SupervisorStore>;
  /** Embeds texts (property clustering, the offline AUC). */
  embed(texts: string[]): Promise<Float32Array[]>;
  createRunner?: CreateSupervisorRunner;
  egress?: EgressPreviewer;
}

/**
 * setup: choosing the supervisor; planning: building the next stage; preview: waiting for the
 * user's approval; running: sending; stopped: cancelled, capped or failed (continue resumes);
 * done: nothing is missing.
 */
export type SupervisorPhase = 'setup' | 'planning' | 'preview' | 'running' | 'stopped' | 'done';

/** The stages in words, for headings and buttons. */
export const STAGE_TITLES: Record<SupervisorStage, string> = {
  describe: 'Describe: properties per prompt and cluster labels',
  'name-properties': 'Name the property clusters',
  propose: 'Propose hypotheses from the discovery half',
  judge: 'Judge every hypothesis on the held-out half',
};

/**
 * `run` with `analysis` among its analyses. An analysis just run is saved and shown, but the
 * run the page holds was read before it: without this the supervisor of a fresh analysis finds
 * no analysis to explain (and no embedder) until the page is reloaded.
 */
export function runWithAnalysis(
  run: Run,
  analysis: { id: string; createdAt: string; result: { params: object } },
): Run {
  if (run.analyses.some((a) => a.id === analysis.id)) return run;
  const record = {
    id: analysis.id,
    createdAt: analysis.createdAt,
    params: { ...analysis.result.params },
    result: analysis.result,
  };
  return { ...run, analyses: [record, ...run.analyses] };
}

/** Answers are cut to this many characters unless the user chooses otherwise. */
export const DEFAULT_MAX_ANSWER_CHARS = 1500;

/** State of the supervisor panel of one analysis. */
export class SupervisorState {
  phase = $state<SupervisorPhase>('setup');
  /** The stage about to be sent (excluded prompts already left out), while previewing. */
  plan = $state.raw<StagePlan | null>(null);
  preview = $state.raw<EgressPreview | null>(null);
  /** Every prompt the stage carries with nothing excluded: the preview's checkboxes. */
  stagePromptIds = $state.raw<string[]>([]);
  excluded = $state.raw<ReadonlySet<string>>(new Set());
  maxAnswerChars = $state(DEFAULT_MAX_ANSWER_CHARS);
  snapshot = $state.raw<JobQueueSnapshot | null>(null);
  /** Requests sent by this panel so far, over every stage (what the cap counts). */
  spent = $state(0);
  error = $state<string | null>(null);
  /** Why the last stage stopped early, in words, when it was not an error. */
  notice = $state<string | null>(null);
  outcome = $state.raw<{ explanation: Explanation; hypotheses: Hypothesis[] } | null>(null);
  #runner: SupervisorRunnerApi | null = null;
  #backend: ChatBackend | null = null;
  #stage = $state<SupervisorStage | null>(null);
  #cancelled = false;
  readonly #createRunner: CreateSupervisorRunner;
  readonly #egress: EgressPreviewer;

  constructor(
    readonly settings: SupervisorSettingsState,
    private readonly input: {
      run: Pick<Run, 'id' | 'prompts' | 'answers' | 'analyses'>;
      analysisId: string;
    },
    private readonly deps: SupervisorPageDeps,
  ) {
    this.#createRunner = deps.createRunner ?? ((i, d) => new SupervisorRunner(i, d));
    this.#egress = deps.egress ?? egressPreview;
  }

  /** True while something is being planned or sent. */
  get busy(): boolean {
    return this.phase === 'planning' || this.phase === 'running';
  }

  /** The stage previewed or running, or null. */
  get stage(): SupervisorStage | null {
    return this.#stage;
  }

  /** Requests the cap still allows (null: no cap). */
  get remaining(): number | null {
    const cap = this.settings.maxRequests;
    return cap === null ? null : Math.max(0, cap - this.spent);
  }

  /** Starts a supervisor run with the setup's settings (or resumes one with the same settings). */
  async start(): Promise<void> {
    const problem = this.settings.problem;
    if (problem) {
      this.error = problem;
      return;
    }
    this.#backend = null;
    this.spent = 0;
    this.excluded = new Set();
    await this.#advance();
  }

  /** Resumes after a stop: plans only what is still missing. */
  async continue(): Promise<void> {
    // The setup may have changed while stopped (a new key after a refusal, a raised cap).
    this.#backend = null;
    await this.#advance();
  }

  /** Leaves a prompt out of what is sent, or puts it back; the preview follows. */
  async toggleExcluded(promptId: string): Promise<void> {
    const next = new Set(this.excluded);
    if (!next.delete(promptId)) next.add(promptId);
    this.excluded = next;
    if (this.phase === 'preview') await this.#plan();
  }

  /** Cuts every answer to `chars` characters in what is sent; the preview follows. */
  async setMaxAnswerChars(chars: number): Promise<void> {
    if (!Number.isFinite(chars) || chars < 1) return;
    this.maxAnswerChars = Math.round(chars);
    if (this.phase === 'preview') await this.#plan();
  }

  /** Sends the previewed stage (the user's approval), then previews the next one. */
  async send(): Promise<void> {
    if (this.phase !== 'preview' || !this.plan || !this.#runner) return;
    if (await this.#run(this.#runner, this.plan)) await this.#advance();
  }

  /** Stops what is running (stored replies stay), or drops the preview without sending it. */
  cancel(): void {
    this.#cancelled = true;
    if (this.phase === 'running') {
      this.#runner?.cancel();
      return;
    }
    if (this.phase === 'preview' || this.phase === 'planning') {
      this.plan = null;
      this.preview = null;
      this.notice = 'Cancelled: nothing of this stage was sent.';
      this.phase = 'stopped';
    }
  }

  /** Plans the next stage; a browser supervisor runs it at once, a remote one waits for `send`. */
  async #advance(): Promise<void> {
    this.#cancelled = false;
    this.error = null;
    this.notice = null;
    for (;;) {
      const planned = await this.#plan(true);
      if (!planned || this.phase !== 'preview') return;
      if (!this.settings.inBrowser) return;
      if (!(await this.#run(this.#runner!, this.plan!))) return;
    }
  }

  /**
   * Builds the next stage's plan with the current exclusions and truncation, on a fresh runner
   * (a runner keeps exclusions for good; the user may put a prompt back). False on failure.
   */
  async #plan(newStage = false): Promise<boolean> {
    this.phase = 'planning';
    try {
      const runner = await this.#newRunner();
      const plan = await runner.nextStage({
        excludedPromptIds: [...this.excluded],
        maxAnswerChars: this.maxAnswerChars,
      });
      if (this.#cancelled) return false;
      this.#runner = runner;
      if (!plan) {
        this.plan = null;
        this.preview = null;
        this.#stage = null;
        this.outcome = await runner.outcome();
        this.phase = 'done';
        return true;
      }
      if (newStage || plan.stage !== this.#stage) {
        this.stagePromptIds = [];
        this.#stage = plan.stage;
      }
      // An excluded prompt never leaves, even inside a request the runner did not reshape.
      const requests = withoutPrompts(plan.requests, this.excluded);
      const seen = new Set(this.stagePromptIds);
      for (const r of plan.requests) for (const id of r.promptIds) seen.add(id);
      this.stagePromptIds = [...seen];
      this.plan = { stage: plan.stage, requests };
      this.preview = this.#egress(requests, this.settings.provider, this.settings.model.trim());
      this.phase = 'preview';
      return true;
    } catch (error) {
      this.#fail(error);
      return false;
    }
  }

  /** Sends a plan; true when every request of it was answered and stored. */
  async #run(runner: SupervisorRunnerApi, plan: StagePlan): Promise<boolean> {
    this.phase = 'running';
    this.snapshot = null;
    // What was previewed is being sent: a later preview shows only what is still missing.
    this.plan = null;
    this.preview = null;
    try {
      const before = this.spent;
      const final = await runner.runStage(plan, (snapshot) => {
        this.snapshot = snapshot;
        this.spent = before + snapshot.requestsSpent;
      });
      this.snapshot = final;
      this.spent = before + final.requestsSpent;
      this.outcome = await runner.outcome();
      const failed = final.failures.length;
      if (final.state === 'done' && failed === 0) return true;
      this.phase = 'stopped';
      this.notice = stopNotice(final, this.settings.maxRequests);
      if (final.state === 'error' && final.error) this.error = this.#redact(final.error.message);
      return false;
    } catch (error) {
      this.#fail(error);
      return false;
    }
  }

  async #newRunner(): Promise<SupervisorRunnerApi> {
    this.#backend ??= await this.settings.createBackend();
    return this.#createRunner(
      {
        run: this.input.run,
        analysisId: this.input.analysisId,
        settings: this.settings.supervisorSettings(),
      },
      {
        backend: this.#backend,
        store: await this.deps.store(),
        embed: this.deps.embed,
        concurrency: this.settings.concurrency,
        maxRequests: this.remaining,
        secrets: this.settings.secrets(),
      },
    );
  }

  #redact(text: string): string {
    return redactText(text, this.settings.secrets());
  }

  #fail(error: unknown): void {
    this.error = this.#redact(describeError(error));
    this.phase = 'stopped';
  }
}

/** Why a stage stopped before everything was stored, and what "continue" will do. */
function stopNotice(snapshot: JobQueueSnapshot, cap: number | null): string | null {
  const failed = snapshot.failures.length;
  switch (snapshot.state) {
    case 'capped':
      return `Stopped at the spending cap${cap === null ? '' : ` of ${cap} requests`}: raise the cap, then continue.`;
    case 'cancelled':
      return 'Cancelled: every reply received so far is kept; continue sends only what is missing.';
    case 'error':
      return null;
    default:
      return failed > 0
        ? `${failed} request${failed === 1 ? '' : 's'} failed after retries: continue tries ${failed === 1 ? 'it' : 'them'} again.`
        : null;
  }
}
