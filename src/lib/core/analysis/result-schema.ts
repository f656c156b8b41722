/**
 * Saved analyses are checked before the app uses them: a result arrives from run files and
 * from storage written by other app versions, and the results view reads every field without
 * asking. The schema is chosen by `result.version`, so a later version adds its own schema
 * here and results saved under an older one stay readable by theirs.
 */
import * as v from 'valibot';
import { SIDES, type AnalysisRecord } from '../run/types';
import { issueToInputError } from '../run/valibot-errors';
import type { AnalysisResult } from './pipeline';
import { contrastiveScoresProblem, isContrastiveScoresResult } from '../contrastive/record';
import type { ContrastiveScoresResult } from '../contrastive/types';

const num = v.number();
const nullableNum = v.nullable(v.number());
const count = v.pipe(v.number(), v.integer('a whole number'), v.minValue(0, 'a number ≥ 0'));
const side = v.picklist(SIDES);
const metric = v.picklist(['euclidean', 'cosine'] as const);
const numberOrAuto = v.union([v.number(), v.literal('auto')]);

const paramsV1 = v.object({
  embedderId: v.string(),
  embedInput: v.picklist(['answer', 'prompt+answer'] as const),
  projection: v.picklist(['umap', 'pca'] as const),
  clustering: v.picklist(['kmeans', 'ward', 'hdbscan'] as const),
  k: numberOrAuto,
  kMin: num,
  kMax: num,
  minClusterSize: numberOrAuto,
  seed: num,
  nPermutations: num,
  stabilitySeeds: num,
});

const clusterV1 = v.object({
  id: v.pipe(v.number(), v.integer('a whole number')),
  size: count,
  countA: count,
  countB: count,
  shareA: num,
  shareB: num,
  difference: num,
  ciLow: nullableNum,
  ciHigh: nullableNum,
  pValue: num,
  qValue: num,
  terms: v.array(v.string()),
  exemplars: v.object({ a: v.array(v.string()), b: v.array(v.string()) }),
  exemplarAnswers: v.object({ a: v.array(count), b: v.array(count) }),
});

const featureV1 = v.object({
  name: v.string(),
  meanA: num,
  meanB: num,
  effect: nullableNum,
  meanDifference: nullableNum,
  pValue: nullableNum,
  qValue: nullableNum,
  nPairs: count,
  nZeros: count,
  test: v.nullable(v.picklist(['exact', 'approx'] as const)),
});

const wordV1 = v.object({ term: v.string(), z: num, delta: num, countA: count, countB: count });

const promptV1 = v.object({
  prompt: v.string(),
  promptIndex: count,
  divergence: num,
  cross: num,
  withinA: nullableNum,
  withinB: nullableNum,
  noiseFloor: nullableNum,
  adjusted: v.boolean(),
  nA: count,
  nB: count,
});

const comparisonV1 = v.object({
  overall: v.object({
    method: v.literal('energy'),
    statistic: num,
    pValue: num,
    metric,
    nPermutations: count,
    nAnswers: count,
    subsampled: v.boolean(),
  }),
  clusters: v.array(clusterV1),
  features: v.array(featureV1),
  words: v.object({ moreInA: v.array(wordV1), moreInB: v.array(wordV1) }),
  prompts: v.array(promptV1),
  params: v.object({
    seed: num,
    nPermutations: count,
    nBootstrap: count,
    confidence: num,
    energyMetric: metric,
    energyMaxAnswers: count,
    divergenceMetric: metric,
    priorScale: num,
    minWordCount: count,
    topWords: count,
    topTerms: count,
    exemplarsPerSide: count,
  }),
  counts: v.object({
    answers: count,
    answersA: count,
    answersB: count,
    prompts: count,
    pairedPrompts: count,
  }),
});

/** Fields that must agree with each other, or the map and tables would index past an array. */
function consistencyProblem(
  r: Pick<v.InferOutput<typeof fieldsV1>, 'rows' | 'projection' | 'labels' | 'tree' | 'n'> & {
    comparison: Pick<v.InferOutput<typeof fieldsV1>['comparison'], 'clusters'>;
  },
): string | null {
  const n = r.rows.length;
  if (r.labels.length !== n) return `labels has ${r.labels.length} entries for ${n} rows`;
  if (r.projection.length !== 2 * n) {
    return `projection has ${r.projection.length} numbers for ${n} rows (2 per row)`;
  }
  if (r.n.answersA + r.n.answersB !== n) {
    return `n counts ${r.n.answersA + r.n.answersB} answers for ${n} rows`;
  }
  if (r.tree && (r.tree.n !== n || r.tree.merges.length !== 4 * Math.max(0, n - 1))) {
    return `tree does not join the ${n} rows (n ${r.tree.n}, ${r.tree.merges.length / 4} merges)`;
  }
  for (const c of r.comparison.clusters) {
    const indices = [...c.exemplarAnswers.a, ...c.exemplarAnswers.b];
    if (indices.some((i) => i >= n)) return `cluster ${c.id} points at an answer beyond row ${n}`;
  }
  return null;
}

