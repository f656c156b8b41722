/**
 * The approval panel of a run: the comparison of its answers (recomputed as answers arrive),
 * the table's sort, and clustering the statements with the analysis' chosen embedder in the
 * embed worker, saved with the run as an analysis record the free-text views pass by.
 */
import { approvalResults } from '../core/approval/stats';
import { approvalClusters, statementsToEmbed } from '../core/approval/statement-clusters';
import type { ApprovalClusters, ApprovalResults } from '../core/approval/types';
import {
  clusterMembersHash,
  statementLabelRequest,
  unlabelledClusters,
  withLabels,
  type LabelledApprovalClusters,
} from '../core/approval/cluster-labels';
import { egressPreview } from '../core/explain/egress';
import type { EgressPreview } from '../core/explain/types';
import {
  APPROVAL_CLUSTERS_VERSION,
  approvalClustersProblem,
  isApprovalClustersResult,
} from '../core/analysis/result-schema';
import type { AnalysisRecord, Run } from '../core/run/types';
import { approvalExport, approvalMarkdown, reportApproval } from '../core/report/approval-text';
import { cell } from '../core/report/markdown';
import type { Matrix } from '../core/vectors/matrix';
import { matrix } from '../core/vectors/matrix';
import { redactText } from '../backends/llm/redact';
import type { AnalysisState } from './analysis.svelte';
import type { AppState } from './app.svelte';
import { describeError } from './describe-error';
import { downloadFile, fileStem } from './download';
import { Task, type TaskContext } from './task.svelte';
import { nameStatementClusters, type ClusterNamingJob } from './approval-cluster-naming';
import { kindDefaults, type SupervisorSettingsState } from './supervisor-settings.svelte';
import type { ProgressUpdate } from '../workers/rpc';

/** The seed statement clusterings use (k-means starts, silhouette samples). */
export const APPROVAL_CLUSTER_SEED = 1;

/** Statements sent to the embedder at once. */
const EMBED_BATCH = 64;

/** The `params` of a saved statement clustering. */
export interface ApprovalClustersParams {
  kind: 'approval-clusters';
  embedderId: string;
  seed: number;
}

/** A statement clustering saved with a run. */
export interface SavedApprovalClusters {
  id: string;
  createdAt: string;
  /** The seed it was made with (the record's params), kept when labels are added. */
  seed: number;
  clusters: LabelledApprovalClusters;
}

/** The newest readable statement clustering among a run's analyses, or null. */
export function savedApprovalClusters(
  records: readonly AnalysisRecord[],
): SavedApprovalClusters | null {
  const readable = records
    .filter((r) => isApprovalClustersResult(r.result) && !approvalClustersProblem(r.result))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const newest = readable[0];
  if (!newest) return null;
  const { version: _version, ...clusters } = newest.result as LabelledApprovalClusters & {
    version: string;
  };
  const seed = typeof newest.params.seed === 'number' ? newest.params.seed : APPROVAL_CLUSTER_SEED;
  return { id: newest.id, createdAt: newest.createdAt, seed, clusters };
}

/** The analysis record a statement clustering is saved as. */
export function approvalClustersRecord(
  clusters: LabelledApprovalClusters,
  seed: number,
  createdAt: string,
  id = `approval-clusters-${Date.parse(createdAt).toString(36)}${Math.random().toString(36).slice(2, 6)}`,
): AnalysisRecord {
  const params: ApprovalClustersParams = {
    kind: 'approval-clusters',
    embedderId: clusters.embedderId,
    seed,
  };
  return {
    id,
    createdAt,
    params: { ...params },
    result: { version: APPROVAL_CLUSTERS_VERSION, ...clusters },
  };
}

/** An embedder ready to embed statements: its id and one batch at a time. */
export interface StatementEmbedder {
  embedderId: string;
  embed(texts: string[]): Promise<Matrix>;
}

/**
 * Embeds the results' statements in batches (reporting progress) and clusters them.
 * @throws when the embedder fails or returns vectors of different lengths.
 */
