/** A Markdown report from REPORT.json: summary, clusters, style features, words, prompts. */
import { supervisorMarkdown } from './supervisor-text';
import { approvalMarkdown } from './approval-text';
import { contrastiveMarkdown } from './contrastive-text';
import { reportChanges, type ReportJson } from '../analysis/report-json';
import { CATEGORIES_TITLE, categoriesMarkdown } from './categories-text';
import { changesMarkdown } from './changes-text';
import { phrasesMarkdown } from './phrases-text';
import { divergentPromptsMethod, hasLengthAdjustment, lengthRatioText } from './prompts-text';
import { rankClusters } from '../compare/cluster-rank';
import {
  CLUSTERS_TABLE_NOTE,
  EXEMPLARS_NOTE,
  clusterCell,
  clusterName,
  clusterQualityText,
  contrastText,
  exemplarClusters,
  termsText,
} from './clusters-text';
import { NO_WORDS, reportedWords, wordEvidence, wordsMethod } from './words-text';
import {
  FEATURES_METHOD,
  featureMeasureName,
  featureMeasureText,
  featureOpposesNote,
} from './features-text';
import { formatNumber, formatPercent, formatQ, formatShare } from './vocabulary';

const num = formatNumber;

/** Escapes text for a Markdown table cell: no pipes or line breaks, no HTML. */
export function cell(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return cut.replace(/[\\|`*_<>[\]]/g, (c) => `\\${c}`);
}

/** The supervisor's sections (hypotheses first), when one ran; none otherwise. */
function supervisorLines(report: ReportJson): string[] {
  if (!report.hypotheses && !report.properties && !report.labels) return [];
  const text = supervisorMarkdown({
    labels: report.labels ?? [],
    properties: report.properties ?? [],
    hypotheses: report.hypotheses ?? [],
  });
  return text ? [text, ''] : [];
}

/** The whole report as Markdown, led by its headline (report/headline.ts). */
export function reportMarkdown(report: ReportJson, title = 'Behaviour Diff report'): string {
  const lines: string[] = [`# ${title}`, ''];
  const models = report.models
    ? `A = ${cell(report.models.A)}, B = ${cell(report.models.B)}. `
    : '';
  lines.push(
    `${models}${report.n.prompts} prompts, ${report.n.answersA} answers from A and ${report.n.answersB} from B.`,
    '',
    ...report.headline.map((line) => `- ${cell(line, 2000)}`),
    '',
    ...report.notes.flatMap((note) => [`> Note: ${cell(note, 2000)}`, '']),
    ...supervisorLines(report),
    ...(report.approval ? [approvalMarkdown(report.approval)] : []),
    ...(report.contrastive ? [contrastiveMarkdown(report.contrastive)] : []),
    '## Clusters',
    '',
    cell(clusterQualityText(report.clusterQuality), 400),
    '',
    ...(report.clusterQuality.warning
      ? [`**${cell(report.clusterQuality.warning, 400)}**`, '']
      : []),
    CLUSTERS_TABLE_NOTE,
    '',
    '| cluster | size | A | B | B − A share (95% CI) | q | terms | A/B terms |',
    '| --- | ---: | ---: | ---: | --- | ---: | --- | --- |',
  );
  const clusters = rankClusters(report.clusters);
  for (const c of clusters) {
    const ci =
      c.ciLow === null || c.ciHigh === null
        ? ''
        : ` (${formatPercent(c.ciLow)} to ${formatPercent(c.ciHigh)})`;
    lines.push(
      `| ${cell(clusterCell(c))} | ${c.size} | ${c.countA} | ${c.countB} | ${formatPercent(c.difference)}${ci} | ${formatQ(c.qValue)} | ${cell(termsText(c, 8))} | ${cell(contrastText(c))} |`,
    );
  }
  lines.push(
    '',
    '## Style features',
    '',
    FEATURES_METHOD,
    '',
    '| feature | tested on | A vs B | share A | share B | per 100 words A | per 100 words B | median A | median B | mean A | mean B | effect | q | paired prompts (no difference) |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const f of report.features) {
    const note = featureOpposesNote(f);
    lines.push(
      `| ${f.name} | ${featureMeasureName(f)} | ${cell(featureMeasureText(f) + (note ? `; ${note}` : ''), 240)} | ${formatShare(f.shareA)} | ${formatShare(f.shareB)} | ${num(f.per100wA, 2)} | ${num(f.per100wB, 2)} | ${num(f.medianA, 1)} | ${num(f.medianB, 1)} | ${num(f.meanA, 2)} | ${num(f.meanB, 2)} | ${num(f.effect, 2)} | ${formatQ(f.qValue)} | ${f.nPairs} (${f.nZeros}) |`,
    );
  }
  lines.push('', '## Words', '', wordsMethod(report.words), '');
  const shownWords = reportedWords(report.words);
  if (!shownWords.length) lines.push(NO_WORDS);
  else {
    lines.push('| more in | term | evidence |', '| --- | --- | --- |');
    for (const { side, w } of shownWords) {
      lines.push(`| ${side} | ${cell(w.term)} | ${wordEvidence(w)} |`);
    }
  }
  lines.push('', phrasesMarkdown(report.openings, report.closings));
  lines.push(changesMarkdown(reportChanges(report), report.n.pairedPrompts));
  const byCategory = categoriesMarkdown(report.categories ?? null);
  if (byCategory) lines.push(`## ${CATEGORIES_TITLE}`, '', byCategory);
  lines.push(
    '',
    '## Prompts where A and B differ most',
    '',
    divergentPromptsMethod(report.prompts),
    '',
  );
  if (hasLengthAdjustment(report.prompts)) {
    lines.push(
      '| adjusted | divergence | length | prompt | A begins | B begins |',
      '| ---: | ---: | --- | --- | --- | --- |',
    );
    for (const p of report.prompts.slice(0, 15)) {
      lines.push(
        `| ${num(p.divergenceAdjusted)} | ${num(p.divergence)} | ${lengthRatioText(p.lengthRatio)} | ${cell(p.prompt)} | ${cell(p.answers?.a ?? '')} | ${cell(p.answers?.b ?? '')} |`,
      );
    }
  } else {
    lines.push('| divergence | prompt |', '| ---: | --- |');
    for (const p of report.prompts.slice(0, 15))
      lines.push(`| ${num(p.divergence)} | ${cell(p.prompt)} |`);
  }
  const top = exemplarClusters(clusters);
  if (top.length > 0) lines.push('', '## Exemplars of the most one-sided clusters');
  if (top.length > 0) lines.push('', EXEMPLARS_NOTE);
  for (const c of top) {
    lines.push('', `### ${clusterName(c)}: ${cell(termsText(c, 5))}`, '');
    for (const text of c.exemplars.a.slice(0, 2)) lines.push(`- A: ${cell(text, 300)}`);
    for (const text of c.exemplars.b.slice(0, 2)) lines.push(`- B: ${cell(text, 300)}`);
  }
  const p = report.params;
  lines.push(
    '',
    '## Settings',
    '',
    `Embedder ${p.embedderId} (${p.embedInput}), projection ${p.projection}, clustering ${p.clustering} with k = ${p.kChosen}${p.k === 'auto' ? ' (chosen by silhouette)' : ''}, seed ${p.seed}, ${p.nPermutations} permutations.`,
    '',
  );
  return lines.join('\n');
}
