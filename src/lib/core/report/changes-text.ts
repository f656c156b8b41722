/**
 * How the clusters of change (compare/change-clusters.ts) are written everywhere (app, Markdown,
 * HTML, headline): each kind of change as one plain sentence ("In 25 prompts, B adds “trusted
 * expert”, “double check”; numbered-list items +0.60 per 100 words"), its prompts and q-value,
 * and example pairs side by side. Terms and excerpts come from model text: the HTML escapes
 * every one.
 */
import { MIN_CHANGE_PROMPTS } from '../compare/change-clusters';
import { WEAK_SILHOUETTE } from '../compare/cluster-quality';
import type { ChangeCluster, ChangeDetectorDelta, ChangesResult } from '../compare/result-types';
import { FEATURE_MEASURES, readableFeatureName } from '../text/style-features';
import { escapeHtml } from './escape-html';
import { cell } from './markdown';
import { ALPHA, formatCount, formatPoints, formatQ } from './vocabulary';

/** The section's title wherever it is shown. */
export const CHANGES_TITLE = 'Clusters of change';

/** Terms quoted in a sentence at most, per direction. */
const QUOTED_TERMS = 3;
/** Detectors named in a sentence at most. */
const NAMED_DETECTORS = 2;
/** Clusters whose example pairs the reports show at most. */
const CLUSTERS_WITH_EXAMPLES = 3;

/** How the clusters of change are found and tested, in one paragraph for the reports. */
export const CHANGES_METHOD_TEXT =
  "Each prompt's change is the direction from A's answers to B's (mean embedding of B's " +
  "answers minus A's, scaled to length 1; prompts whose answers did not change are left out). " +
  'The changes of a random half of the prompts are grouped by k-means (k from 2 to 10, chosen ' +
  'by silhouette); each prompt of the other half joins its nearest group, and a group is tested ' +
  'on those held-out prompts alone, by how far they move in its direction against random sign ' +
  'flips (as likely as not when A and B are exchangeable), with Benjamini-Hochberg q-values ' +
  'across the groups. Every prompt then joins its nearest group for the description: the terms ' +
  "B's answers gain or lose on most of its prompts (net), the detectors that move most (change " +
  'in the share of answers showing it, or in the rate per 100 words), and the pairs nearest ' +
  'its centre, each excerpt starting where the two answers part.';

/**
 * What a view says when there are no clusters of change: why (too few paired prompts, saved
 * before they existed, too few changed prompts, or changes too alike to cluster), or null when
 * there are clusters. `pairedPrompts` is the comparison's count of prompts both sides answered.
 */
export function changesNote(changes: ChangesResult | null, pairedPrompts: number): string | null {
  if (changes === null) {
    return pairedPrompts < MIN_CHANGE_PROMPTS
      ? `Not computed: too few paired prompts (${formatCount(pairedPrompts)}; clusters of change need ${MIN_CHANGE_PROMPTS}).`
      : 'Not computed: the analysis was saved before clusters of change existed; run it again to see them.';
  }
  if (changes.clusters.length > 0) return null;
  if (changes.nPrompts < MIN_CHANGE_PROMPTS) {
    const changed = formatCount(changes.nPrompts, 'prompt');
    return `Only ${changed} changed between A and B: too few to find kinds of change (${MIN_CHANGE_PROMPTS} needed).`;
  }
  return `The ${formatCount(changes.nPrompts)} changed prompts change in too few distinct ways to group.`;
}

/** One line on how far the grouping can be trusted, with a warning when it is weak. */
export function changesQualityText(changes: ChangesResult): string {
  const base = `${formatCount(changes.nPrompts, 'changed prompt')}, ${changes.k} groups`;
  if (changes.silhouette === null) return `${base}.`;
  const s = changes.silhouette.toFixed(2);
  return changes.silhouette < WEAK_SILHOUETTE
    ? `${base}, silhouette ${s} (< ${WEAK_SILHOUETTE}): the changes do not form distinct kinds; read each group as a tendency, next to the features and words.`
    : `${base}, silhouette ${s} (0: no groups, 1: tight separate groups).`;
}

/**
 * A detector's move in words: "refusals (declines the task) −40 pp of answers", "numbered-list
 * items +0.60 per 100 words", "answer length (words) +147 words".
 */
export function detectorChangeText(d: ChangeDetectorDelta): string {
  const label = readableFeatureName(d.name).toLowerCase();
  const measure = (FEATURE_MEASURES as Record<string, string | undefined>)[d.name];
  const sign = d.delta > 0 ? '+' : '−';
  const size = Math.abs(d.delta);
  if (measure === 'presence') return `${label} ${formatPoints(d.delta, 0)} of answers`;
  if (measure === 'rate') return `${label} ${sign}${size.toFixed(2)} per 100 words`;
  if (measure === 'length') return `${label} ${sign}${size.toFixed(0)} words`;
  return `${label} ${sign}${size.toFixed(2)}`;
}

