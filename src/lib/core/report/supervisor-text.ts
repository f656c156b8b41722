/**
 * How the supervisor's results are written everywhere (app, Markdown, HTML): cluster labels,
 * behaviour properties and hypotheses with their held-out validation. Labels, property names
 * and hypotheses are model-written text: the HTML escapes every one, the Markdown cells too.
 */
import {
  SUPERVISOR_STEPS,
  type SupervisorStep,
  type ClusterLabel,
  type Explanation,
  type HypothesisSource,
  type HypothesisValidation,
  type PropertyCluster,
} from '../explain/types';
import type { Hypothesis } from '../run/types';
import { escapeHtml } from './escape-html';
import { cell } from './markdown';
import { ALPHA, formatP, formatPercent, formatPoints, formatQ } from './vocabulary';

/** One answer cluster's label in REPORT.json. */
export type ReportLabel = ClusterLabel;

/** One property cluster in REPORT.json (a PropertyCluster without its id and examples). */
export type ReportProperty = Pick<
  PropertyCluster,
  | 'name'
  | 'definition'
  | 'countA'
  | 'countB'
  | 'shareA'
  | 'shareB'
  | 'ciLow'
  | 'ciHigh'
  | 'pValue'
  | 'qValue'
>;

/** The validation numbers every hypothesis line reads (a HypothesisValidation has them all). */
export type HypothesisNumbers = Pick<
  HypothesisValidation,
  | 'nHeldOut'
  | 'decided'
  | 'accuracy'
  | 'ciLow'
  | 'ciHigh'
  | 'pValue'
  | 'qValue'
  | 'confirmed'
  | 'auc'
  | 'orderFlips'
  | 'unparseable'
  | 'lengthRuleAccuracy'
  | 'similarLengthAccuracy'
  | 'similarLengthDecided'
  | 'mayBeLength'
>;

/** One hypothesis in REPORT.json: its text, who wrote it and its held-out validation. */
export interface ReportHypothesis extends HypothesisNumbers {
  text: string;
  source: HypothesisSource;
}

/** What REPORT.json holds of a supervisor run (issue #12): labels, properties, hypotheses. */
export interface ReportSupervisor {
  labels: ReportLabel[];
  properties: ReportProperty[];
  hypotheses: ReportHypothesis[];
}

/** The small note beside anything the supervisor named. */
export const NAMED_BY_SUPERVISOR = 'named by the supervisor';

/** What a label cell or title shows: the label, or '' when the cluster has none. */
export function clusterLabelOf(
  labels: readonly ClusterLabel[] | null | undefined,
  cluster: number,
): ClusterLabel | null {
  return labels?.find((l) => l.cluster === cluster && l.label.trim() !== '') ?? null;
}

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isNumberOrNull = (x: unknown): x is number | null => x === null || isNumber(x);

/**
 * A hypothesis's validation when it has the HypothesisValidation shape, else null (not judged
 * yet, or a v1 run file whose `validation` was free-form): nothing is guessed from a partial one.
 */
export function hypothesisValidation(
  h: Pick<Hypothesis, 'validation'>,
): HypothesisValidation | null {
  const v = h.validation;
  if (!v || typeof v !== 'object') return null;
  const counts = ['nHeldOut', 'decided', 'orderFlips', 'unparseable'] as const;
  const rates = [
    'accuracy',
    'ciLow',
    'ciHigh',
    'pValue',
    'qValue',
    'auc',
    'lengthRuleAccuracy',
    'similarLengthAccuracy',
  ] as const;
  if (!counts.every((k) => isNumber(v[k]))) return null;
  if (!rates.every((k) => isNumberOrNull(v[k]))) return null;
  if (typeof v.confirmed !== 'boolean' || typeof v.mayBeLength !== 'boolean') return null;
  const ids = (x: unknown) =>
    Array.isArray(x) ? x.filter((id): id is string => typeof id === 'string') : [];
  const n = (x: unknown) => (isNumber(x) ? x : 0);
  return {
    ...(v as unknown as HypothesisValidation),
    forA: n(v.forA),
    forB: n(v.forB),
    ties: n(v.ties),
    similarLengthDecided: n(v.similarLengthDecided),
    rightPromptIds: ids(v.rightPromptIds),
    wrongPromptIds: ids(v.wrongPromptIds),
  };
}

/**
 * Hypotheses in the order every view lists them: confirmed first, then judged ones by q (smaller
 * first), then those not judged yet; ties keep their given order.
 */
export function rankHypotheses<T>(
  list: readonly T[],
  numbers: (h: T) => Pick<HypothesisNumbers, 'confirmed' | 'qValue'> | null,
): T[] {
  const rank = (h: T): [number, number] => {
    const v = numbers(h);
    if (!v) return [2, 0];
    return [v.confirmed ? 0 : 1, v.qValue ?? Infinity];
  };
  return list
    .map((h, i) => ({ h, i, r: rank(h) }))
    .sort((x, y) => x.r[0] - y.r[0] || cmp(x.r[1], y.r[1]) || x.i - y.i)
    .map((x) => x.h);
}

