/**
 * The contrastive scores in the reports (issue #14): REPORT.json's `contrastive` field (what was
 * scored, mean llr and KL per side, the most divergent answers, prompts and phrases) and its
 * Markdown and HTML sections. Pure: built from a saved ContrastiveScoresResult and the run's prompts.
 */
import { divergenceOf, divergentNgrams, rankAnswers, rankPrompts } from '../contrastive/summaries';
import type { ContrastiveScoresResult, ScoredAnswer } from '../contrastive/types';
import type { Prompt, Side } from '../run/types';
import { escapeHtml } from './escape-html';
import { cell } from './markdown';
import { formatCount, formatNumber } from './vocabulary';

/** Most divergent answers REPORT.json and the reports list. */
export const REPORT_CONTRASTIVE_ANSWERS = 10;
/** Most divergent prompts REPORT.json and the reports list. */
export const REPORT_CONTRASTIVE_PROMPTS = 10;
/** Phrases the models disagree on most that REPORT.json and the reports list. */
export const REPORT_CONTRASTIVE_PHRASES = 15;
/** Characters of an answer REPORT.json keeps (as its `prompts[].answers` does). */
export const REPORT_ANSWER_CHARS = 160;
/** Characters of a prompt the report tables show; REPORT.json keeps the whole prompt. */
const PROMPT_CELL_CHARS = 100;

/** One of the most divergent answers. */
export interface ReportContrastiveAnswer {
  promptId: string;
  /** The prompt's text (its id when the run no longer has it). */
  prompt: string;
  side: Side;
  sample: number;
  /** What the answers are ranked by: mean KL, or |llr| per token without KL (summaries.ts divergenceOf). */
  divergence: number;
  /** logpB − logpA of the whole answer, end-of-turn token included. */
  llr: number;
  /** Mean KL(B‖A) per token; null without KL. */
  meanKl: number | null;
  /** Tokens scored, end-of-turn token included. */
  tokens: number;
  /** The answer's first REPORT_ANSWER_CHARS characters as the tokens spell it (end-of-turn left out). */
  answer: string;
}

/** One of the most divergent prompts (summaries.ts PromptDivergence with the prompt's text). */
export interface ReportContrastivePrompt {
  promptId: string;
  prompt: string;
  /** Mean over its scored answers of their divergence. */
  meanDivergence: number;
  meanLlrA: number | null;
  meanLlrB: number | null;
  answers: number;
}

/** One of the phrases the models disagree on most (summaries.ts DivergentNgram). */
export interface ReportContrastivePhrase {
  text: string;
  /** Words in it. */
  n: number;
  count: number;
  countA: number;
  countB: number;
  /** Mean over occurrences of the mean KL of its tokens. */
  meanKl: number;
  /** Sum over occurrences of (that mean − the answers' KL per token): above usual. */
  excessKl: number;
}

/** REPORT.json's `contrastive` field: the run's latest contrastive scoring, summarised. */
export interface ReportContrastive {
  /** The backend ids that scored, e.g. `transformers:tiny-base`. */
  modelA: string;
  modelB: string;
  /** Whether A and B share a vocabulary: without it (or scored by a server) there is no KL. */
  sharedVocabulary: boolean;
  /** Answers scored per side. */
  answers: { A: number; B: number };
  /** Mean llr (logpB − logpA, nats per answer) of each side's answers; null when it has none. */
  meanLlr: { A: number | null; B: number | null };
  /** Mean over each side's answers of their mean KL per token; null without KL. */
  meanKl: { A: number | null; B: number | null } | null;
  topAnswers: ReportContrastiveAnswer[];
  topPrompts: ReportContrastivePrompt[];
  /** Empty without KL: phrases are weighted by it. */
  phrases: ReportContrastivePhrase[];
}

/** Special tokens by their decoded names: GPT-2's <|endoftext|>, ChatML's <|im_end|>, Llama's </s>. */
const SPECIAL_TOKEN = /^(<\|.*\|>|<\/?s>)$/;

