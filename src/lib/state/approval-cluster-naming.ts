/**
 * Names the statement clusters of an approval run with the supervisor: one request per cluster,
 * sent one after another (a handful of clusters; a browser model answers one at a time anyway),
 * each logged with the run like every supervisor request and its reply read as a short label.
 */
import { redactText } from '../backends/llm/redact';
import type { ChatBackend } from '../backends/llm/types';
import { parseLabelReply } from '../core/explain/naming-prompts';
import type { SupervisorRequest } from '../core/explain/types';
import type { StatementClusterLabel } from '../core/approval/cluster-labels';
import type { SupervisorLogEntry } from '../core/run/types';
import { describeError } from './describe-error';
import { askSupervisor, supervisorLogEntry } from './supervisor-call';

/** One cluster's naming request, with what its label is kept with. */
export interface ClusterNamingJob {
  clusterId: number;
  membersHash: string;
  request: SupervisorRequest;
}

/** What sends the requests and where they are logged. */
export interface ClusterNamingDeps {
  backend: ChatBackend;
  store: { appendSupervisorLog(runId: string, entry: SupervisorLogEntry): Promise<void> };
  runId: string;
  /** Who answers, as logged (no credentials). */
  provider: string;
  model: string;
  temperature: number;
  /** Credential values redacted from the log and from failure messages. */
  secrets: readonly string[];
  signal?: AbortSignal;
  /** Clock for the log's times; default Date.now. */
  now?: () => number;
}

/** The labels read, and why the other clusters got none (one line per cluster). */
export interface ClusterNamingOutcome {
  labels: StatementClusterLabel[];
  failures: string[];
}

/**
 * Sends each job's request, logs it, and reads its reply as a label. A failed request or an
 * unreadable reply costs only that cluster's label; an abort stops before the next request.
 */
export async function nameStatementClusters(
  jobs: readonly ClusterNamingJob[],
  deps: ClusterNamingDeps,
): Promise<ClusterNamingOutcome> {
  const labels: StatementClusterLabel[] = [];
  const failures: string[] = [];
  for (const job of jobs) {
    deps.signal?.throwIfAborted();
    const meta = {
      provider: deps.provider,
      model: deps.model,
      temperature: deps.temperature,
      at: new Date((deps.now ?? Date.now)()).toISOString(),
      attempts: 1,
      secrets: deps.secrets,
    };
    try {
      const reply = await askSupervisor(deps.backend, job.request, {
        temperature: deps.temperature,
        ...(deps.signal ? { signal: deps.signal } : {}),
      });
      await deps.store.appendSupervisorLog(
        deps.runId,
        supervisorLogEntry(job.request, reply, meta),
      );
      const parsed = parseLabelReply(reply.reply);
      if (parsed.ok) {
        labels.push({
          clusterId: job.clusterId,
          label: parsed.value.label,
          membersHash: job.membersHash,
        });
      } else {
        failures.push(`Cluster ${job.clusterId}: the reply could not be read (${parsed.reason}).`);
      }
    } catch (error) {
      if (deps.signal?.aborted) throw error;
      await deps.store.appendSupervisorLog(
        deps.runId,
        supervisorLogEntry(job.request, { error }, meta),
      );
      failures.push(redactText(`Cluster ${job.clusterId}: ${describeError(error)}`, deps.secrets));
    }
  }
  return { labels, failures };
}
