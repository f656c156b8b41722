/**
 * A self-contained HTML report from REPORT.json: one file with inline CSS, no scripts, optional
 * plots as PNG data: URLs. Every piece of model, prompt or imported text is HTML-escaped, since
 * the file is opened outside the app's CSP; the report also carries its own CSP as a backstop.
 */
import { supervisorHtml } from './supervisor-text';
import { approvalHtml } from './approval-text';
import { contrastiveHtml } from './contrastive-text';
import { reportChanges, type ReportCluster, type ReportJson } from '../analysis/report-json';
import { CATEGORIES_TITLE, categoriesHtml } from './categories-text';
import { changesHtml } from './changes-text';
import { escapeHtml } from './escape-html';
import { phrasesHtml } from './phrases-text';
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
import { ALPHA, formatNumber, formatPercent, formatQ, formatShare } from './vocabulary';
import { divergentPromptsMethod, hasLengthAdjustment, lengthRatioText } from './prompts-text';
import { NO_WORDS, reportedWords, wordEvidence, wordsMethod } from './words-text';
import {
  FEATURES_METHOD,
  featureMeasureName,
  featureMeasureText,
  featureOpposesNote,
} from './features-text';

/** A plot rendered to a static image for the report. */
export interface ReportPlot {
  title: string;
  /** A `data:image/png;base64,...` (or jpeg/webp) URL; anything else is dropped. */
  dataUrl: string;
  /** The page colour the chart was drawn on (hex or rgb()), so dark-theme charts stay legible. */
  background?: string;
}

/** What the HTML report needs besides REPORT.json. */
export interface HtmlReportOptions {
  title?: string;
  /** Plots to embed; when absent or empty the report says they were omitted. */
  plots?: readonly ReportPlot[];
  /** When the report was made (ISO text), shown in the footer. */
  createdAt?: string;
}

// Only base64 raster images: an SVG data URL could carry script, and anything else is not ours.
const SAFE_IMAGE = /^data:image\/(png|jpeg|webp);base64,[A-Za-z0-9+/=]+$/;

