/**
 * The supervisor run (workflow step 5): asks a ChatBackend, stage by stage, for per-prompt
 * behaviour properties and cluster labels, names the property clusters, has it propose hypotheses
 * from the discovery half of the prompts, and judges every hypothesis on held-out prompts, twice
 * with the order swapped. Each stage's requests are built first so the page can show exactly
 * what will leave the machine before it is sent; each reply is stored the moment it arrives (a
 * supervisor log entry with the job's key), so a stop, a crash or a refused key loses nothing and
 * the next stage plan holds only what is missing. Plain TypeScript: the app and the CLI share it.
 */
import type { ChatBackend } from '../backends/llm/types';
import type { AnalysisResult } from '../core/analysis';
import { chooseK } from '../core/cluster/choose-k';
import { blindPair, orderedPair } from '../core/explain/blind-pairs';
import { discoveryEvidence } from '../core/explain/evidence';
import { jobKeys, parseJobKey } from '../core/explain/job-keys';
import { judgementRequest, parseVerdict } from '../core/explain/judge-prompt';
import {
  labelRequest,
  membersHash,
  type LabelAnswer,
  parseLabelReply,
  parseNameReply,
  propertyNameRequest,
} from '../core/explain/naming-prompts';
import {
  behaviourOf,
  hypothesisText,
  parseProposalReply,
  proposalRequest,
} from '../core/explain/proposal-prompt';
import {
  parsePropertiesReply,
  propertiesRepairRequest,
  propertiesRequest,
} from '../core/explain/property-prompt';
import { observationsFromReply, propertyClusterStats } from '../core/explain/property-stats';
import { similarityAuc } from '../core/explain/similarity-auc';
import { samplePrompts, splitPrompts } from '../core/explain/split';
import type {
  BlindPair,
  ClusterLabel,
  Explanation,
  HypothesisValidation,
  PromptJudgement,
  PropertyCluster,
  PropertyObservation,
  SupervisorRequest,
  SupervisorSettings,
  SupervisorStep,
  Verdict,
} from '../core/explain/types';
import { validateHypotheses } from '../core/explain/validation';
import { fromRows } from '../core/vectors/matrix';
import type { Answer, Hypothesis, Run, Side, SupervisorLogEntry } from '../core/run/types';
import { JobQueue, type JobQueueSnapshot } from './job-queue';
import { askSupervisor, supervisorLogEntry } from './supervisor-call';

/** The stages, each previewed and approved before it is sent (later ones need earlier replies). */
export type SupervisorStage = 'describe' | 'name-properties' | 'propose' | 'judge';

/** The missing requests of one stage. */
export interface StagePlan {
  stage: SupervisorStage;
  requests: SupervisorRequest[];
}

/** What the supervisor works on. */
export interface SupervisorInput {
  run: Pick<Run, 'id' | 'prompts' | 'answers' | 'analyses'>;
  /** The analysis whose clusters are labelled and whose findings are the evidence. */
  analysisId: string;
  settings: SupervisorSettings;
}

/** Where replies, hypotheses and explanations are kept (the run repository, or the CLI's cache). */
export interface SupervisorStore {
  appendSupervisorLog(runId: string, entry: SupervisorLogEntry): Promise<void>;
  /** The latest entry with a non-null reply per job key. */
  supervisorReplies(runId: string): Promise<Map<string, SupervisorLogEntry>>;
  putExplanation(runId: string, explanation: Explanation): Promise<void>;
  hypotheses(runId: string): Promise<Hypothesis[]>;
  putHypothesis(runId: string, hypothesis: Hypothesis): Promise<void>;
}

/** What the runner works with. */
export interface SupervisorDeps {
  backend: ChatBackend;
  store: SupervisorStore;
  /** Embeds texts with the analysis's embedder (properties are clustered, hypotheses scored). */
  embed(texts: string[]): Promise<Float32Array[]>;
  /** Requests at once: remote default 4, in-browser 1. */
  concurrency: number;
  /** Spending cap over the whole supervisor run, in requests (retries count); null = none. */
  maxRequests: number | null;
  /** API key values: redacted from anything stored, wherever they appear. */
  secrets: string[];
  /** Attempts per request and first backoff; tests shorten them. */
  retry?: { attempts: number; baseDelayMs: number };
  now?: () => number;
}

