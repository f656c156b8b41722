/**
 * Style features of one answer: counts of Markdown elements and phrases, and the yes/no
 * behaviour detectors of detectors.ts (1 when the answer shows it, 0 otherwise). Each feature
 * has a primary measure (FEATURE_MEASURES): presence per answer for detectors that mark an
 * answer, the rate per 100 words for counts, words for length. Markdown structure is read from
 * line starts; phrase features ignore fenced code so that code comments do not count.
 */
import { behaviourFlags, markdownCounts, splitFencedCode } from './detectors';
import { normalizeText, words } from './tokenize';

/** Names of the style features, in display order. */
export const STYLE_FEATURE_NAMES = [
  'length_words',
  'list_items',
  'headings',
  'code_blocks',
  'questions',
  'refusals',
  'hedges',
  'first_person',
  'emoji',
  'pushback',
  'ai_disclaimers',
  'repeats_prompt',
  'question_only',
  'very_short',
  'repetition_loops',
  'other_language',
  'paragraphs',
  'bold',
  'numbered_items',
  'tables',
] as const;

/** One style feature name. */
export type StyleFeatureName = (typeof STYLE_FEATURE_NAMES)[number];

/** What each style feature counts, in words a reader of the results understands. */
export const STYLE_FEATURE_LABELS: Record<StyleFeatureName, string> = {
  length_words: 'Answer length (words)',
  list_items: 'List items',
  headings: 'Headings',
  code_blocks: 'Code blocks',
  questions: 'Questions asked',
  refusals: 'Refusals (declines the task)',
  hedges: 'Hedging phrases',
  first_person: 'First-person words',
  emoji: 'Emoji',
  pushback: 'Pushback on the premise',
  ai_disclaimers: 'AI-identity disclaimers',
  repeats_prompt: 'Repeats the prompt',
  question_only: 'Asks a question or continues the prompt',
  very_short: 'Very short (under 5 words)',
  repetition_loops: 'Repetition loops',
  other_language: 'Not in the language of the prompt',
  paragraphs: 'Paragraphs',
  bold: 'Bold spans',
  numbered_items: 'Numbered-list items',
  tables: 'Tables',
};

/** How a feature is measured and tested: see FEATURE_MEASURES. */
export type FeatureMeasure = 'presence' | 'rate' | 'length';

/**
 * The primary measure of each feature, the one its p-value and effect come from: `presence`
 * (whether an answer shows it, tested like words), `rate` (per 100 words, Wilcoxon) or `length`
 * (words, Wilcoxon).
 */
export const FEATURE_MEASURES: Record<StyleFeatureName, FeatureMeasure> = {
  length_words: 'length',
  list_items: 'rate',
  headings: 'rate',
  code_blocks: 'presence',
  questions: 'rate',
  refusals: 'presence',
  hedges: 'rate',
  first_person: 'rate',
  emoji: 'rate',
  pushback: 'presence',
  ai_disclaimers: 'presence',
  repeats_prompt: 'presence',
  question_only: 'presence',
  very_short: 'presence',
  repetition_loops: 'presence',
  other_language: 'presence',
  paragraphs: 'rate',
  bold: 'rate',
  numbered_items: 'rate',
  tables: 'presence',
};

/** The readable label of feature `name`; other features (not style ones) keep their name. */
export function readableFeatureName(name: string): string {
  return (STYLE_FEATURE_LABELS as Record<string, string>)[name] ?? name;
}

/** Style feature values of one answer. */
export type StyleFeatures = Record<StyleFeatureName, number>;

const LIST_ITEM = /^\s*(?:[-*+•]|\d{1,3}[.)])\s+\S/;
const ATX_HEADING = /^\s{0,3}#{1,6}\s+\S/;
const SETEXT_UNDERLINE = /^\s{0,3}=+\s*$/;

