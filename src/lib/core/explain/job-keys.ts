/**
 * The job keys of supervisor requests: stable across sessions and unique within a run, so a
 * stored reply (a supervisor log entry with this key) marks its job done and "continue" asks
 * only what is missing. Parts are joined with '|'; ids that contain '|' are escaped.
 */
import type { Side } from '../run/types';
import type { SupervisorStep } from './types';

const escape = (part: string | number): string => String(part).replace(/[\\|]/g, (c) => `\\${c}`);
const join = (step: SupervisorStep, ...parts: (string | number)[]): string =>
  [step, ...parts].map(escape).join('|');

/** Keys of every supervisor job kind. */
export const jobKeys = {
  /** The side-by-side property request of one prompt; `attempt` 1 is the repair request. */
  properties: (explanationId: string, promptId: string, attempt = 0): string =>
    join('properties', explanationId, promptId, attempt),
  /** Naming one property cluster, keyed by a hash of its member texts (clusters can change). */
  propertyName: (explanationId: string, membersHash: string): string =>
    join('property-names', explanationId, membersHash),
  /** The label of one answer cluster of an analysis. */
  label: (analysisId: string, cluster: number): string => join('labels', analysisId, cluster),
  /** The one request that proposes hypotheses from the discovery half. */
  proposals: (explanationId: string): string => join('proposals', explanationId),
  /** One judgement of a hypothesis on a held-out prompt, with `first` shown as answer 1. */
  judgement: (hypothesisId: string, promptId: string, first: Side): string =>
    join('judgements', hypothesisId, promptId, first),
};

/** A job key's parts, unescaped: [step, owner (explanation, analysis or hypothesis id), ...]. */
export function parseJobKey(key: string): string[] {
  const parts: string[] = [];
  let part = '';
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    if (c === '\\' && i + 1 < key.length) part += key[++i];
    else if (c === '|') {
      parts.push(part);
      part = '';
    } else part += c;
  }
  parts.push(part);
  return parts;
}

/** The step a job key belongs to (its first part). */
export function stepOfKey(key: string): SupervisorStep {
  return key.slice(0, key.indexOf('|')) as SupervisorStep;
}
