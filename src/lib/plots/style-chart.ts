/**
 * Traces for the style chart: each style feature's effect size (rank-biserial, −1..1) on its
 * primary measure (presence, rate per 100 words, or words), with share and rate in the hover.
 */
import type { FeatureResult } from '../core/compare/result-types';
// The report's vocabulary, so the chart and the report print the same q-values.
import { ALPHA, formatPercent, formatQ } from '../core/report/vocabulary';
import {
  featureMeasureName,
  featureMeasureText,
  featureOpposesNote,
} from '../core/report/features-text';
import { readableFeatureName } from '../core/text/style-features';
import { QUIET_COLOUR } from './cluster-bars';
import { escapePlotText } from './text';
import type { PlotTheme } from './theme';
import type { Trace } from './types';

/** Whether a feature's difference survives the FDR correction. */
export function featureSignificant(f: Pick<FeatureResult, 'qValue'>): boolean {
  return f.qValue !== null && f.qValue < ALPHA;
}

/**
 * The y-axis label of a feature: its readable name and q-value, escaped for Plotly; a count whose
 * rate moves against it is marked, since its bar (the rate) points the other way from its mean.
 */
export function featureLabel(
  f: Pick<FeatureResult, 'name' | 'qValue' | 'rateOpposesCount'>,
): string {
  const mark = f.rateOpposesCount ? ' ⇄ count' : '';
  return escapePlotText(`${readableFeatureName(f.name)}${mark} (q = ${formatQ(f.qValue)})`);
}

/** The mean of a feature as shown in hovers: small values keep more digits. */
const mean = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2));

/**
 * The hover lines of a feature's primary measure (what its effect and q come from), its share
 * and rate, and a note when the count moves against the rate; none for an analysis saved before
 * the measures existed.
 */
function measureLines(f: FeatureResult): string[] {
  if (!f.measure) return ['tested on the count per answer (saved before share and rate)'];
  const lines = [`tested on ${featureMeasureName(f)}: ${escapePlotText(featureMeasureText(f))}`];
  if (f.shareA !== undefined && f.shareB !== undefined) {
    lines.push(`in ${formatPercent(f.shareA)} of A's answers vs ${formatPercent(f.shareB)} of B's`);
  }
  if (f.measure !== 'length' && f.per100wA !== undefined && f.per100wB !== undefined) {
    lines.push(`per 100 words: A ${f.per100wA.toFixed(2)} → B ${f.per100wB.toFixed(2)}`);
  }
  if (f.medianA !== undefined && f.medianB !== undefined) {
    lines.push(`median A ${mean(f.medianA)} → median B ${mean(f.medianB)}`);
  }
  const note = featureOpposesNote(f);
  if (note) lines.push(escapePlotText(note));
  return lines;
}

/**
 * One horizontal bar trace of effect sizes, most A-leaning at the bottom; features whose effect
 * cannot be computed (no prompt differs) are left out. Significant bars take the colour of the
 * side that is higher, the others are grey.
 */
export function featureEffectTraces(features: readonly FeatureResult[], theme: PlotTheme): Trace[] {
  const shown = features
    .filter((f): f is FeatureResult & { effect: number } => f.effect !== null)
    .sort((x, y) => x.effect - y.effect || x.name.localeCompare(y.name));
  if (!shown.length) return [];
  return [
    {
      type: 'bar',
      orientation: 'h',
      y: shown.map(featureLabel),
      x: shown.map((f) => f.effect),
      marker: {
        color: shown.map((f) =>
          featureSignificant(f) ? (f.effect > 0 ? theme.sideB : theme.sideA) : QUIET_COLOUR,
        ),
      },
      customdata: shown.map((f) => f.name),
      hovertext: shown.map((f) =>
        [
          `<b>${escapePlotText(readableFeatureName(f.name))}</b> (${escapePlotText(f.name)})`,
          `effect (rank-biserial) ${f.effect.toFixed(2)}: ${f.effect > 0 ? 'higher in B' : f.effect < 0 ? 'higher in A' : 'no lean'}`,
          ...measureLines(f),
          `mean A ${mean(f.meanA)} → mean B ${mean(f.meanB)}`,
          `q = ${formatQ(f.qValue)}${featureSignificant(f) ? ' · significant' : ''}`,
        ].join('<br>'),
      ),
      hoverinfo: 'text',
    },
  ];
}