const fieldsV1 = v.object({
  version: v.literal(1),
  params: paramsV1,
  n: v.object({ prompts: count, answersA: count, answersB: count }),
  rows: v.array(v.object({ promptId: v.string(), side, sample: count })),
  projection: v.instance(Float32Array),
  labels: v.instance(Int32Array),
  clustering: v.object({
    method: v.picklist(['kmeans', 'ward', 'hdbscan'] as const),
    k: count,
    silhouettes: v.array(v.object({ k: num, silhouette: num })),
    noise: count,
    stability: v.nullable(v.object({ mean: num, min: num, pairs: v.array(num) })),
  }),
  tree: v.nullable(v.object({ n: count, merges: v.instance(Float64Array) })),
  comparison: comparisonV1,
  timings: v.record(v.string(), num),
});

const resultV1 = v.pipe(
  fieldsV1,
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = consistencyProblem(dataset.value);
    if (problem) addIssue({ message: `consistent fields (${problem})` });
  }),
);

// Version 2: words are tested by presence per answer (word-presence.ts) and the per-token
// log-odds moved to `wordsLogOdds`.
const wordV2 = v.object({
  term: v.string(),
  z: num,
  countA: count,
  countB: count,
  pValue: nullableNum,
  qValue: nullableNum,
});

// Version 2 also gives each prompt its length ratio, length-adjusted divergence and the
// opening lines of both answers (length-adjusted-divergence.ts).
const promptV2 = v.object({
  ...promptV1.entries,
  lengthRatio: nullableNum,
  divergenceAdjusted: nullableNum,
  answers: v.nullable(v.object({ a: v.string(), b: v.string() })),
});

// Version 2 also marks HDBSCAN noise, adds the terms that separate the sides inside each
// cluster and counts its degenerate answers (null: not counted, a migrated version 1).
const clusterV2 = v.object({
  ...clusterV1.entries,
  noise: v.boolean(),
  contrastTerms: v.object({ a: v.array(v.string()), b: v.array(v.string()) }),
  degenerate: v.nullable(count),
});

// Version 2 also gives each feature its primary measure, share, rate per 100 words and median
// (feature-measures.ts); optional, because a migrated version 1 has only the counts.
const featureV2 = v.object({
  ...featureV1.entries,
  measure: v.optional(v.picklist(['presence', 'rate', 'length'] as const)),
  presenceTest: v.optional(v.picklist(['mcnemar-exact', 'permutation'] as const)),
  shareA: v.optional(num),
  shareB: v.optional(num),
  per100wA: v.optional(num),
  per100wB: v.optional(num),
  medianA: v.optional(num),
  medianB: v.optional(num),
  rateOpposesCount: v.optional(v.boolean()),
});

const comparisonV2 = v.object({
  ...comparisonV1.entries,
  features: v.array(featureV2),
  clusters: v.array(clusterV2),
  prompts: v.array(promptV2),
  words: v.object({
    test: v.picklist(['mcnemar-exact', 'permutation', 'log-odds'] as const),
    tested: count,
    minAnswers: count,
    moreInA: v.array(wordV2),
    moreInB: v.array(wordV2),
  }),
  wordsLogOdds: v.nullable(v.object({ moreInA: v.array(wordV1), moreInB: v.array(wordV1) })),
});

const fieldsV2 = v.object({
  ...fieldsV1.entries,
  version: v.literal(2),
  // The silhouette of the clustering used (null when not computable), for clusterQuality.
  clustering: v.object({ ...fieldsV1.entries.clustering.entries, silhouette: nullableNum }),
  comparison: comparisonV2,
});

const resultV2 = v.pipe(
  fieldsV2,
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = consistencyProblem(dataset.value);
    if (problem) addIssue({ message: `consistent fields (${problem})` });
  }),
);

// Version 3 adds openings and closings, clusters of per-prompt change and per-category
// features; each is null when not computed (a migrated version 2, or no categories).
const phrase = v.object({
  text: v.string(),
  z: num,
  countA: count,
  countB: count,
  pValue: num,
  qValue: num,
});
const phrases = v.nullable(
  v.object({
    test: v.picklist(['mcnemar-exact', 'permutation'] as const),
    tested: count,
    moreInA: v.array(phrase),
    moreInB: v.array(phrase),
  }),
);
const changeCluster = v.object({
  id: v.pipe(v.number(), v.integer('a whole number')),
  n: count,
  promptIds: v.array(v.string()),
  terms: v.object({ added: v.array(v.string()), removed: v.array(v.string()) }),
  detectors: v.array(v.object({ name: v.string(), delta: num })),
  examples: v.array(v.object({ promptId: v.string(), a: v.string(), b: v.string() })),
  pValue: nullableNum,
  qValue: nullableNum,
});
const categoryV3 = v.object({
  name: v.string(),
  n: count,
  features: v.array(
    v.object({
      name: v.string(),
      shareA: num,
      shareB: num,
      pValue: nullableNum,
      qValue: nullableNum,
    }),
  ),
});

