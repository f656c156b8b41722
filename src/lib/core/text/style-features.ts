/**
 * Style features of one answer, all plain counts (not rates: "B writes longer answers" and
 * "B uses more list items" are both worth seeing, and a rate would hide the first inside the
 * second). Markdown structure is read from line starts; phrase features ignore fenced code so
 * that code comments do not count as hedges or refusals.
 */
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
  refusals: 'Refusals and apologies',
  hedges: 'Hedging phrases',
  first_person: 'First-person words',
  emoji: 'Emoji',
};

/** The readable label of feature `name`; other features (not style ones) keep their name. */
export function readableFeatureName(name: string): string {
  return (STYLE_FEATURE_LABELS as Record<string, string>)[name] ?? name;
}

/** Style feature values of one answer. */
export type StyleFeatures = Record<StyleFeatureName, number>;

const FENCE = /^\s{0,3}(```|~~~)/;
const LIST_ITEM = /^\s*(?:[-*+•]|\d{1,3}[.)])\s+\S/;
const ATX_HEADING = /^\s{0,3}#{1,6}\s+\S/;
const SETEXT_UNDERLINE = /^\s{0,3}=+\s*$/;

// Phrases are matched on normalised text (lowercase, straight apostrophes) at word boundaries.
const REFUSAL_PHRASES = [
  "i'm sorry",
  'i am sorry',
  'sorry, but',
  'i apologize',
  'i apologise',
  'my apologies',
  'i cannot',
  "i can't",
  'i can not',
  'i am unable',
  "i'm unable",
  'i am not able',
  "i'm not able",
  "i won't",
  'i will not',
  'i must decline',
  'i have to decline',
  'i refuse',
  "i'm not comfortable",
  'i am not comfortable',
  'as an ai',
  'as a language model',
  'against my guidelines',
  "i don't feel comfortable",
  'unfortunately',
];
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
const REFUSAL_RE = phraseRegex(REFUSAL_PHRASES);
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

/** Splits an answer into its prose lines (outside fenced code) and its number of code blocks. */
function splitCode(text: string): { prose: string[]; codeBlocks: number } {
  const prose: string[] = [];
  let codeBlocks = 0;
  let fence: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    const m = FENCE.exec(line);
    if (fence === null) {
      if (m) {
        fence = m[1]!;
        codeBlocks++; // an unclosed fence still opened a block
      } else {
        prose.push(line);
      }
    } else if (m && m[1] === fence) {
      fence = null;
    }
  }
  return { prose, codeBlocks };
}

/** Computes the style features of one answer. */
export function styleFeatures(text: string): StyleFeatures {
  const { prose, codeBlocks } = splitCode(text);
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
    refusals: countMatches(proseText, REFUSAL_RE),
    hedges: countMatches(proseText, HEDGE_RE),
    first_person: firstPerson,
    emoji: countMatches(text, EMOJI_RE),
  };
}

/** Style features of many answers as one Float64Array per feature (index = answer). */
export function styleFeatureColumns(
  texts: readonly string[],
): Record<StyleFeatureName, Float64Array> {
  const cols = Object.fromEntries(
    STYLE_FEATURE_NAMES.map((name) => [name, new Float64Array(texts.length)]),
  ) as Record<StyleFeatureName, Float64Array>;
  texts.forEach((t, i) => {
    const f = styleFeatures(t);
    for (const name of STYLE_FEATURE_NAMES) cols[name][i] = f[name];
  });
  return cols;
}