/** An answer's text as its tokens spell it, the end-of-turn token left out, cut to `max`. */
export function scoredAnswerText(item: ScoredAnswer, max = REPORT_ANSWER_CHARS): string {
  const tokens = item.tokens.map((t) => t.token);
  if (tokens.length > 0 && SPECIAL_TOKEN.test(tokens[tokens.length - 1]!)) tokens.pop();
  const text = tokens.join('').replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The mean of some numbers, or null when there are none. */
function mean(xs: readonly number[]): number | null {
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
}

/** Whether some side was scored by an OpenAI-compatible server (log probabilities only). */
export function scoredByServer(report: Pick<ReportContrastive, 'modelA' | 'modelB'>): boolean {
  return [report.modelA, report.modelB].some((id) => id.startsWith('openai:'));
}

/** REPORT.json's `contrastive` field from a saved scoring and the run's prompts. */
export function reportContrastive(
  scores: ContrastiveScoresResult,
  prompts: readonly Pick<Prompt, 'id' | 'text'>[],
): ReportContrastive {
  const text = new Map(prompts.map((p) => [p.id, p.text]));
  const promptText = (id: string) => text.get(id) ?? id;
  const items = scores.items;
  const side = (s: Side) => items.filter((i) => i.side === s);
  const kls = (s: Side) => side(s).flatMap((i) => (i.meanKl === null ? [] : [i.meanKl]));
  const hasKl = scores.sharedVocabulary && items.some((i) => i.meanKl !== null);
  return {
    modelA: scores.modelA,
    modelB: scores.modelB,
    sharedVocabulary: scores.sharedVocabulary,
    answers: { A: side('A').length, B: side('B').length },
    meanLlr: { A: mean(side('A').map((i) => i.llr)), B: mean(side('B').map((i) => i.llr)) },
    meanKl: hasKl ? { A: mean(kls('A')), B: mean(kls('B')) } : null,
    topAnswers: rankAnswers(items)
      .slice(0, REPORT_CONTRASTIVE_ANSWERS)
      .map((item) => ({
        promptId: item.promptId,
        prompt: promptText(item.promptId),
        side: item.side,
        sample: item.sample,
        divergence: divergenceOf(item),
        llr: item.llr,
        meanKl: item.meanKl,
        tokens: item.tokens.length,
        answer: scoredAnswerText(item),
      })),
    topPrompts: rankPrompts(items)
      .slice(0, REPORT_CONTRASTIVE_PROMPTS)
      .map((p) => ({ ...p, prompt: promptText(p.promptId) })),
    // divergentNgrams skips answers without per-token KL, so a scoring without KL lists none.
    phrases: hasKl
      ? divergentNgrams(items, { limit: REPORT_CONTRASTIVE_PHRASES }).map((g) => ({
          text: g.text,
          n: g.n,
          count: g.count,
          countA: g.countA,
          countB: g.countB,
          meanKl: g.meanKl,
          excessKl: g.excessKl,
        }))
      : [],
  };
}

/** A signed number of nats, "+3.23" or "−0.50"; "–" when missing. */
export function signedNats(x: number | null, digits = 2): string {
  if (x === null) return '–';
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
}

/** What the answers are ranked by, as the tables' column says it. */
function divergenceName(report: ReportContrastive): string {
  return report.meanKl ? 'mean KL' : '|llr| per token';
}

/** Which models scored, whether KL was had and how many answers, in one paragraph. */
export function contrastiveSetupText(report: ReportContrastive): string {
  const scored = `${formatCount(report.answers.A, 'answer')} of A and ${formatCount(report.answers.B, 'answer')} of B scored under both models: A = ${report.modelA}, B = ${report.modelB}.`;
  if (report.meanKl) {
    return `${scored} A and B share a vocabulary, so each token has KL(B‖A) between the models' next-token distributions (nats); answers are ranked by mean KL per token.`;
  }
  const why = scoredByServer(report)
    ? 'A side was scored by an OpenAI-compatible server, which gives log probabilities only'
    : 'A and B do not share a vocabulary, which KL needs, so there are log probabilities only';
  return `${scored} ${why}: there is no KL, and answers are ranked by |llr| per token.`;
}

/** One side's mean llr as a clause: "more likely than A does, by 3.23 nats". */
function likelier(llr: number): string {
  return `${llr >= 0 ? 'more' : 'less'} likely than A does, by ${formatNumber(Math.abs(llr), 2)} nats`;
}

/**
 * What the mean llr (and KL) say, in plain words: llr = log p_B − log p_A of a whole answer, so
 * a positive mean on B's answers is B finding its own answers likelier than A does.
 */
export function contrastiveMeaningText(report: ReportContrastive): string {
  const { A, B } = report.meanLlr;
  const parts: string[] = [];
  if (B !== null)
    parts.push(`on B's answers, B finds them ${likelier(B)} (mean llr ${signedNats(B)})`);
  if (A !== null)
    parts.push(`on A's answers, B finds them ${likelier(A)} (mean llr ${signedNats(A)})`);
  const llr = parts.length
    ? `${parts.join('; ').replace(/^o/, 'O')}. llr = log p_B − log p_A of a whole answer, end-of-turn token included, averaged over answers.`
    : 'No answers were scored.';
  const kl = report.meanKl;
  if (!kl) return llr;
  return `${llr} The next-token distributions differ by a mean KL(B‖A) of ${formatNumber(kl.A)} nats per token on A's answers and ${formatNumber(kl.B)} on B's.`;
}

/** How the phrases are ranked, in words. */
export const PHRASES_METHOD =
  'Word phrases (1-3 words, seen at least twice) by the mean KL of their tokens; "above usual" ' +
  'sums, over occurrences, how far that mean is above the answers’ KL per token, and ranks them. ' +
  'In A / in B count occurrences in each side’s answers.';

/** The contrastive section of the Markdown report; prompts, answers and phrases are escaped. */
export function contrastiveMarkdown(report: ReportContrastive): string {
  // "|llr| per token" has pipes, which would split the header's cells.
  const by = cell(divergenceName(report));
  const lines = [
    '## Where the models disagree (contrastive scores)',
    '',
    cell(contrastiveSetupText(report), 2000),
    '',
    cell(contrastiveMeaningText(report), 2000),
    '',
    '### Most divergent answers',
    '',
    `| prompt | side | sample | ${by} | llr | answer |`,
    '| --- | --- | ---: | ---: | ---: | --- |',
    ...report.topAnswers.map(
      (a) =>
        `| ${cell(a.prompt, PROMPT_CELL_CHARS)} | ${a.side} | ${a.sample} | ${formatNumber(a.divergence)} | ${signedNats(a.llr)} | ${cell(a.answer)} |`,
    ),
    '',
    '### Most divergent prompts',
    '',
    `| prompt | answers | ${by} | mean llr of A's | mean llr of B's |`,
    '| --- | ---: | ---: | ---: | ---: |',
    ...report.topPrompts.map(
      (p) =>
        `| ${cell(p.prompt, PROMPT_CELL_CHARS)} | ${p.answers} | ${formatNumber(p.meanDivergence)} | ${signedNats(p.meanLlrA)} | ${signedNats(p.meanLlrB)} |`,
    ),
    '',
  ];
  if (report.meanKl) {
    lines.push(
      '### Phrases the models disagree on most',
      '',
      PHRASES_METHOD,
      '',
      '| phrase | in A | in B | mean KL | above usual |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...report.phrases.map(
        (g) =>
          `| ${cell(g.text)} | ${g.countA} | ${g.countB} | ${formatNumber(g.meanKl)} | ${signedNats(g.excessKl)} |`,
      ),
      '',
    );
  }
  return lines.join('\n');
}