export async function clusterStatements(
  results: ApprovalResults,
  embedder: StatementEmbedder,
  seed: number,
  context: Pick<TaskContext, 'signal' | 'progress'>,
): Promise<ApprovalClusters> {
  const items = statementsToEmbed(results);
  if (items.length < 2) throw new Error('There are fewer than two statements to cluster.');
  const parts: Matrix[] = [];
  for (let start = 0; start < items.length; start += EMBED_BATCH) {
    context.signal.throwIfAborted();
    const batch = items.slice(start, start + EMBED_BATCH).map((s) => s.text);
    parts.push(await embedder.embed(batch));
    context.progress({ phase: 'embedding', done: start + batch.length, total: items.length });
  }
  const dims = parts[0]!.dims;
  const all = matrix(items.length, dims);
  let offset = 0;
  for (const part of parts) {
    if (part.dims !== dims)
      throw new RangeError(`the embedder returned ${part.dims} dimensions after ${dims}`);
    all.data.set(part.data, offset * dims);
    offset += part.rows;
  }
  if (offset !== items.length)
    throw new RangeError(`the embedder returned ${offset} vectors for ${items.length} statements`);
  return approvalClusters(results, all, { embedderId: embedder.embedderId, seed });
}

/**
 * Whether a supervisor setup can name clusters: no problem with it, and more than the untouched
 * default (the OpenAI API without a key can only refuse).
 */
export function supervisorConfigured(
  settings: SupervisorSettingsState | null | undefined,
): boolean {
  if (!settings || settings.problem !== null) return false;
  if (!settings.needsKey || settings.apiKey.trim() !== '') return true;
  return settings.baseUrl.trim() !== kindDefaults(settings.kind).baseUrl;
}

/** The naming jobs of the saved clustering's clusters that have no label fitting their members. */
export function clusterNamingJobs(
  saved: Pick<SavedApprovalClusters, 'id' | 'clusters'>,
  results: ApprovalResults,
): ClusterNamingJob[] {
  const texts = new Map(statementsToEmbed(results).map((s) => [s.key, s.text]));
  return unlabelledClusters(saved.clusters).map((cluster) => ({
    clusterId: cluster.id,
    membersHash: clusterMembersHash(cluster),
    request: statementLabelRequest(saved.id, cluster, texts),
  }));
}

/** The naming requests waiting for the user's approval, and what they would send. */
export interface NamingPreview {
  jobs: ClusterNamingJob[];
  preview: EgressPreview;
}

/** The comparison of an approval run's answers, or why it cannot be computed. */
export function approvalOf(run: Run): { results: ApprovalResults | null; error: string | null } {
  if (!run.approval) return { results: null, error: null };
  try {
    return { results: approvalResults(run.prompts, run.answers, run.approval), error: null };
  } catch (error) {
    return {
      results: null,
      error: `The approval results cannot be computed: ${describeError(error)}`,
    };
  }
}

/** State of the approval panel of one run. */
export class ApprovalViewState {
  /** The statement clustering shown: the newest saved, or the one just made. */
  clusters = $state.raw<SavedApprovalClusters | null>(null);
  /** The naming requests shown before they are sent (remote supervisors), or null. */
  naming = $state.raw<NamingPreview | null>(null);
  /** What the last naming left undone (clusters without a label, and why), or null. */
  namingNotice = $state<string | null>(null);
  readonly #task = new Task();
  readonly #naming = new Task();

  constructor(private readonly app: AppState) {}

  /** True while the statements are embedded and clustered. */
  get busy(): boolean {
    return this.#task.busy;
  }

  /** The step under way. */
  get step(): string | null {
    return this.#task.step;
  }

  /** How far the embedding is. */
  get progress(): ProgressUpdate | null {
    return this.#task.progress;
  }

  /** Why the last clustering failed, or null. */
  get error(): string | null {
    return this.#task.error;
  }

  /** True while the supervisor names the clusters. */
  get namingBusy(): boolean {
    return this.#naming.busy;
  }

  /** The naming step under way, or null. */
  get namingStep(): string | null {
    return this.#naming.step;
  }

  /** Why the last naming failed as a whole, or null. */
  get namingError(): string | null {
    return this.#naming.error;
  }

  /** Shows the statement clustering saved with the run. */
  load(run: Run): void {
    this.clusters = savedApprovalClusters(run.analyses);
    this.naming = null;
    this.namingNotice = null;
  }

  /**
   * Names the clusters without a label: a remote supervisor first gets a preview of exactly what
   * will be sent (sent by `sendNames`); a supervisor in this browser is asked at once.
   */
  async nameClusters(
    run: Run,
    results: ApprovalResults,
    settings: SupervisorSettingsState,
  ): Promise<void> {
    const saved = this.clusters;
    if (!saved) return;
    this.namingNotice = null;
    const jobs = clusterNamingJobs(saved, results);
    if (jobs.length === 0) {
      this.namingNotice = 'Every cluster already has a label.';
      return;
    }
    this.naming = {
      jobs,
      preview: egressPreview(
        jobs.map((j) => j.request),
        settings.provider,
        settings.model.trim(),
      ),
    };
    if (settings.inBrowser) await this.sendNames(run, settings);
  }