const quote = (terms: readonly string[]) =>
  terms
    .slice(0, QUOTED_TERMS)
    .map((t) => `“${t}”`)
    .join(', ');

/**
 * A kind of change in plain words: "In 25 prompts, B adds “trusted expert”, “double check” and
 * drops “sure”; numbered-list items +0.60 per 100 words."
 */
export function changeClusterSentence(cluster: ChangeCluster): string {
  const terms: string[] = [];
  if (cluster.terms.added.length) terms.push(`adds ${quote(cluster.terms.added)}`);
  if (cluster.terms.removed.length) terms.push(`drops ${quote(cluster.terms.removed)}`);
  const detectors = cluster.detectors.slice(0, NAMED_DETECTORS).map(detectorChangeText);
  const where = `In ${formatCount(cluster.n, 'prompt')}`;
  if (!terms.length && !detectors.length) {
    return `${where}, B's answers change the same way (no term or detector stands out).`;
  }
  const said = terms.length ? `, B ${terms.join(' and ')}` : ", B's answers change";
  return `${where}${said}${detectors.length ? `; ${detectors.join('; ')}` : ''}.`;
}

/** Clusters with q < ALPHA, in the result's order (most significant first). */
export function significantChanges(changes: ChangesResult): ChangeCluster[] {
  return changes.clusters.filter((c) => c.qValue !== null && c.qValue < ALPHA);
}

/** The "Clusters of change" section of the Markdown report. */
export function changesMarkdown(changes: ChangesResult | null, pairedPrompts: number): string {
  const lines = [`## ${CHANGES_TITLE}`, '', CHANGES_METHOD_TEXT, ''];
  const note = changesNote(changes, pairedPrompts);
  if (note || !changes) {
    lines.push(cell(note ?? '', 400), '');
    return lines.join('\n');
  }
  lines.push(
    cell(changesQualityText(changes), 400),
    '',
    '| group | prompts | q | what changes | B adds | B drops |',
    '| ---: | ---: | ---: | --- | --- | --- |',
  );
  for (const c of changes.clusters) {
    lines.push(
      `| ${c.id} | ${c.n} | ${formatQ(c.qValue)} | ${cell(changeClusterSentence(c), 400)} | ${cell(c.terms.added.join(', '))} | ${cell(c.terms.removed.join(', '))} |`,
    );
  }
  for (const c of significantChanges(changes).slice(0, CLUSTERS_WITH_EXAMPLES)) {
    lines.push('', `### Group ${c.id}: examples`, '');
    for (const e of c.examples) {
      lines.push(`- ${cell(e.promptId, 80)}: A: ${cell(e.a, 200)} → B: ${cell(e.b, 200)}`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

/** The "Clusters of change" section of the HTML report; every model or prompt text is escaped. */
export function changesHtml(changes: ChangesResult | null, pairedPrompts: number): string {
  const e = escapeHtml;
  const parts = [`<h2>${CHANGES_TITLE}</h2>`, `<p class="muted">${e(CHANGES_METHOD_TEXT)}</p>`];
  const note = changesNote(changes, pairedPrompts);
  if (note || !changes) {
    parts.push(`<p class="muted">${e(note ?? '')}</p>`);
    return parts.join('\n');
  }
  const weak = changes.silhouette !== null && changes.silhouette < WEAK_SILHOUETTE;
  parts.push(`<p class="${weak ? 'warning' : 'muted'}">${e(changesQualityText(changes))}</p>`);
  const rows = changes.clusters.map((c) => {
    const significant = c.qValue !== null && c.qValue < ALPHA;
    return `<tr${significant ? ' class="sig"' : ''}><td class="n">${c.id}</td><td class="n">${c.n}</td><td class="n">${e(formatQ(c.qValue))}</td><td>${e(changeClusterSentence(c))}</td><td>${e(c.terms.added.join(', '))}</td><td>${e(c.terms.removed.join(', '))}</td></tr>`;
  });
  parts.push(
    '<table>',
    '<thead><tr><th class="n">group</th><th class="n">prompts</th><th class="n">q</th><th>what changes</th><th>B adds</th><th>B drops</th></tr></thead>',
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table>',
  );
  for (const c of significantChanges(changes).slice(0, CLUSTERS_WITH_EXAMPLES)) {
    parts.push(`<h3>Group ${c.id}: examples</h3>`, '<table>');
    parts.push('<thead><tr><th>prompt</th><th>A</th><th>B</th></tr></thead>', '<tbody>');
    for (const x of c.examples) {
      parts.push(
        `<tr><td>${e(x.promptId)}</td><td><span class="a">A</span> ${e(x.a)}</td><td><span class="b">B</span> ${e(x.b)}</td></tr>`,
      );
    }
    parts.push('</tbody>', '</table>');
  }
  return parts.join('\n');
}
