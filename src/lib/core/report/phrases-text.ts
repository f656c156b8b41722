/**
 * How openings and closings are written everywhere (app, Markdown, HTML, headline): each phrase
 * with the answers that open (or end) with it on each side and its q-value, so the claim can be
 * checked by reading the answers. Phrases come from model text: the HTML escapes every one.
 */
import type { PhraseResult, PhrasesResult } from '../compare/result-types';
import { escapeHtml } from './escape-html';
import { cell } from './markdown';
import type { Side } from '../run/types';
import { ALPHA, formatQ } from './vocabulary';

/** Phrases a report lists at most, per family and side. */
const MAX_LISTED = 10;

/** Which end of the answers a family is about. */
type PhraseFamily = 'openings' | 'closings';

/** What a view says for a family saved before openings and closings were tested. */
export const PHRASES_NOT_COMPUTED = 'not computed (analysis saved before openings were tested)';

/** "in 2 of A's answers vs 30 of B's, q = 1.2e-6". */
export function phraseEvidence(p: PhraseResult): string {
  return `in ${p.countA} of A's answers vs ${p.countB} of B's, q = ${formatQ(p.qValue)}`;
}

/** One sentence saying how openings and closings were found and tested. */
export function phrasesMethod(
  openings: PhrasesResult | null,
  closings: PhrasesResult | null,
): string {
  const test = (openings ?? closings)?.test;
  const how =
    test === 'permutation'
      ? 'within-prompt permutation test'
      : 'exact McNemar test on the prompts where only one side’s answer has it';
  const tested = (f: PhrasesResult | null) => (f ? String(f.tested) : 'no');
  return `An answer's opening is its first three words and its closing its last three, lower-cased, without punctuation or Markdown. Each phrase that opens (or closes) at least 5 answers is tested by whether an answer has it, paired by prompt (${how}), with Benjamini-Hochberg q-values within the ${tested(openings)} openings and, separately, the ${tested(closings)} closings tested.`;
}

/** The significant phrases of a family, B's first then A's, at most `max` a side. */
function significantPhrases(
  family: PhrasesResult,
  max = MAX_LISTED,
): { side: Side; p: PhraseResult }[] {
  return (['B', 'A'] as const).flatMap((side) =>
    (side === 'B' ? family.moreInB : family.moreInA)
      .filter((p) => p.qValue < ALPHA)
      .slice(0, max)
      .map((p) => ({ side, p })),
  );
}

const TITLES: Record<PhraseFamily, string> = { openings: 'Openings', closings: 'Closings' };
const NOUN: Record<PhraseFamily, string> = { openings: 'opening', closings: 'closing' };

function noneText(kind: PhraseFamily, family: PhrasesResult): string {
  return family.tested === 0
    ? `No ${NOUN[kind]} is shared by 5 or more answers.`
    : `No ${NOUN[kind]} is used clearly more by one side (${family.tested} tested).`;
}

/** The "Openings and closings" section of the Markdown report. */
export function phrasesMarkdown(
  openings: PhrasesResult | null,
  closings: PhrasesResult | null,
): string {
  const lines = ['## Openings and closings', ''];
  if (!openings && !closings) {
    lines.push(`Openings and closings: ${PHRASES_NOT_COMPUTED}.`, '');
    return lines.join('\n');
  }
  lines.push(phrasesMethod(openings, closings), '');
  for (const [kind, family] of [
    ['openings', openings],
    ['closings', closings],
  ] as const) {
    lines.push(`### ${TITLES[kind]}`, '');
    if (!family) {
      lines.push(`${TITLES[kind]}: ${PHRASES_NOT_COMPUTED}.`, '');
      continue;
    }
    const listed = significantPhrases(family);
    if (listed.length === 0) lines.push(noneText(kind, family));
    for (const { side, p } of listed) {
      lines.push(`- More in ${side}: "${cell(p.text, 80)}" (${phraseEvidence(p)})`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** The "Openings and closings" section of the HTML report; every phrase is escaped. */
export function phrasesHtml(
  openings: PhrasesResult | null,
  closings: PhrasesResult | null,
): string {
  const e = escapeHtml;
  const parts = ['<h2>Openings and closings</h2>'];
  if (!openings && !closings) {
    parts.push(`<p class="muted">Openings and closings: ${e(PHRASES_NOT_COMPUTED)}.</p>`);
    return parts.join('\n');
  }
  parts.push(`<p class="muted">${e(phrasesMethod(openings, closings))}</p>`);
  for (const [kind, family] of [
    ['openings', openings],
    ['closings', closings],
  ] as const) {
    parts.push(`<h3>${TITLES[kind]}</h3>`);
    if (!family) {
      parts.push(`<p class="muted">${TITLES[kind]}: ${e(PHRASES_NOT_COMPUTED)}.</p>`);
      continue;
    }
    const listed = significantPhrases(family);
    if (listed.length === 0) {
      parts.push(`<p>${e(noneText(kind, family))}</p>`);
      continue;
    }
    const items = listed.map(
      ({ side, p }) => `<li>More in ${side}: “${e(p.text)}” (${e(phraseEvidence(p))})</li>`,
    );
    parts.push(`<ul>\n${items.join('\n')}\n</ul>`);
  }
  return parts.join('\n');
}