const comparisonV3 = v.object({
  ...comparisonV2.entries,
  openings: phrases,
  closings: phrases,
  changes: v.nullable(
    v.object({
      method: v.string(),
      k: count,
      silhouette: nullableNum,
      nPrompts: count,
      clusters: v.array(changeCluster),
    }),
  ),
  categories: v.nullable(v.array(categoryV3)),
});

const resultV3 = v.pipe(
  v.object({ ...fieldsV2.entries, version: v.literal(3), comparison: comparisonV3 }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = consistencyProblem(dataset.value);
    if (problem) addIssue({ message: `consistent fields (${problem})` });
  }),
);

/** The schema of each result version this app can read, by `result.version`. */
const RESULT_SCHEMAS: Record<number, v.GenericSchema> = { 1: resultV1, 2: resultV2, 3: resultV3 };

/** The result version the app writes; older readable versions are migrated to it on reading. */
export const CURRENT_RESULT_VERSION = 3;

type ResultV1 = v.InferOutput<typeof fieldsV1>;

/**
 * Brings a valid saved result up to the current version. A version-1 result ranked words by
 * per-token log-odds and has no presence test (its answers are not at hand here), so its words
 * are kept as they were, marked `test: 'log-odds'` with null p and q, and also serve as the
 * secondary log-odds view. Its clusters gain `noise` (id < 0, terms dropped), empty contrast
 * terms and an unknown degenerate count; its silhouette is the chosen k's, when k was chosen.
 * Its prompts keep their raw-divergence order, with null length fields.
 */
export function migrateAnalysisResult(result: unknown): AnalysisResult {
  const r = result as { version: number };
  if (r.version === 3) return result as AnalysisResult;
  const v2 = (r.version === 1 ? migrateV1(result as ResultV1) : result) as ResultV2;
  // Version 2 computed no openings, closings, changes or categories: shown as not computed.
  return {
    ...v2,
    version: 3,
    comparison: {
      ...v2.comparison,
      openings: null,
      closings: null,
      changes: null,
      categories: null,
    },
  };
}

type ResultV2 = Omit<AnalysisResult, 'version' | 'comparison'> & {
  version: 2;
  comparison: Omit<
    AnalysisResult['comparison'],
    'openings' | 'closings' | 'changes' | 'categories'
  >;
};

/** Version 1 to version 2 (see migrateAnalysisResult). */
function migrateV1(old: ResultV1): ResultV2 {
  const asWord = (w: ResultV1['comparison']['words']['moreInA'][number]) => ({
    term: w.term,
    z: w.z,
    countA: w.countA,
    countB: w.countB,
    pValue: null,
    qValue: null,
  });
  const chosen = old.clustering.silhouettes.find((s) => s.k === old.clustering.k);
  return {
    ...old,
    version: 2,
    clustering: { ...old.clustering, silhouette: chosen?.silhouette ?? null },
    comparison: {
      ...old.comparison,
      // Noise named as noise, without its junk terms; the rest was not computed then.
      clusters: old.comparison.clusters.map((c) => ({
        ...c,
        noise: c.id < 0,
        terms: c.id < 0 ? [] : c.terms,
        contrastTerms: { a: [], b: [] },
        degenerate: null,
      })),
      words: {
        test: 'log-odds',
        tested: 0,
        minAnswers: 0,
        moreInA: old.comparison.words.moreInA.map(asWord),
        moreInB: old.comparison.words.moreInB.map(asWord),
      },
      wordsLogOdds: old.comparison.words,
      prompts: old.comparison.prompts.map((p) => ({
        ...p,
        lengthRatio: null,
        divergenceAdjusted: null,
        answers: null,
      })),
    },
  };
}

/** The result versions this app reads. */
const READABLE_RESULT_VERSIONS = Object.keys(RESULT_SCHEMAS).map(Number);

/**
 * Describes what is wrong with a saved analysis result, or returns null when it is usable.
 * `where` prefixes the path in the description, e.g. `run.analyses[2].result`.
 */
