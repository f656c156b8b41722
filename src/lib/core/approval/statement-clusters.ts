/** Statements embedded and clustered, each cluster with its approval rates, terms and a hierarchy. */
import type { Matrix } from '../vectors/matrix';
import type { ApprovalClusters, ApprovalResults } from './types';

/** Unique statements of the results (`file/statementId` keys, their text), in the order to embed them. */
export function statementsToEmbed(results: ApprovalResults): { key: string; text: string }[] {
  void results;
  throw new Error('not built yet');
}

/** Clusters the embedded statements (k by silhouette unless given) with rates, terms and hierarchy. */
export function approvalClusters(
  results: ApprovalResults,
  vectors: Matrix,
  options: { embedderId: string; seed: number; k?: number },
): ApprovalClusters {
  void results;
  void vectors;
  void options;
  throw new Error('not built yet');
}