// Infinity - Infinity is NaN: equal ranks must compare as 0.
const cmp = (a: number, b: number) => (a === b ? 0 : a < b ? -1 : 1);

/** "confirmed", "not confirmed", "nothing decided" or "not judged yet". */
export function hypothesisStatus(v: HypothesisNumbers | null): string {
  if (!v) return 'not judged yet';
  if (v.confirmed) return 'confirmed';
  return v.decided === 0 ? 'nothing decided' : 'not confirmed';
}

const share = (x: number | null) => (x === null ? '–' : formatPercent(x));

/** "82.0% (95% CI 70.1% to 90.0%)", or "–" when no prompt was decided. */
export function accuracyText(v: Pick<HypothesisNumbers, 'accuracy' | 'ciLow' | 'ciHigh'>): string {
  if (v.accuracy === null) return '–';
  const ci =
    v.ciLow === null || v.ciHigh === null
      ? ''
      : ` (95% CI ${formatPercent(v.ciLow)} to ${formatPercent(v.ciHigh)})`;
  return `${formatPercent(v.accuracy)}${ci}`;
}

/** "40 of 50 (80.0%)": held-out prompts counted for A or B, of all judged. */
export function decidedText(v: Pick<HypothesisNumbers, 'decided' | 'nHeldOut'>): string {
  const part = v.nHeldOut > 0 ? ` (${formatPercent(v.decided / v.nHeldOut)})` : '';
  return `${v.decided} of ${v.nHeldOut}${part}`;
}

/** The length rule's accuracy and the similar-length accuracy, as one clause. */
export function lengthText(
  v: Pick<
    HypothesisNumbers,
    'lengthRuleAccuracy' | 'similarLengthAccuracy' | 'similarLengthDecided'
  >,
): string {
  // Older saved validations lack the count; then the share is shown alone.
  const n = v.similarLengthDecided;
  const of = typeof n === 'number' ? ` of ${n} decided prompt${n === 1 ? '' : 's'}` : '';
  return `the rule "the longer answer is B's" is right on ${share(v.lengthRuleAccuracy)} of the decided prompts; on prompts whose answers are of similar length (ratio 0.8–1.25) the hypothesis is right on ${share(v.similarLengthAccuracy)}${of}`;
}

/** The warning shown on a hypothesis that does no better than the length rule. */
export const LENGTH_WARNING =
  'May only be length: it does no better than the rule "the longer answer is B\'s".';

/** One line of a hypothesis's numbers, as the reports write it. */
export function hypothesisEvidence(v: HypothesisNumbers): string {
  const parts = [
    `accuracy ${accuracyText(v)}`,
    `p = ${formatP(v.pValue)}`,
    `q = ${formatQ(v.qValue)}`,
    `AUC ${v.auc === null ? '–' : v.auc.toFixed(2)}`,
    `decided ${decidedText(v)}`,
    `${v.orderFlips} order ${v.orderFlips === 1 ? 'flip' : 'flips'}`,
    `${v.unparseable} unparseable ${v.unparseable === 1 ? 'reply' : 'replies'}`,
  ];
  return `${parts.join(', ')}; ${lengthText(v)}.`;
}

/** How the hypotheses were found and tested, for every view. */
export const HYPOTHESES_METHOD = `The supervisor proposed hypotheses from the discovery half of the prompts only; each was then judged on held-out prompts it never saw. For each held-out prompt the supervisor saw the hypothesis and the two answers, unnamed and in both orders, and said which fits it better. A prompt counts for B when both orders pick B's answer, for A when both pick A's, and is a tie otherwise (a flip, "neither/both" or an unparseable reply). Accuracy is the share of decided prompts counted for B, with a Wilson 95% interval, a one-sided exact binomial p against 1/2 and Benjamini-Hochberg q across hypotheses; a hypothesis is confirmed when q < ${ALPHA}. AUC tells B's held-out answers from A's by their embedding similarity to the hypothesis, without the supervisor.`;

/** How the properties were found and counted, for every view. */
export const PROPERTIES_METHOD = `For a sample of discovery prompts the supervisor listed the properties in which one answer differs from the other, without knowing which model wrote which. Similar properties were clustered and each cluster named by the supervisor. A share is the fraction of sampled prompts where a property of the cluster was attributed to that side's answer; the interval is a 95% interval of the B − A difference and q comes from the exact McNemar test with Benjamini-Hochberg correction across clusters.`;