  /**
   * Sends the previewed naming requests (the user's approval), saves the labels read into the
   * clustering's record and shows them; clusters whose request failed keep no label.
   */
  async sendNames(run: Run, settings: SupervisorSettingsState): Promise<void> {
    const pending = this.naming;
    const saved = this.clusters;
    if (!pending || !saved) return;
    this.naming = null;
    const secrets = settings.secrets();
    await this.#naming.run(async ({ signal, step }) => {
      try {
        await this.#sendNames(run, settings, pending, saved, { signal, step });
      } catch (error) {
        // A backend's error may echo the key; the message shown must not.
        if (signal.aborted) throw error;
        throw new Error(redactText(describeError(error), secrets), { cause: error });
      }
    });
  }

  /** The naming itself: send, log, read, save; errors are the caller's to redact. */
  async #sendNames(
    run: Run,
    settings: SupervisorSettingsState,
    pending: NamingPreview,
    saved: SavedApprovalClusters,
    { signal, step }: Pick<TaskContext, 'signal' | 'step'>,
  ): Promise<void> {
    step(`Asking ${settings.model.trim()} to name ${pending.jobs.length} clusters`);
    const repo = await this.app.repo();
    const outcome = await nameStatementClusters(pending.jobs, {
      backend: await settings.createBackend(),
      store: {
        appendSupervisorLog: (runId, entry) =>
          repo.appendSupervisorLog(runId, entry, settings.secrets()),
      },
      runId: run.id,
      provider: settings.provider,
      model: settings.model.trim(),
      temperature: settings.temperature,
      secrets: settings.secrets(),
      signal,
    });
    signal.throwIfAborted();
    // The clustering shown may have been replaced meanwhile: the labels belong to this one.
    const current = this.clusters?.id === saved.id ? this.clusters : saved;
    const clusters = withLabels(current.clusters, outcome.labels);
    if (outcome.labels.length > 0) {
      const record = approvalClustersRecord(clusters, current.seed, current.createdAt, current.id);
      await repo.putAnalysis(run.id, record);
      if (this.clusters?.id === saved.id) this.clusters = { ...current, clusters };
    }
    this.namingNotice =
      outcome.failures.length === 0
        ? null
        : [`${outcome.failures.length} cluster(s) got no label:`, ...outcome.failures].join(' ');
  }

  /** Drops the naming preview without sending it, or stops the naming under way. */
  cancelNames(): void {
    this.naming = null;
    this.#naming.cancel();
  }

  /**
   * Embeds the statements with the analysis panel's embedder, clusters them and saves the
   * result with the run; `onsaved` gets the record so the page's run can show it.
   */
  async cluster(
    run: Run,
    results: ApprovalResults,
    analysis: AnalysisState,
    onsaved?: (record: AnalysisRecord) => void,
  ): Promise<void> {
    await this.#task.run(async (context) => {
      context.step('Loading the embedder');
      const embedder = await analysis.loadChosenEmbedder(context);
      context.step('Embedding the statements');
      const clusters = await clusterStatements(results, embedder, APPROVAL_CLUSTER_SEED, context);
      context.signal.throwIfAborted();
      const record = approvalClustersRecord(
        clusters,
        APPROVAL_CLUSTER_SEED,
        new Date().toISOString(),
      );
      await (await this.app.repo()).putAnalysis(run.id, record);
      this.clusters = {
        id: record.id,
        createdAt: record.createdAt,
        seed: APPROVAL_CLUSTER_SEED,
        clusters,
      };
      onsaved?.(record);
    });
  }

  /** Cancels the clustering under way; nothing is saved. */
  cancel(): void {
    this.#task.cancel();
  }

  /** Downloads the approval results as JSON (the shape `npm run approval` writes) or Markdown. */
  download(run: Run, results: ApprovalResults, kind: 'json' | 'markdown'): void {
    const stem = `${fileStem(run.name)}-approval`;
    if (kind === 'json') {
      const json = JSON.stringify(approvalExport(results), null, 1);
      downloadFile(`${stem}.json`, json, 'application/json');
      return;
    }
    if (!run.approval) return;
    const text = [
      `# Approval evaluation: ${cell(run.name, 200)}`,
      '',
      `A = ${cell(run.models.A.label)}, B = ${cell(run.models.B.label)}.`,
      '',
      approvalMarkdown(reportApproval(results, run.approval)),
    ].join('\n');
    downloadFile(`${stem}.md`, text, 'text/markdown;charset=utf-8');
  }
}