export function analysisResultProblem(result: unknown, where = 'result'): string | null {
  const version =
    typeof result === 'object' && result !== null && !Array.isArray(result)
      ? (result as { version?: unknown }).version
      : undefined;
  const schema = typeof version === 'number' ? RESULT_SCHEMAS[version] : undefined;
  if (!schema) {
    return `${where}.version is ${JSON.stringify(version) ?? 'missing'}; this app reads result versions ${READABLE_RESULT_VERSIONS.join(', ')}`;
  }
  const parsed = v.safeParse(schema, result, { abortEarly: true });
  if (parsed.success) return null;
  // The InputError names the path and what was expected there; the file is the caller's to say.
  const issue = issueToInputError(parsed.issues[0], '', where);
  const got = issue.got === undefined ? '' : `, got ${issue.got}`;
  return `${issue.location ?? where}: expected ${issue.expected}${got}`;
}

/** The `version` of a saved statement clustering of an approval run (not a free-text analysis). */
export const APPROVAL_CLUSTERS_VERSION = 'approval-clusters-1';

const linkageRow = v.tuple([count, count, num, count]);

const approvalClustersV1 = v.object({
  version: v.literal(APPROVAL_CLUSTERS_VERSION),
  embedderId: v.string(),
  clusters: v.array(
    v.object({
      id: v.pipe(v.number(), v.integer('a whole number')),
      size: count,
      terms: v.array(v.string()),
      matchA: nullableNum,
      matchB: nullableNum,
      members: v.array(v.string()),
    }),
  ),
  hierarchy: v.array(linkageRow),
  // Supervisor labels came later: a clustering saved without them still opens.
  labels: v.optional(
    v.array(
      v.object({
        clusterId: v.pipe(v.number(), v.integer('a whole number')),
        label: v.string(),
        membersHash: v.string(),
      }),
    ),
  ),
});

/**
 * Whether a saved analysis result is a statement clustering of an approval run: it is kept with
 * the run and read by the approval view, and every free-text analysis view passes it by.
 */
export function isApprovalClustersResult(result: unknown): boolean {
  return (
    typeof result === 'object' &&
    result !== null &&
    (result as { version?: unknown }).version === APPROVAL_CLUSTERS_VERSION
  );
}

/** Describes what is wrong with a saved statement clustering, or returns null when it is usable. */
export function approvalClustersProblem(result: unknown, where = 'result'): string | null {
  const parsed = v.safeParse(approvalClustersV1, result, { abortEarly: true });
  if (parsed.success) return null;
  const issue = issueToInputError(parsed.issues[0], '', where);
  const got = issue.got === undefined ? '' : `, got ${issue.got}`;
  return `${issue.location ?? where}: expected ${issue.expected}${got}`;
}

/** A saved analysis that could not be read, and why. */
export interface DroppedAnalysis {
  id: string;
  createdAt: string;
  problem: string;
}

/**
 * Splits saved analyses into the usable ones and the ones left out (with the reason), so one
 * damaged or foreign analysis never stops a run from opening. An analysis is usable when its
 * result is valid for its version and its rows name prompts of the run; kept results are
 * migrated to the current version.
 */
export function screenAnalyses(
  analyses: readonly AnalysisRecord[],
  promptIds: ReadonlySet<string>,
): { kept: AnalysisRecord[]; dropped: DroppedAnalysis[] } {
  const kept: AnalysisRecord[] = [];
  const dropped: DroppedAnalysis[] = [];
  analyses.forEach((a, i) => {
    // A statement clustering names statements, not prompts, and has no older version to migrate.
    if (isApprovalClustersResult(a.result)) {
      const problem = approvalClustersProblem(a.result, `analyses[${i}].result`);
      if (problem) dropped.push({ id: String(a.id), createdAt: String(a.createdAt), problem });
      else kept.push(a);
      return;
    }
    // A contrastive scoring (issue #14) names answers by prompt id; no older version either.
    if (isContrastiveScoresResult(a.result)) {
      let problem = contrastiveScoresProblem(a.result, `analyses[${i}].result`);
      const stray = problem
        ? undefined
        : (a.result as ContrastiveScoresResult).items.find((s) => !promptIds.has(s.promptId));
      if (stray)
        problem = `its scores name prompt ${JSON.stringify(stray.promptId)}, not in the run`;
      if (problem) dropped.push({ id: String(a.id), createdAt: String(a.createdAt), problem });
      else kept.push(a);
      return;
    }
    let problem = analysisResultProblem(a.result, `analyses[${i}].result`);
    if (!problem) {
      const stray = (a.result as AnalysisResult).rows.find((r) => !promptIds.has(r.promptId));
      if (stray) problem = `its rows name prompt ${JSON.stringify(stray.promptId)}, not in the run`;
    }
    if (problem) dropped.push({ id: String(a.id), createdAt: String(a.createdAt), problem });
    else kept.push({ ...a, result: migrateAnalysisResult(a.result) });
  });
  return { kept, dropped };
}

/** One sentence per dropped analysis, for notices. */
export function describeDroppedAnalysis(d: DroppedAnalysis): string {
  return `The analysis "${d.id}" of ${d.createdAt} was left out because it cannot be read: ${d.problem}.`;
}
