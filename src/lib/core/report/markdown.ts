/** A Markdown report from REPORT.json: summary, clusters, style features, words, prompts. */
import type { ReportJson } from '../analysis/report-json';
import { wordEvidence, wordsMethod } from './words-text';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const num = (x: number | null, digits = 3): string => (x === null ? '–' : x.toFixed(digits));
/** p-values as people read them: small ones in scientific notation. */
export const formatP = (p: number | null): string =>
  p === null ? '–' : p < 0.001 ? p.toExponential(1) : p.toFixed(3);

/** Escapes text for a Markdown table cell: no pipes or line breaks, no HTML. */
export function cell(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return cut.replace(/[\\|`*_<>[\]]/g, (c) => `\\${c}`);
}

/** The whole report as Markdown; significance is judged at q < 0.05. */
export function reportMarkdown(report: ReportJson, title = 'Behaviour Diff report'): string {
  const lines: string[] = [`# ${title}`, ''];
  const models = report.models
    ? `A = ${cell(report.models.A)}, B = ${cell(report.models.B)}. `
    : '';
  const o = report.overall;
  lines.push(
    `${models}${report.n.prompts} prompts, ${report.n.answersA} answers from A and ${report.n.answersB} from B.`,
    '',
    o.pValue < 0.05
      ? `**B's answers differ from A's**: energy distance ${num(o.statistic, 4)}, within-prompt permutation p = ${formatP(o.pValue)}.`
      : `**No overall difference detected**: energy distance ${num(o.statistic, 4)}, within-prompt permutation p = ${formatP(o.pValue)}.`,
    '',
    '## Clusters',
    '',
    '| cluster | size | A | B | B − A share (95% CI) | q | terms |',
    '| --- | ---: | ---: | ---: | --- | ---: | --- |',
  );
  const clusters = [...report.clusters].sort(
    (x, y) => x.qValue - y.qValue || Math.abs(y.difference) - Math.abs(x.difference),
  );
  for (const c of clusters) {
    const ci =
      c.ciLow === null || c.ciHigh === null ? '' : ` (${pct(c.ciLow)} to ${pct(c.ciHigh)})`;
    lines.push(
      `| ${c.id} | ${c.size} | ${c.countA} | ${c.countB} | ${pct(c.difference)}${ci} | ${formatP(c.qValue)} | ${cell(c.terms.slice(0, 8).join(', '))} |`,
    );
  }
  lines.push(
    '',
    '## Style features',
    '',
    '| feature | mean A | mean B | effect | q |',
    '| --- | ---: | ---: | ---: | ---: |',
  );
  for (const f of report.features) {
    lines.push(
      `| ${f.name} | ${num(f.meanA, 2)} | ${num(f.meanB, 2)} | ${num(f.effect, 2)} | ${formatP(f.qValue)} |`,
    );
  }
  lines.push('', '## Words', '', wordsMethod(report.words), '');
  const shownWords = (['B', 'A'] as const).flatMap((side) =>
    (side === 'B' ? report.words.moreInB : report.words.moreInA)
      .slice(0, 15)
      .map((w) => ({ side, w })),
  );
  if (!shownWords.length) lines.push('No word is used clearly more by one side.');
  else {
    lines.push('| more in | term | evidence |', '| --- | --- | --- |');
    for (const { side, w } of shownWords) {
      lines.push(`| ${side} | ${cell(w.term)} | ${wordEvidence(w)} |`);
    }
  }
  lines.push(
    '',
    '## Prompts where A and B differ most',
    '',
    '| divergence | prompt |',
    '| ---: | --- |',
  );
  for (const p of report.prompts.slice(0, 15))
    lines.push(`| ${num(p.divergence)} | ${cell(p.prompt)} |`);
  const top = clusters.filter((c) => c.exemplars.a.length + c.exemplars.b.length > 0).slice(0, 3);
  if (top.length > 0) lines.push('', '## Exemplars of the most different clusters');
  for (const c of top) {
    lines.push('', `### Cluster ${c.id}: ${cell(c.terms.slice(0, 5).join(', '))}`, '');
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