/** A property's difference with its interval: "+12.5 pp (95% CI +3.0 pp to +22.0 pp)". */
export function propertyDifferenceText(p: ReportProperty): string {
  return `${formatPoints(p.shareB - p.shareA)} (95% CI ${formatPoints(p.ciLow)} to ${formatPoints(p.ciHigh)})`;
}

/** A property's name, or a placeholder until the supervisor names it. */
export function propertyName(p: Pick<ReportProperty, 'name'>): string {
  return p.name.trim() || '(not named yet)';
}

/** Properties most one-sided first (largest |B − A|), then by name. */
export function rankProperties<P extends ReportProperty>(list: readonly P[]): P[] {
  return [...list].sort(
    (x, y) =>
      Math.abs(y.shareB - y.shareA) - Math.abs(x.shareB - x.shareA) || x.name.localeCompare(y.name),
  );
}

/** The supervisor's sections of the Markdown report ('' when it has not run). */
export function supervisorMarkdown(s: ReportSupervisor): string {
  const parts = [hypothesesMarkdown(s.hypotheses), propertiesMarkdown(s.properties)];
  parts.push(labelsMarkdown(s.labels));
  return parts.filter(Boolean).join('\n');
}

/** The supervisor's sections of the HTML report ('' when it has not run). */
export function supervisorHtml(s: ReportSupervisor): string {
  const parts = [hypothesesHtml(s.hypotheses), propertiesHtml(s.properties)];
  parts.push(labelsHtml(s.labels));
  return parts.filter(Boolean).join('\n');
}

/** The "Hypotheses" section of the Markdown report, confirmed first ('' when none). */
export function hypothesesMarkdown(list: readonly ReportHypothesis[]): string {
  if (list.length === 0) return '';
  const lines = ['## Hypotheses tested on held-out prompts', '', HYPOTHESES_METHOD, ''];
  for (const h of rankHypotheses(list, (x) => x)) {
    const by = h.source === 'user' ? ' (written by the user)' : '';
    lines.push(`- **${hypothesisStatus(h)}**: ${cell(h.text, 600)}${by}`);
    lines.push(`  ${hypothesisEvidence(h)}`);
    if (h.mayBeLength) lines.push(`  **${LENGTH_WARNING}**`);
  }
  lines.push('');
  return lines.join('\n');
}

/** The "Hypotheses" section of the HTML report, confirmed first ('' when none). */
export function hypothesesHtml(list: readonly ReportHypothesis[]): string {
  if (list.length === 0) return '';
  const e = escapeHtml;
  const parts = [
    '<h2>Hypotheses tested on held-out prompts</h2>',
    `<p class="muted">${e(HYPOTHESES_METHOD)}</p>`,
    '<ul data-section="hypotheses">',
  ];
  for (const h of rankHypotheses(list, (x) => x)) {
    const by = h.source === 'user' ? ' <span class="muted">(written by the user)</span>' : '';
    const warning = h.mayBeLength
      ? `<br><strong class="warning">${e(LENGTH_WARNING)}</strong>`
      : '';
    parts.push(
      `<li${h.confirmed ? ' class="sig"' : ''}><strong>${e(hypothesisStatus(h))}</strong>: ${e(h.text)}${by}<br><span class="muted">${e(hypothesisEvidence(h))}</span>${warning}</li>`,
    );
  }
  parts.push('</ul>');
  return parts.join('\n');
}

const PROPERTY_HEADER = ['property', 'definition', 'A', 'B', 'B − A (95% CI)', 'q'];