// Phrases are matched on normalised text (lowercase, straight apostrophes) at word boundaries.
const HEDGE_PHRASES = [
  'might',
  'may',
  'perhaps',
  'possibly',
  'probably',
  'likely',
  'unlikely',
  'maybe',
  'could be',
  'it seems',
  'seems to',
  'appears to',
  'i think',
  'i believe',
  'i guess',
  'i suspect',
  'generally',
  'typically',
  'usually',
  'often',
  'somewhat',
  'arguably',
  'presumably',
  'it depends',
  'not sure',
  'uncertain',
  'roughly',
  'approximately',
  'in some cases',
  'to some extent',
];
const FIRST_PERSON = new Set(['i', 'me', 'my', 'mine', 'myself', "i'm", "i've", "i'd", "i'll"]);

function phraseRegex(phrases: string[]): RegExp {
  // Stryker disable next-line Regex,StringLiteral: no phrase holds a regex metacharacter, so escaping changes nothing (an inverted class makes the RegExp invalid at load, which the vitest runner reports as survived)
  const escaped = phrases.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?<![\\p{L}\\p{N}'])(?:${escaped.join('|')})(?![\\p{L}\\p{N}])`, 'gu');
}
const HEDGE_RE = phraseRegex(HEDGE_PHRASES);
// One emoji = a pictograph with its modifiers/ZWJ sequence, or a flag (two regional indicators).
// ©, ® and ™ are Extended_Pictographic but are text symbols unless followed by VS16.
const EMOJI_RE =
  /(?:(?![©®™])\p{Extended_Pictographic}|[©®™]\uFE0F)(?:\uFE0F|\p{Emoji_Modifier})*(?:\u200D\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})*)*|\p{Regional_Indicator}{2}/gu;

function countMatches(text: string, re: RegExp): number {
  let n = 0;
  for (const _ of text.matchAll(re)) n++;
  return n;
}

/** Computes the style features of one answer to `prompt` ('' when unknown: no prompt checks). */
export function styleFeatures(text: string, prompt = ''): StyleFeatures {
  const { prose, codeBlocks } = splitFencedCode(text);
  const flags = behaviourFlags(text, prompt);
  const markdown = markdownCounts(prose);
  let listItems = 0;
  let headings = 0;
  // Stryker disable next-line EqualityOperator: one step past the end reads `undefined`, which no line pattern matches
  for (let i = 0; i < prose.length; i++) {
    const line = prose[i]!;
    if (ATX_HEADING.test(line)) headings++;
    else if (LIST_ITEM.test(line)) listItems++;
    else if (SETEXT_UNDERLINE.test(line) && i > 0 && prose[i - 1]!.trim() !== '') headings++;
  }
  const proseText = normalizeText(prose.join('\n'));
  const proseWords = words(proseText);
  let firstPerson = 0;
  for (const w of proseWords) if (FIRST_PERSON.has(w)) firstPerson++;
  return {
    length_words: words(text).length,
    list_items: listItems,
    headings,
    code_blocks: codeBlocks,
    // A run like "?!" or "??" is one question.
    questions: countMatches(proseText, /\?+/g),
    refusals: Number(flags.refusals),
    hedges: countMatches(proseText, HEDGE_RE),
    first_person: firstPerson,
    emoji: countMatches(text, EMOJI_RE),
    pushback: Number(flags.pushback),
    ai_disclaimers: Number(flags.ai_disclaimers),
    repeats_prompt: Number(flags.repeats_prompt),
    question_only: Number(flags.question_only),
    very_short: Number(flags.very_short),
    repetition_loops: Number(flags.repetition_loops),
    other_language: Number(flags.other_language),
    paragraphs: markdown.paragraphs,
    bold: markdown.bold,
    numbered_items: markdown.numbered_items,
    tables: Number(flags.tables),
  };
}

/**
 * Style features of many answers as one Float64Array per feature (index = answer);
 * `prompts[i]` is the prompt text of answer i (omitted: the prompt checks find nothing).
 */
export function styleFeatureColumns(
  texts: readonly string[],
  prompts?: readonly string[],
): Record<StyleFeatureName, Float64Array> {
  const cols = Object.fromEntries(
    STYLE_FEATURE_NAMES.map((name) => [name, new Float64Array(texts.length)]),
  ) as Record<StyleFeatureName, Float64Array>;
  texts.forEach((t, i) => {
    const f = styleFeatures(t, prompts?.[i] ?? '');
    for (const name of STYLE_FEATURE_NAMES) cols[name][i] = f[name];
  });
  return cols;
}