const SAFE_COLOUR = /^(#[0-9a-f]{3,8}|rgba?\([\d.,\s%]+\))$/i;

/** Whether `url` is a data: URL the report may embed as an image. */
export function isSafeImageUrl(url: string): boolean {
  return SAFE_IMAGE.test(url);
}

const num = formatNumber;
const e = escapeHtml;

/** Clusters as the report ranks them: most one-sided first, then q; noise last (cluster-rank.ts). */
export function rankedClusters(report: ReportJson): ReportCluster[] {
  return rankClusters(report.clusters);
}

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1f}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #e3e3e8;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.sig td:first-child{font-weight:700}.warning{color:#8a2b00}.muted{color:#666}.headline{font-weight:600;font-size:1.05rem;padding-left:1.2rem}
.note{border-left:3px solid #d9a400;padding:.2rem .6rem;background:#fff8e1}
.a{color:#1f6fb2;font-weight:600}.b{color:#c2571a;font-weight:600}
blockquote{margin:.3rem 0;padding:.3rem .6rem;border-left:3px solid #ccc;white-space:pre-wrap}
img{max-width:100%;border:1px solid #eee}code{font-size:.9em}
`;

/** The whole report as one HTML document, led by its headline (report/headline.ts). */
export function reportHtml(report: ReportJson, options: HtmlReportOptions = {}): string {
  const title = options.title ?? 'Behaviour Diff report';
  const out: string[] = [];
  const models = report.models
    ? `A = <span class="a">${e(report.models.A)}</span>, B = <span class="b">${e(report.models.B)}</span>. `
    : '';
  out.push(
    `<h1>${e(title)}</h1>`,
    `<p>${models}${report.n.prompts} prompts, ${report.n.answersA} answers from A and ${report.n.answersB} from B.</p>`,
    `<ul class="headline">${report.headline.map((line) => `<li>${e(line)}</li>`).join('')}</ul>`,
    ...report.notes.map((note) => `<p class="note">Note: ${e(note)}</p>`),
    supervisorHtml({
      labels: report.labels ?? [],
      properties: report.properties ?? [],
      hypotheses: report.hypotheses ?? [],
    }),
    report.approval ? approvalHtml(report.approval) : '',
    report.contrastive ? contrastiveHtml(report.contrastive) : '',
  );

  const plots = (options.plots ?? []).filter((p) => isSafeImageUrl(p.dataUrl));
  out.push('<h2>Plots</h2>');
  if (plots.length === 0) out.push('<p class="muted">Plots are omitted from this report.</p>');
  for (const p of plots) {
    const bg =
      p.background && SAFE_COLOUR.test(p.background) ? ` style="background:${p.background}"` : '';
    out.push(
      `<figure><img src="${e(p.dataUrl)}" alt="${e(p.title)}"${bg}><figcaption>${e(p.title)}</figcaption></figure>`,
    );
  }

  const clusters = rankedClusters(report);
  out.push(
    '<h2>Clusters</h2>',
    `<p>${e(clusterQualityText(report.clusterQuality))}</p>`,
    ...(report.clusterQuality.warning
      ? [`<p class="warning"><strong>${e(report.clusterQuality.warning)}</strong></p>`]
      : []),
    `<p class="muted">${CLUSTERS_TABLE_NOTE}</p>`,
    '<table><thead><tr><th>cluster</th><th class="n">size</th><th class="n">A</th><th class="n">B</th><th>B − A share (95% CI)</th><th class="n">q</th><th>terms</th><th>A/B terms</th></tr></thead><tbody>',
  );
  for (const c of clusters) {
    const ci =
      c.ciLow === null || c.ciHigh === null
        ? ''
        : ` (${formatPercent(c.ciLow)} to ${formatPercent(c.ciHigh)})`;
    out.push(
      `<tr${c.qValue < ALPHA ? ' class="sig"' : ''}><td>${e(clusterCell(c))}</td><td class="n">${c.size}</td><td class="n">${c.countA}</td><td class="n">${c.countB}</td><td>${formatPercent(c.difference)}${ci}</td><td class="n">${formatQ(c.qValue)}</td><td>${e(termsText(c, 8))}</td><td>${e(contrastText(c))}</td></tr>`,
    );
  }
  out.push('</tbody></table>');

  out.push(
    '<h2>Style features</h2>',
    `<p>${e(FEATURES_METHOD)}</p>`,
    '<table><thead><tr><th>feature</th><th>tested on</th><th>A vs B</th><th class="n">share A</th><th class="n">share B</th><th class="n">per 100 words A</th><th class="n">per 100 words B</th><th class="n">median A</th><th class="n">median B</th><th class="n">mean A</th><th class="n">mean B</th><th class="n">effect</th><th class="n">q</th><th class="n">paired prompts (no difference)</th></tr></thead><tbody>',
  );
  for (const f of report.features) {
    const sig = f.qValue !== null && f.qValue < ALPHA;
    const note = featureOpposesNote(f);
    out.push(
      `<tr${sig ? ' class="sig"' : ''}><td>${e(f.name)}</td><td>${e(featureMeasureName(f))}</td><td>${e(featureMeasureText(f) + (note ? `; ${note}` : ''))}</td><td class="n">${formatShare(f.shareA)}</td><td class="n">${formatShare(f.shareB)}</td><td class="n">${num(f.per100wA, 2)}</td><td class="n">${num(f.per100wB, 2)}</td><td class="n">${num(f.medianA, 1)}</td><td class="n">${num(f.medianB, 1)}</td><td class="n">${num(f.meanA, 2)}</td><td class="n">${num(f.meanB, 2)}</td><td class="n">${num(f.effect, 2)}</td><td class="n">${formatQ(f.qValue)}</td><td class="n">${f.nPairs} (${f.nZeros})</td></tr>`,
    );
  }
  out.push('</tbody></table>');

  out.push('<h2>Words</h2>', `<p>${e(wordsMethod(report.words))}</p>`);
  const shownWords = reportedWords(report.words);
  if (!shownWords.length) out.push(`<p>${NO_WORDS}</p>`);
  else {
    out.push(
      '<table><thead><tr><th>more in</th><th>term</th><th>evidence</th></tr></thead><tbody>',
    );
    for (const { side, w } of shownWords) {
      const sig = w.qValue !== null && w.qValue < ALPHA;
      out.push(
        `<tr${sig ? ' class="sig"' : ''}><td><span class="${side.toLowerCase()}">${side}</span></td><td>${e(w.term)}</td><td>${e(wordEvidence(w))}</td></tr>`,
      );
    }
    out.push('</tbody></table>');
  }

  out.push(phrasesHtml(report.openings, report.closings));
  out.push(changesHtml(reportChanges(report), report.n.pairedPrompts));
  const byCategory = categoriesHtml(report.categories ?? null);
  if (byCategory) out.push(`<h2>${e(CATEGORIES_TITLE)}</h2>`, byCategory);

  out.push(
    '<h2>Prompts where A and B differ most</h2>',
    `<p>${e(divergentPromptsMethod(report.prompts))}</p>`,
  );
  if (hasLengthAdjustment(report.prompts)) {
    out.push(
      '<table><thead><tr><th class="n">adjusted</th><th class="n">divergence</th><th>length</th><th>prompt</th><th>A begins</th><th>B begins</th></tr></thead><tbody>',
    );
    for (const p of report.prompts.slice(0, 15)) {
      out.push(
        `<tr><td class="n">${num(p.divergenceAdjusted)}</td><td class="n">${num(p.divergence)}</td><td>${e(lengthRatioText(p.lengthRatio))}</td><td>${e(p.prompt)}</td><td>${e(p.answers?.a ?? '')}</td><td>${e(p.answers?.b ?? '')}</td></tr>`,
      );
    }
  } else {
    out.push('<table><thead><tr><th class="n">divergence</th><th>prompt</th></tr></thead><tbody>');
    for (const p of report.prompts.slice(0, 15))
      out.push(`<tr><td class="n">${num(p.divergence)}</td><td>${e(p.prompt)}</td></tr>`);
  }
  out.push('</tbody></table>');

  const top = exemplarClusters(clusters);
  if (top.length > 0)
    out.push(
      '<h2>Exemplars of the most one-sided clusters</h2>',
      `<p class="muted">${EXEMPLARS_NOTE}</p>`,
    );
  for (const c of top) {
    out.push(`<h3>${e(clusterName(c))}: ${e(termsText(c, 5))}</h3>`);
    for (const text of c.exemplars.a.slice(0, 2))
      out.push(`<p class="a">A</p><blockquote>${e(text)}</blockquote>`);
    for (const text of c.exemplars.b.slice(0, 2))
      out.push(`<p class="b">B</p><blockquote>${e(text)}</blockquote>`);
  }

  out.push('<h2>Settings</h2>', settingsHtml(report));
  if (options.createdAt)
    out.push(`<p class="muted">Made with Behaviour Diff on ${e(options.createdAt)}.</p>`);

  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // The report has no scripts; this keeps any that slipped through from running.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(title)}</title><style>${STYLE}</style></head><body>`,
    ...out,
    '</body></html>',
    '',
  ].join('\n');
}

/** Every analysis setting, so the analysis can be reproduced. */
function settingsHtml(report: ReportJson): string {
  const p = report.params;
  const rows: [string, string][] = [
    ['embedder', `${p.embedderId} (${p.embedInput})`],
    ['projection', p.projection],
    ['clustering', p.clustering],
    [
      'k',
      p.k === 'auto'
        ? `${p.kChosen} (chosen by silhouette over ${p.kMin}–${p.kMax})`
        : String(p.kChosen),
    ],
    ['minimum cluster size (HDBSCAN)', String(p.minClusterSize)],
    ['seed', String(p.seed)],
    ['permutations', String(p.nPermutations)],
    ['stability seeds', String(p.stabilitySeeds)],
  ];
  return `<table data-section="settings"><tbody>${rows
    .map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`)
    .join('')}</tbody></table>`;
}