/** The "Behaviour properties" section of the Markdown report ('' when none). */
export function propertiesMarkdown(list: readonly ReportProperty[]): string {
  if (list.length === 0) return '';
  const lines = [
    '## Behaviour properties',
    '',
    PROPERTIES_METHOD,
    '',
    `| ${PROPERTY_HEADER.join(' | ')} |`,
    '| --- | --- | ---: | ---: | --- | ---: |',
  ];
  for (const p of rankProperties(list)) {
    lines.push(
      `| ${cell(propertyName(p), 80)} | ${cell(p.definition, 240)} | ${p.countA} (${formatPercent(p.shareA)}) | ${p.countB} (${formatPercent(p.shareB)}) | ${propertyDifferenceText(p)} | ${formatQ(p.qValue)} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

/** The "Behaviour properties" section of the HTML report ('' when none). */
export function propertiesHtml(list: readonly ReportProperty[]): string {
  if (list.length === 0) return '';
  const e = escapeHtml;
  const parts = [
    '<h2>Behaviour properties</h2>',
    `<p class="muted">${e(PROPERTIES_METHOD)}</p>`,
    '<table data-section="properties"><thead><tr><th>property</th><th>definition</th><th class="n">A</th><th class="n">B</th><th>B − A (95% CI)</th><th class="n">q</th></tr></thead><tbody>',
  ];
  for (const p of rankProperties(list)) {
    parts.push(
      `<tr${p.qValue < ALPHA ? ' class="sig"' : ''}><td>${e(propertyName(p))}</td><td>${e(p.definition)}</td><td class="n">${p.countA} (${formatPercent(p.shareA)})</td><td class="n">${p.countB} (${formatPercent(p.shareB)})</td><td>${e(propertyDifferenceText(p))}</td><td class="n">${formatQ(p.qValue)}</td></tr>`,
    );
  }
  parts.push('</tbody></table>');
  return parts.join('\n');
}

/** The "Cluster labels" section of the Markdown report, by cluster id ('' when none). */
export function labelsMarkdown(list: readonly ReportLabel[]): string {
  if (list.length === 0) return '';
  const lines = [
    '## Cluster labels',
    '',
    `Each answer cluster ${NAMED_BY_SUPERVISOR} from a sample of its answers and its terms.`,
    '',
    '| cluster | label | description |',
    '| ---: | --- | --- |',
  ];
  for (const l of [...list].sort((x, y) => x.cluster - y.cluster)) {
    lines.push(`| ${l.cluster} | ${cell(l.label, 80)} | ${cell(l.description, 300)} |`);
  }
  lines.push('');
  return lines.join('\n');
}

/** The "Cluster labels" section of the HTML report, by cluster id ('' when none). */
export function labelsHtml(list: readonly ReportLabel[]): string {
  if (list.length === 0) return '';
  const e = escapeHtml;
  const rows = [...list]
    .sort((x, y) => x.cluster - y.cluster)
    .map(
      (l) =>
        `<tr><td class="n">${l.cluster}</td><td>${e(l.label)}</td><td>${e(l.description)}</td></tr>`,
    );
  return [
    '<h2>Cluster labels</h2>',
    `<p class="muted">Each answer cluster ${NAMED_BY_SUPERVISOR} from a sample of its answers and its terms.</p>`,
    '<table data-section="labels"><thead><tr><th class="n">cluster</th><th>label</th><th>description</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table>',
  ].join('\n');
}

/**
 * REPORT.json's supervisor part from a run's explanation and hypotheses (those of other
 * explanations left out; user hypotheses without an explanation id kept). Unjudged hypotheses
 * are left out: REPORT.json reports only what was tested.
 */
export function reportSupervisor(
  explanation: Pick<Explanation, 'id' | 'labels' | 'properties'> | null,
  hypotheses: readonly Hypothesis[],
): ReportSupervisor {
  const mine = hypotheses.filter(
    (h) => h.explanationId === undefined || h.explanationId === explanation?.id,
  );
  return {
    labels: (explanation?.labels ?? []).map(({ cluster, label, description }) => ({
      cluster,
      label,
      description,
    })),
    properties: (explanation?.properties ?? []).map((p) => ({
      name: p.name,
      definition: p.definition,
      countA: p.countA,
      countB: p.countB,
      shareA: p.shareA,
      shareB: p.shareB,
      ciLow: p.ciLow,
      ciHigh: p.ciHigh,
      pValue: p.pValue,
      qValue: p.qValue,
    })),
    hypotheses: mine.flatMap((h) => {
      const v = hypothesisValidation(h);
      if (!v) return [];
      return [
        {
          text: h.text,
          source: h.source ?? 'supervisor',
          nHeldOut: v.nHeldOut,
          decided: v.decided,
          accuracy: v.accuracy,
          ciLow: v.ciLow,
          ciHigh: v.ciHigh,
          pValue: v.pValue,
          qValue: v.qValue,
          confirmed: v.confirmed,
          auc: v.auc,
          orderFlips: v.orderFlips,
          unparseable: v.unparseable,
          lengthRuleAccuracy: v.lengthRuleAccuracy,
          similarLengthAccuracy: v.similarLengthAccuracy,
          similarLengthDecided: v.similarLengthDecided,
          mayBeLength: v.mayBeLength,
        },
      ];
    }),
  };
}

/** Plain names of the supervisor's steps, for messages. */
const STEP_NAMES: Record<SupervisorStep, string> = {
  properties: 'property lists',
  'property-names': 'property names',
  labels: 'cluster labels',
  proposals: 'proposals',
  judgements: 'judgements',
};

/**
 * How many of the supervisor's replies could not be read, per step ('' when all could): they are
 * counted and left out, never guessed.
 */
export function unreadableRepliesText(
  replies: Partial<Record<SupervisorStep, { replies: number; unparseable: number }>> | undefined,
): string {
  const parts = SUPERVISOR_STEPS.flatMap((step) => {
    const c = replies?.[step];
    return c && c.unparseable > 0 ? [`${c.unparseable} of ${c.replies} ${STEP_NAMES[step]}`] : [];
  });
  return parts.length === 0
    ? ''
    : `Replies that could not be read (counted and left out, never guessed): ${parts.join(', ')}.`;
}
