/**
 * What a supervisor run adds to REPORT.json: `labels`, `properties` and `hypotheses` (written by
 * report/supervisor-text.ts, the same numbers the app and the reports show) and `supervisor`,
 * who the supervisor was and how much it was asked.
 */
import { reportSupervisor, type ReportSupervisor } from '../report/supervisor-text';
import type { Hypothesis } from '../run/types';
import type { Explanation } from './types';

/** Who the supervisor was and how far it got. */
export interface ReportSupervisorRun {
  provider: string;
  model: string;
  seed: number;
  discoveryPrompts: number;
  heldOutPrompts: number;
  /**
   * Requests sent by the command line's run (retries included; replies reused from a cache not
   * counted); null in reports made in the app, where a run may span several sessions.
   */
  requests: number | null;
  /** Why the run stopped before the end (cap, refused key, failures), or null. */
  stopped: string | null;
  /** Replies per step and how many could not be read (counted, never guessed). */
  replies: NonNullable<Explanation['replies']>;
}

/** The supervisor's part of REPORT.json. */
export interface ReportSupervisorFields extends ReportSupervisor {
  supervisor: ReportSupervisorRun;
}

/** REPORT.json's supervisor fields from an explanation and its hypotheses. */
export function reportSupervisorFields(
  explanation: Explanation,
  hypotheses: readonly Hypothesis[],
  run: { requests: number | null; stopped: string | null } = { requests: null, stopped: null },
): ReportSupervisorFields {
  return {
    ...reportSupervisor(explanation, hypotheses),
    supervisor: {
      provider: explanation.settings.provider,
      model: explanation.settings.model,
      seed: explanation.settings.seed,
      discoveryPrompts: explanation.discoveryPromptIds.length,
      heldOutPrompts: explanation.heldOutPromptIds.length,
      requests: run.requests,
      stopped: run.stopped,
      replies: explanation.replies ?? {},
    },
  };
}