/** Up to this many answers of a cluster are shown to name it. */
const LABEL_ANSWERS = 4;
/** A stage's answers are cut to this many characters unless the user chose otherwise. */
const DEFAULT_MAX_ANSWER_CHARS = 1500;

/** Runs a supervisor over one analysis of a run, stage by stage. */
export class SupervisorRunner {
  readonly explanationId: string;
  readonly #input: SupervisorInput;
  readonly #deps: SupervisorDeps;
  readonly #analysis: AnalysisResult;
  readonly #promptText: Map<string, string>;
  /** Sample 0 of each side per prompt, for prompts that both models answered. */
  readonly #pairs = new Map<string, Record<Side, Answer>>();
  readonly discoveryPromptIds: string[];
  readonly heldOutPromptIds: string[];
  /** Discovery prompts asked for properties, and held-out prompts judged. */
  readonly #propertyPromptIds: string[];
  readonly #judgedPromptIds: string[];
  /** Prompts the user excluded in a preview: never sent in this session, left out of the counts. */
  readonly #excluded = new Set<string>();
  #maxAnswerChars = DEFAULT_MAX_ANSWER_CHARS;
  #spent = 0;
  /** This explanation's hypotheses as last read (whose judgements the reply counts include). */
  #knownHypothesisIds: string[] = [];
  #queue: JobQueue<SupervisorJob> | undefined;