/** The contrastive section of the HTML report; every prompt, answer and phrase is escaped. */
export function contrastiveHtml(report: ReportContrastive): string {
  const e = escapeHtml;
  const by = e(divergenceName(report));
  const short = (text: string) =>
    text.length > PROMPT_CELL_CHARS ? `${text.slice(0, PROMPT_CELL_CHARS - 1)}…` : text;
  const out = [
    '<h2>Where the models disagree (contrastive scores)</h2>',
    `<p>${e(contrastiveSetupText(report))}</p>`,
    `<p>${e(contrastiveMeaningText(report))}</p>`,
    '<h3>Most divergent answers</h3>',
    `<table data-section="contrastive-answers"><thead><tr><th>prompt</th><th>side</th><th class="n">sample</th><th class="n">${by}</th><th class="n">llr</th><th>answer</th></tr></thead><tbody>`,
    ...report.topAnswers.map(
      (a) =>
        `<tr><td>${e(short(a.prompt))}</td><td>${a.side}</td><td class="n">${a.sample}</td><td class="n">${formatNumber(a.divergence)}</td><td class="n">${signedNats(a.llr)}</td><td><blockquote>${e(a.answer)}</blockquote></td></tr>`,
    ),
    '</tbody></table>',
    '<h3>Most divergent prompts</h3>',
    `<table data-section="contrastive-prompts"><thead><tr><th>prompt</th><th class="n">answers</th><th class="n">${by}</th><th class="n">mean llr of A's</th><th class="n">mean llr of B's</th></tr></thead><tbody>`,
    ...report.topPrompts.map(
      (p) =>
        `<tr><td>${e(short(p.prompt))}</td><td class="n">${p.answers}</td><td class="n">${formatNumber(p.meanDivergence)}</td><td class="n">${signedNats(p.meanLlrA)}</td><td class="n">${signedNats(p.meanLlrB)}</td></tr>`,
    ),
    '</tbody></table>',
  ];
  if (report.meanKl) {
    out.push(
      '<h3>Phrases the models disagree on most</h3>',
      `<p class="muted">${e(PHRASES_METHOD)}</p>`,
      '<table data-section="contrastive-phrases"><thead><tr><th>phrase</th><th class="n">in A</th><th class="n">in B</th><th class="n">mean KL</th><th class="n">above usual</th></tr></thead><tbody>',
      ...report.phrases.map(
        (g) =>
          `<tr><td><code>${e(g.text)}</code></td><td class="n">${g.countA}</td><td class="n">${g.countB}</td><td class="n">${formatNumber(g.meanKl)}</td><td class="n">${signedNats(g.excessKl)}</td></tr>`,
      ),
      '</tbody></table>',
    );
  }
  return out.join('\n');
}