  /** @throws Error when the analysis is not in the run. */
  constructor(input: SupervisorInput, deps: SupervisorDeps) {
    this.#input = input;
    this.#deps = deps;
    const record = input.run.analyses.find((a) => a.id === input.analysisId);
    if (!record) throw new Error(`The run has no analysis "${input.analysisId}" to explain.`);
    this.#analysis = record.result as AnalysisResult;
    const s = input.settings;
    this.explanationId = `${input.analysisId}~${s.seed}~${stableHash(`${s.provider}\u0000${s.model}\u0000${s.temperature}`)}`;
    this.#promptText = new Map(input.run.prompts.map((p) => [p.id, p.text]));
    for (const a of input.run.answers) {
      if (a.sample !== 0 || a.finishReason === 'error') continue;
      const pair = this.#pairs.get(a.promptId) ?? ({} as Record<Side, Answer>);
      pair[a.side] = a;
      this.#pairs.set(a.promptId, pair);
    }
    const paired = input.run.prompts
      .map((p) => p.id)
      .filter((id) => this.#pairs.get(id)?.A && this.#pairs.get(id)?.B);
    const split = splitPrompts(paired, s.seed);
    this.discoveryPromptIds = split.discovery;
    this.heldOutPromptIds = split.heldOut;
    this.#propertyPromptIds = samplePrompts(split.discovery, s.propertiesSample, s.seed);
    this.#judgedPromptIds = samplePrompts(split.heldOut, s.heldOutSample, s.seed);
  }

  /** Requests spent by this runner so far (retries included). */
  get requestsSpent(): number {
    return this.#spent;
  }

  /**
   * The next stage's missing requests, or null when everything is done. `excludedPromptIds` are
   * kept out from now on; `maxAnswerChars` cuts every answer shown.
   */
  async nextStage(
    options: { excludedPromptIds?: readonly string[]; maxAnswerChars?: number } = {},
  ): Promise<StagePlan | null> {
    for (const id of options.excludedPromptIds ?? []) this.#excluded.add(id);
    if (options.maxAnswerChars !== undefined) this.#maxAnswerChars = options.maxAnswerChars;
    const replies = await this.#replies();
    const describe = [...this.#propertyRequests(replies), ...this.#labelRequests(replies)];
    if (describe.length > 0) return { stage: 'describe', requests: describe };
    const clusters = await this.#propertyClusters(replies);
    const naming = clusters
      .filter((c) => !replies.has(jobKeys.propertyName(this.explanationId, c.hash)))
      .map((c) => propertyNameRequest(this.explanationId, c.members));
    if (naming.length > 0) return { stage: 'name-properties', requests: naming };
    const proposalsKey = jobKeys.proposals(this.explanationId);
    if (!replies.has(proposalsKey)) {
      const properties = this.#namedProperties(clusters, replies);
      const evidence = discoveryEvidence({
        prompts: this.#input.run.prompts,
        answers: this.#input.run.answers,
        analysis: this.#analysis,
        discoveryPromptIds: this.discoveryPromptIds.filter((id) => !this.#excluded.has(id)),
        properties,
        // Labels are left out: they were made from exemplars of both halves.
      });
      const request = proposalRequest(
        this.explanationId,
        evidence,
        this.#input.settings.hypotheses,
        {
          maxAnswerChars: Math.min(this.#maxAnswerChars, 300),
        },
      );
      return { stage: 'propose', requests: [request] };
    }
    await this.#materialiseHypotheses(replies);
    const judging = await this.#judgementRequests(replies);
    if (judging.length > 0) return { stage: 'judge', requests: judging };
    return null;
  }

  /** Sends a stage's requests through the job queue; each reply is stored as it arrives. */
  async runStage(
    plan: StagePlan,
    listener?: (snapshot: JobQueueSnapshot) => void,
  ): Promise<JobQueueSnapshot> {
    const { backend, store, secrets } = this.#deps;
    const { settings } = this.#input;
    const runId = this.#input.run.id;
    const cap = this.#deps.maxRequests;
    const queue = new JobQueue<SupervisorJob>(
      {
        jobs: plan.requests.map((request) => ({ key: request.key, kind: request.step, request })),
        concurrency: Math.max(1, this.#deps.concurrency),
        maxRequests: cap === null ? null : Math.max(0, cap - this.#spent),
        retry: this.#deps.retry ?? { attempts: 4, baseDelayMs: 1000 },
      },
      {
        doneKeys: async () => new Set((await store.supervisorReplies(runId)).keys()),
        run: async (job, signal) => {
          const at = new Date((this.#deps.now ?? Date.now)()).toISOString();
          const meta = {
            provider: settings.provider,
            model: settings.model,
            temperature: settings.temperature,
            at,
            attempts: 1,
            secrets,
          };
          try {
            const outcome = await askSupervisor(backend, job.request, {
              temperature: settings.temperature,
              signal,
            });
            await store.appendSupervisorLog(runId, supervisorLogEntry(job.request, outcome, meta));
          } catch (error) {
            // A failed or aborted request left the machine too: it goes in the log (reply null),
            // then the queue decides whether to retry.
            const failed = supervisorLogEntry(job.request, { error }, meta);
            await store.appendSupervisorLog(runId, failed).catch(() => undefined);
            throw error;
          }
        },
      },
    );
    this.#queue = queue;
    const unsubscribe = listener ? queue.subscribe(listener) : () => undefined;
    try {
      const snapshot = await queue.start();
      this.#spent += snapshot.requestsSpent;
      if (plan.stage === 'propose') await this.#materialiseHypotheses(await this.#replies());
      await this.#saveExplanation();
      return snapshot;
    } finally {
      unsubscribe();
      this.#queue = undefined;
    }
  }

  /** Stops the stage in flight; what was stored stays, and the next plan holds the rest. */
  cancel(): void {
    this.#queue?.cancel();
  }

  /** What is known so far: the explanation and this explanation's hypotheses, validated. */
  async outcome(): Promise<{ explanation: Explanation; hypotheses: Hypothesis[] }> {
    const replies = await this.#replies();
    const hypotheses = await this.#validate(replies);
    const explanation = await this.#explanation(replies);
    return { explanation, hypotheses };
  }

  // ---- requests -------------------------------------------------------------------------------

  #blind(promptId: string): BlindPair {
    const pair = this.#pairs.get(promptId)!;
    return blindPair(
      promptId,
      this.#promptText.get(promptId) ?? '',
      pair.A.text,
      pair.B.text,
      this.#input.settings.seed,
    );
  }

  #propertyRequests(replies: Map<string, SupervisorLogEntry>): SupervisorRequest[] {
    const requests: SupervisorRequest[] = [];
    const options = { maxAnswerChars: this.#maxAnswerChars };
    for (const id of this.#propertyPromptIds) {
      if (this.#excluded.has(id)) continue;
      const first = replies.get(jobKeys.properties(this.explanationId, id, 0));
      const request = propertiesRequest(this.explanationId, this.#blind(id), options);
      if (!first) {
        requests.push(request);
        continue;
      }
      const parsed = parsePropertiesReply(first.reply ?? '');
      if (!parsed.ok && !replies.has(jobKeys.properties(this.explanationId, id, 1))) {
        requests.push(propertiesRepairRequest(request, first.reply ?? '', parsed.reason));
      }
    }
    return requests;
  }

  #labelRequests(replies: Map<string, SupervisorLogEntry>): SupervisorRequest[] {
    const { analysisId } = this.#input;
    return this.#analysis.comparison.clusters
      .filter((c) => !c.noise && !replies.has(jobKeys.label(analysisId, c.id)))
      .map((c) => {
        const answers: LabelAnswer[] = [];
        const at = (side: 'a' | 'b', i: number): LabelAnswer | undefined => {
          const text = c.exemplars[side][i];
          const row = this.#analysis.rows[c.exemplarAnswers[side][i] ?? -1];
          return text === undefined ? undefined : { promptId: row?.promptId ?? '', text };
        };
        // Alternate sides so the label describes the cluster, not one model's share of it.
        for (let i = 0; answers.length < LABEL_ANSWERS; i++) {
          const a = at('a', i);
          const b = at('b', i);
          if (a === undefined && b === undefined) break;
          if (a !== undefined) answers.push(a);
          if (b !== undefined && answers.length < LABEL_ANSWERS) answers.push(b);
        }
        return labelRequest(analysisId, c.id, {
          terms: c.terms,
          answers,
          maxAnswerChars: Math.min(this.#maxAnswerChars, 600),
        });
      });
  }

  async #judgementRequests(replies: Map<string, SupervisorLogEntry>): Promise<SupervisorRequest[]> {
    const requests: SupervisorRequest[] = [];
    const options = { maxAnswerChars: this.#maxAnswerChars };
    for (const h of await this.#hypotheses()) {
      const behaviour = behaviourOf(h.text);
      for (const id of this.#judgedPromptIds) {
        if (this.#excluded.has(id)) continue;
        for (const first of ['A', 'B'] as const) {
          if (replies.has(jobKeys.judgement(h.id, id, first))) continue;
          requests.push(judgementRequest(h.id, behaviour, this.#ordered(id, first), options));
        }
      }
    }
    return requests;
  }

  /** A prompt's pair with `first` shown as answer 1. */
  #ordered(promptId: string, first: Side): BlindPair {
    const pair = this.#pairs.get(promptId)!;
    return orderedPair(
      promptId,
      this.#promptText.get(promptId) ?? '',
      pair.A.text,
      pair.B.text,
      first,
    );
  }

  // ---- results --------------------------------------------------------------------------------

  async #replies(): Promise<Map<string, SupervisorLogEntry>> {
    return this.#deps.store.supervisorReplies(this.#input.run.id);
  }

  async #hypotheses(): Promise<Hypothesis[]> {
    const all = await this.#deps.store.hypotheses(this.#input.run.id);
    const mine = all.filter((h) => h.explanationId === this.explanationId);
    this.#knownHypothesisIds = mine.map((h) => h.id);
    return mine;
  }

  /** Turns the proposals reply into hypotheses once (ids fixed, so a rerun cannot duplicate). */
  async #materialiseHypotheses(replies: Map<string, SupervisorLogEntry>): Promise<void> {
    const reply = replies.get(jobKeys.proposals(this.explanationId));
    if (!reply) return;
    const existing = await this.#deps.store.hypotheses(this.#input.run.id);
    const marker = `${this.explanationId}~proposed`;
    // Once proposed, the user owns the list: deleted ones must not come back.
    if (existing.some((h) => h.id.startsWith(marker))) return;
    const parsed = parseProposalReply(reply.reply ?? '', this.#input.settings.hypotheses);
    if (!parsed.ok) return;
    const createdAt = new Date((this.#deps.now ?? Date.now)()).toISOString();
    for (const [i, behaviour] of parsed.value.entries()) {
      await this.#deps.store.putHypothesis(this.#input.run.id, {
        id: `${marker}~${i + 1}`,
        text: hypothesisText(behaviour),
        createdAt,
        source: 'supervisor',
        explanationId: this.explanationId,
      });
    }
  }

  #labels(replies: Map<string, SupervisorLogEntry>): ClusterLabel[] {
    const labels: ClusterLabel[] = [];
    for (const c of this.#analysis.comparison.clusters) {
      const reply = replies.get(jobKeys.label(this.#input.analysisId, c.id));
      if (!reply) continue;
      const parsed = parseLabelReply(reply.reply ?? '');
      if (parsed.ok) labels.push({ cluster: c.id, ...parsed.value });
    }
    return labels;
  }

  /** Every property attributed on a sampled prompt (the repair reply when the first failed). */
  #observations(replies: Map<string, SupervisorLogEntry>): {
    observations: PropertyObservation[];
    prompts: string[];
  } {
    const observations: PropertyObservation[] = [];
    const prompts: string[] = [];
    for (const id of this.#propertyPromptIds) {
      if (this.#excluded.has(id)) continue;
      let parsed = null;
      for (const attempt of [0, 1]) {
        const reply = replies.get(jobKeys.properties(this.explanationId, id, attempt));
        if (!reply) continue;
        const p = parsePropertiesReply(reply.reply ?? '');
        if (p.ok) {
          parsed = p.value;
          break;
        }
      }
      if (!parsed) continue;
      prompts.push(id);
      observations.push(...observationsFromReply(this.#blind(id), parsed));
    }
    return { observations, prompts };
  }

  /** The property clusters with their counts (unnamed), and each one's members and key hash. */
  async #propertyClusters(
    replies: Map<string, SupervisorLogEntry>,
  ): Promise<(PropertyCluster & { members: string[]; hash: string })[]> {
    const { observations, prompts } = this.#observations(replies);
    if (observations.length === 0) return [];
    const texts = [...new Set(observations.map((o) => normaliseProperty(o.text)))];
    const clusterOfText = await this.#clusterTexts(texts);
    const index = new Map(texts.map((t, i) => [t, i]));
    const clusterOf = observations.map(
      (o) => clusterOfText[index.get(normaliseProperty(o.text))!]!,
    );
    const stats = propertyClusterStats(observations, clusterOf, prompts);
    return stats.map((cluster) => {
      const members = texts.filter((_, i) => clusterOfText[i] === cluster.id).sort();
      return { ...cluster, members, hash: membersHash(members) };
    });
  }

  /** Clusters distinct property texts with the project's k-means (k by silhouette). */
  async #clusterTexts(texts: string[]): Promise<number[]> {
    // Two texts, or fewer than four: each its own cluster (silhouette needs 3 points and 2 groups).
    if (texts.length < 4) return texts.map((_, i) => i);
    const vectors = await this.#deps.embed(texts);
    const m = fromRows(vectors);
    const { result } = chooseK(m, {
      kMin: 2,
      kMax: Math.min(12, texts.length - 1),
      seed: this.#input.settings.seed,
    });
    return Array.from(result.labels);
  }

  #namedProperties(
    clusters: (PropertyCluster & { hash: string })[],
    replies: Map<string, SupervisorLogEntry>,
  ): PropertyCluster[] {
    return clusters.map(
      ({
        hash,
        members: _members,
        ...cluster
      }: PropertyCluster & { hash: string; members?: string[] }) => {
        const reply = replies.get(jobKeys.propertyName(this.explanationId, hash));
        const parsed = reply ? parseNameReply(reply.reply ?? '') : null;
        return parsed?.ok
          ? { ...cluster, name: parsed.value.name, definition: parsed.value.definition }
          : { ...cluster, name: cluster.examples[0] ?? '', definition: '' };
      },
    );
  }

  async #explanation(replies: Map<string, SupervisorLogEntry>): Promise<Explanation> {
    await this.#hypotheses();
    const clusters = await this.#propertyClusters(replies);
    const { settings, analysisId } = this.#input;
    return {
      id: this.explanationId,
      createdAt: new Date((this.#deps.now ?? Date.now)()).toISOString(),
      analysisId,
      settings,
      discoveryPromptIds: this.discoveryPromptIds,
      heldOutPromptIds: this.heldOutPromptIds,
      labels: this.#labels(replies),
      properties: this.#namedProperties(clusters, replies),
      replies: this.#replyCounts(replies),
    };
  }

  /** Replies stored per step of this explanation and how many could not be read. */
  #replyCounts(replies: Map<string, SupervisorLogEntry>): Explanation['replies'] {
    const counts: NonNullable<Explanation['replies']> = {};
    const add = (step: SupervisorStep, readable: boolean) => {
      const c = (counts[step] ??= { replies: 0, unparseable: 0 });
      c.replies++;
      if (!readable) c.unparseable++;
    };
    const { analysisId } = this.#input;
    const judged = new Set(this.#judgedPromptIds);
    const hypotheses = new Set(this.#knownHypothesisIds);
    for (const [key, entry] of replies) {
      const [step = '', owner = '', id = ''] = parseJobKey(key);
      const text = entry.reply ?? '';
      if (step === 'labels') {
        if (owner === analysisId) add(step, parseLabelReply(text).ok);
      } else if (step === 'judgements') {
        if (hypotheses.has(owner) && judged.has(id))
          add(step, parseVerdict(text) !== 'unparseable');
      } else if (owner === this.explanationId) {
        const ok =
          step === 'properties'
            ? parsePropertiesReply(text).ok
            : step === 'property-names'
              ? parseNameReply(text).ok
              : parseProposalReply(text, this.#input.settings.hypotheses).ok;
        add(step as SupervisorStep, ok);
      }
    }
    return counts;
  }

  async #saveExplanation(): Promise<void> {
    const explanation = await this.#explanation(await this.#replies());
    await this.#deps.store.putExplanation(this.#input.run.id, explanation);
  }

  /** Every hypothesis's judgements, validated together (BH across them), and stored. */
  async #validate(replies: Map<string, SupervisorLogEntry>): Promise<Hypothesis[]> {
    const hypotheses = await this.#hypotheses();
    if (hypotheses.length === 0) return [];
    const judged = this.#judgedPromptIds.filter((id) => !this.#excluded.has(id));
    const answerTexts = judged.flatMap((id) => [
      this.#pairs.get(id)!.A.text,
      this.#pairs.get(id)!.B.text,
    ]);
    const behaviours = hypotheses.map((h) => behaviourOf(h.text));
    const vectors =
      judged.length > 0 ? await this.#deps.embed([...behaviours, ...answerTexts]) : [];
    const answerVectors = vectors.slice(behaviours.length);
    const vectorsA = answerVectors.filter((_, i) => i % 2 === 0);
    const vectorsB = answerVectors.filter((_, i) => i % 2 === 1);
    const inputs = hypotheses.map((h, hi) => {
      const judgements: PromptJudgement[] = [];
      for (const id of judged) {
        const aFirst = replies.get(jobKeys.judgement(h.id, id, 'A'));
        const bFirst = replies.get(jobKeys.judgement(h.id, id, 'B'));
        if (!aFirst || !bFirst) continue;
        const pair = this.#pairs.get(id)!;
        judgements.push({
          promptId: id,
          aFirst: verdictSide(parseVerdict(aFirst.reply ?? ''), 'A'),
          bFirst: verdictSide(parseVerdict(bFirst.reply ?? ''), 'B'),
          lengthA: pair.A.text.length,
          lengthB: pair.B.text.length,
        });
      }
      const auc = vectors.length > 0 ? similarityAuc(vectors[hi]!, vectorsA, vectorsB) : null;
      return { judgements, auc };
    });
    const validations: HypothesisValidation[] = validateHypotheses(inputs);
    const validated = hypotheses.map((h, i) => ({
      ...h,
      validation: validations[i]! as unknown as Record<string, unknown>,
    }));
    for (const h of validated) await this.#deps.store.putHypothesis(this.#input.run.id, h);
    return validated;
  }
}

/** A queue job: one supervisor request. */
interface SupervisorJob {
  key: string;
  kind: string;
  request: SupervisorRequest;
}

/** The side a verdict picked, given which side was shown as answer 1. */
export function verdictSide(verdict: Verdict, first: Side): Side | 'neither' | 'unparseable' {
  if (verdict === 'neither' || verdict === 'unparseable') return verdict;
  const second: Side = first === 'A' ? 'B' : 'A';
  return verdict === 1 ? first : second;
}

/** Properties differing only in case, spacing or a final full stop are one text. */
function normaliseProperty(text: string): string {
  return text
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/[.;,]+$/, '')
    .toLowerCase();
}

/** A short, stable FNV-1a hash (ids, not security). */
function stableHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}
