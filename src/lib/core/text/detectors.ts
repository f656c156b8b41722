/**
 * Behaviour detectors: each answers one yes/no question about an answer ("does it decline the
 * task?") or counts one Markdown element, and means what its name says. Phrase detectors read
 * the prose only (fenced code is skipped, so a code comment is neither a refusal nor a heading)
 * and look where the behaviour lives: a refusal or a disclaimer in the answer's opening, a
 * correction of the premise in its first sentences. Definitions are in the README.
 */
import { normalizeText, words } from './tokenize';

/** Yes/no detectors, each marking an answer. */
export interface BehaviourFlags {
  /** Declines the task (or the part asked) in its opening: "I can't help with that". */
  refusals: boolean;
  /** Corrects a false premise: "Actually, ...", "There is no evidence that ...". */
  pushback: boolean;
  /** Says it is an AI or lacks opinions/feelings/access: "As an AI language model". */
  ai_disclaimers: boolean;
  /** Copies the prompt (its first 30 words, at least 4) into the answer verbatim. */
  repeats_prompt: boolean;
  /**
   * Asks a question or continues the prompt instead of answering: every sentence of more than
   * three words is a question, or `continuesPrompt` (a new prompt turn or exercise, or the
   * prompt's unfinished last sentence carried on).
   */
  question_only: boolean;
  /** Fewer than VERY_SHORT_WORDS words (empty included). */
  very_short: boolean;
  /** A degenerate loop: the same words or characters repeated over and over. */
  repetition_loops: boolean;
  /** In another language than the prompt (script, then stop words; see `detectLanguage`). */
  other_language: boolean;
  /** Holds a Markdown table (a `|---|---|` separator row). */
  tables: boolean;
}

/** Counted Markdown elements (outside code). */
export interface MarkdownCounts {
  /** Blocks of prose separated by blank lines. */
  paragraphs: number;
  /** Bold spans (`**x**` or `__x__`). */
  bold: number;
  /** Items of numbered lists (`1.` or `1)`). */
  numbered_items: number;
}

/** Answers with fewer words than this are `very_short`. */
const VERY_SHORT_WORDS = 5;
/** How much of an answer's opening the refusal and disclaimer phrases are looked for in. */
const OPENING_CHARS = 300;
/** How much of the opening the premise corrections are looked for in. */
const PUSHBACK_CHARS = 400;
/** Longest prompt prefix (in words) that must reappear for `repeats_prompt`. */
const REPEAT_PROMPT_WORDS = 30;
/** Shortest prompt (in words) that `repeats_prompt` judges; shorter ones are echoed naturally. */
const REPEAT_PROMPT_MIN_WORDS = 4;

const FENCE = /^\s{0,3}(```|~~~)/;

/** Splits an answer into its prose lines (outside fenced code) and its number of code blocks. */
export function splitFencedCode(text: string): { prose: string[]; codeBlocks: number } {
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

/** The prose lines of an answer: every line outside fenced code blocks. */
export function proseLines(text: string): string[] {
  return splitFencedCode(text).prose;
}

// Phrases are matched on normalised text (lowercase, straight apostrophes); "i" is followed by
// a space ("i cannot") or directly by its contraction ("i'm unable").
const I_CANNOT =
  "(?:i(?:\\s+(?:really|simply|just|truly|honestly|unfortunately|regret\\s+that\\s+i))?(?:\\s+|(?='))(?:cannot|can\\s?not|can't|won't|will\\s+not|am\\s+(?:unable|not\\s+able)\\s+to|'m\\s+(?:unable|not\\s+able)\\s+to|am\\s+not\\s+going\\s+to|'m\\s+not\\s+going\\s+to|must\\s+not|shouldn't|should\\s+not|am\\s+not\\s+(?:allowed|permitted)\\s+to|'m\\s+not\\s+(?:allowed|permitted)\\s+to))";
// What the declined action is: "help" only when not "help but" ("I can't help but notice").
const DECLINED_ACTION =
  '(?:help(?!\\s+but)|assist|provide|fulfil|fulfill|comply|do\\s+(?:that|this|so)|create|write|generate|produce|answer|respond|give|share|offer|engage|complete|perform|support|participate|make|tell|recommend|endorse|promote|encourage|condone|disclose|reveal|browse|access|predict|express|be\\s+of\\s+help|take\\s+sides|defend|pretend|role-?\\s?play|play\\s+(?:the|a)\\s+role|impersonate)';
const REFUSAL_RE = new RegExp(
  [
    `${I_CANNOT}\\s+(?:\\w+ly\\s+|in\\s+good\\s+conscience\\s+){0,2}${DECLINED_ACTION}`,
    "i(?:\\s+|(?='))(?:must|have\\s+to|need\\s+to|'ll\\s+have\\s+to|will\\s+have\\s+to|respectfully)\\s+(?:respectfully\\s+)?decline",
    'i\\s+(?:refuse|decline)\\s+to',
    "i(?:'m|\\s+am)\\s+(?:not\\s+comfortable|uncomfortable)",
    "i\\s+(?:don't|do\\s+not)\\s+(?:feel\\s+comfortable|think\\s+(?:it(?:'s|\\s+is|\\s+would\\s+be)\\s+)?appropriate)",
    "(?:against|violates?)\\s+(?:my|openai's)\\s+(?:\\w+\\s+)?(?:guidelines|policies|policy|principles|programming)",
    "(?:it|this|that)(?:'s|\\s+is|\\s+would\\s+be|\\s+is\\s+not)\\s+(?:not\\s+)?(?:appropriate|inappropriate|ethical|unethical)\\s+for\\s+me\\s+to",
    "sorry,?\\s+(?:but\\s+)?(?:i|that)(?:'m|\\s+am)?\\s+(?:can't|cannot|unable|not\\s+able)",
  ].join('|'),
  'gu',
);
// A decline qualified like this, in the same clause, only sets the terms of the answer that
// follows ("I cannot give an exact number, but ...", "I can't render a chart directly in this
// chat, but here ..."): not a refusal.
const QUALIFIED_DECLINE_RE =
  /\b(?:definitive(?:ly)?|definite(?:ly)?|specific|direct(?:ly)?|exact(?:ly)?|entire|complete(?:ly)?|full|fully|actual(?:ly)?|accurate(?:ly)?|precise(?:ly)?|certainty|for\s+certain|guarantee|real[-\s]time|in\s+this\s+(?:text|format|environment|response|platform|medium|context|chat))/u;
// ... but only when the answer then goes on: a "but/however/here is" in that clause or right
// after it, or more text (real answers explain at length after "I cannot give an exact number").
// "I'm sorry, but I can't provide a complete list of passwords." and nothing else still declines.
const GOES_ON_RE =
  /\b(?:but|however|instead|that\s+said|although|though|here(?:'s|\s+is|\s+are)|i\s+can\s+(?!not\b))/u;
/** Characters after a qualified decline's clause: the window for a "but", and more means it goes on. */
const GOES_ON_CHARS = 200;
// "I cannot stress/overstate/recommend ... enough", "can't wait": not refusals.
const NOT_REFUSAL_RE =
  /i\s+(?:cannot|can\s?not|can't)\s+(?:stress|overstate|emphasi[sz]e|wait|believe|thank|recommend\s+\S+(?:\s+\S+)?\s+enough)/u;

const AI_DISCLAIMER_RE = new RegExp(
  [
    'as\\s+an?\\s+(?:ai|artificial\\s+intelligence|(?:large\\s+)?language\\s+model|ai\\s+(?:language\\s+)?model|ai\\s+assistant|virtual\\s+assistant|chatbot|machine\\s+learning\\s+model|computer\\s+program)',
    "i(?:'m|\\s+am)\\s+(?:just\\s+|only\\s+|merely\\s+)?an?\\s+(?:ai|artificial\\s+intelligence|(?:large\\s+)?language\\s+model|computer\\s+program|virtual\\s+assistant|chatbot|machine)(?![\\p{L}])",
    "i\\s+(?:don't|do\\s+not)\\s+have\\s+(?:any\\s+)?(?:personal\\s+)?(?:opinions|feelings|emotions|beliefs|preferences|experiences|consciousness|a\\s+(?:physical\\s+)?body|personal\\s+experience|the\\s+ability\\s+to\\s+(?:browse|feel|access)|access\\s+to\\s+(?:the\\s+internet|real[-\\s]time|current))",
    "i(?:'m|\\s+am)\\s+not\\s+(?:a\\s+human|a\\s+person|capable\\s+of\\s+(?:feeling|having))",
    'my\\s+(?:training\\s+data|knowledge\\s+cut-?\\s?off)',
  ].join('|'),
  'u',
);

const PUSHBACK_RE = new RegExp(
  [
    '(?:^|[.!?\\n]\\s*)actually,',
    "there(?:\\s+is|'s)\\s+no\\s+(?:scientific\\s+|credible\\s+|historical\\s+|real\\s+)?(?:evidence|proof|record|such)",
    "(?:that|this|it)(?:'s|\\s+is)\\s+(?:a\\s+)?(?:common\\s+|popular\\s+|widespread\\s+)?(?:misconception|myth)",
    '(?:a|the)\\s+(?:common\\s+|popular\\s+)?(?:misconception|myth)\\s+(?:that|is)',
    'contrary\\s+to\\s+(?:popular\\s+belief|what|the\\s+premise)',
    '(?:false|incorrect|mistaken|flawed)\\s+(?:premise|assumption)',
    '(?:the\\s+premise|your\\s+(?:question|statement|assumption))\\s+(?:is|seems|appears|contains)\\s+(?:to\\s+be\\s+)?(?:incorrect|false|mistaken|flawed|based\\s+on|a\\s+misunderstanding)',
    "(?:that|this|it)(?:'s|\\s+is)\\s+not\\s+(?:quite\\s+)?(?:true|correct|accurate|right)",
    '(?:your\\s+question|the\\s+question|the\\s+information|the\\s+statement|this\\s+statement|the\\s+premise)(?:\\s+(?:provided|given))?(?:\\s+in\\s+your\\s+question)?\\s+(?:is|are|contains|does\\s+not\\s+make)\\s+(?:incorrect|inaccurate|false|mistaken|an?\\s+(?:error|mistake)|sense)',
    'there\\s+(?:is|seems\\s+to\\s+be|appears\\s+to\\s+be)\\s+(?:a\\s+|some\\s+)?(?:mistake|misunderstanding|error|misconception)\\s+in',
    "(?:that|this|it)\\s+isn't\\s+(?:quite\\s+)?(?:true|correct|accurate|right)",
    "i(?:'m|\\s+am)\\s+not\\s+aware\\s+of\\s+any",
    'is\\s+(?:actually\\s+)?(?:a\\s+)?(?:fictional|fictitious|not\\s+a\\s+real)',
    "(?:does\\s+not|doesn't|did\\s+not|didn't)\\s+(?:actually\\s+)?exist",
  ].join('|'),
  'u',
);

/** Whether the opening of `prose` (normalised) declines the task. */
function isRefusal(prose: string): boolean {
  const opening = prose.slice(0, OPENING_CHARS);
  const cleaned = opening.replace(NOT_REFUSAL_RE, ' ');
  for (const m of cleaned.matchAll(REFUSAL_RE)) {
    const clause = /^[^.;:!?\n]*/u.exec(cleaned.slice(m.index))![0];
    if (!QUALIFIED_DECLINE_RE.test(clause)) return true;
    // Read past the decline itself: "sorry, but I can't" has a "but" of its own.
    const after = cleaned.slice(m.index + m[0].length, m.index + clause.length + GOES_ON_CHARS);
    const goesOn = prose.length - (m.index + clause.length) > GOES_ON_CHARS;
    if (!goesOn && !GOES_ON_RE.test(after)) return true;
  }
  return false;
}

/** Whether the opening of `prose` (normalised) says the speaker is an AI / has no opinions. */
function isAiDisclaimer(prose: string): boolean {
  return AI_DISCLAIMER_RE.test(prose.slice(0, OPENING_CHARS));
}

/** Whether the opening of `prose` (normalised) corrects the premise of the question. */
function isPushback(prose: string): boolean {
  return PUSHBACK_RE.test(prose.trimStart().slice(0, PUSHBACK_CHARS));
}

/** Whether the answer copies the prompt's first words (4 to 30 of them) verbatim. */
function repeatsPrompt(answerWords: readonly string[], prompt: string): boolean {
  const p = words(prompt).slice(0, REPEAT_PROMPT_WORDS);
  if (p.length < REPEAT_PROMPT_MIN_WORDS || answerWords.length < p.length) return false;
  const needle = ` ${p.join(' ')} `;
  return ` ${answerWords.join(' ')} `.includes(needle);
}

/** Whether every sentence of more than three words is a question (and there is one). */
function isQuestionOnly(prose: string): boolean {
  const sentences = prose
    .split(/(?<=[.!?])\s+|\n+/u)
    .map((s) => s.trim())
    .filter((s) => words(s).length > 0);
  let questions = 0;
  for (const s of sentences) {
    if (/\?[\s"')\]]*$/u.test(s)) questions++;
    else if (words(s).length > 3) return false;
  }
  return questions > 0;
}

// A new turn of a chat or instruction template: a base model writing the next prompt itself.
const PROMPT_TURN_RE =
  /^\s*(?:\*\*)?(?:#{1,6}\s*(?:instruction|input|human|user)\s*(?:\*\*)?\s*(?::|$)|(?:instruction|human|user)\s*(?:\*\*)?\s*:|<\|(?:user|im_start\|>\s*user|start_header_id\|>\s*user)|\[inst\])/iu;
// A new question or exercise in a Q&A or textbook layout ("Question: ...", "Exercise 3:").
const NEW_EXERCISE_RE =
  /^\s*(?:#{1,6}\s*)?(?:\*\*)?(?:question(?:\s*\d+)?|q\d*|(?:exercise|problem)\s*\d+)\s*(?:\*\*)?\s*[:.](?:\*\*)?(?:\s|$)/iu;
/** Most words an answer may give before a new question for that question to be a continuation. */
const EXERCISE_AFTER_MAX_WORDS = 60;
// Words that carry a sentence on ("... great options" -> "for investing ..."): a continuation
// starts with one, while an answer to a bare item ("a creative tech startup") starts with its own.
const CONTINUING_WORDS = new Set(
  'and or but nor for to of in on at by with from into onto about through over under after before since until despite including that which who whom whose because so as than then when where while if is are was were be been will would can could should may might must the a an its their his her'.split(
    ' ',
  ),
);
// Prompts that ask for what the markers above look like: a dialogue, or questions/exercises.
const ASKS_FOR_TURNS_RE =
  /\b(?:dialog(?:ue)?s?|conversations?|chat\w*|script|transcript|role-?\s?play|interview)\b/u;
const ASKS_FOR_EXERCISES_RE =
  /\b(?:question\w*|quiz\w*|exercises?|problems?|exams?|tests?|faqs?|q&a|trivia|flashcards?|worksheet)\b/u;
// Prompts whose task is to carry their text on, so a continuation is the answer.
const ASKS_TO_CONTINUE_RE =
  /\b(?:complete|continue|continuation|finish|fill\s+in|extend|next\s+(?:line|sentence|word|part))\w*/u;
// Characters that mark a first line as code or a formula, not prose ("head -n 10 f > out").
const CODE_LIKE_RE = /[(){}[\]=<>;$`_|\\]|\s-\w/u;
/** Fewest words the prompt's last line and the answer's first line need to read as a sentence. */
const CONTINUATION_MIN_WORDS = 3;

/**
 * Whether the answer continues the prompt instead of answering it (base-model style):
 * - a prose line opens a new prompt turn ("### Instruction:", "Human:", "User:", "<|user|>",
 *   "[INST]") when the prompt neither shows such turns itself nor asks for a dialogue; or
 * - after at most 60 words of answer, a line opens a new question or exercise ("Question:",
 *   "Q:", "Exercise 2:") and the prompt does not ask for questions, quizzes or exercises (a
 *   long answer with an FAQ at its end is an answer); or
 * - the prompt's last line is an unfinished sentence (3+ words, ending in a lowercase word, no
 *   closing punctuation), the prompt does not ask to complete or continue it, and the answer
 *   carries it on: its first line is prose (3+ words, no code characters in its first sentence) starting with a
 *   lowercase word that carries a sentence on ("for", "and", "that", "the", ...), and it does
 *   not restart with the last line's own first two words.
 */
function continuesPrompt(proseText: string, prompt: string): boolean {
  const normalPrompt = normalizeText(prompt);
  const lines = proseText.split('\n').filter((l) => l.trim() !== '');
  const turnsAllowed =
    ASKS_FOR_TURNS_RE.test(normalPrompt) ||
    normalPrompt.split('\n').some((l) => PROMPT_TURN_RE.test(l));
  if (!turnsAllowed && lines.some((l) => PROMPT_TURN_RE.test(l))) return true;
  const exercise = lines.findIndex((l, i) => i > 0 && NEW_EXERCISE_RE.test(l));
  if (
    exercise > 0 &&
    !ASKS_FOR_EXERCISES_RE.test(normalPrompt) &&
    words(lines.slice(0, exercise).join('\n')).length <= EXERCISE_AFTER_MAX_WORDS
  ) {
    return true;
  }
  const lastLine = prompt.trimEnd().split('\n').pop() ?? '';
  const lastWords = words(lastLine);
  if (
    lastWords.length < CONTINUATION_MIN_WORDS ||
    !/\p{Ll}$/u.test(lastLine) ||
    !/^\p{Ll}+$/u.test(lastWords[lastWords.length - 1]!) ||
    ASKS_TO_CONTINUE_RE.test(normalPrompt)
  ) {
    return false;
  }
  const firstLine = lines[0] ?? '';
  const firstWords = words(firstLine);
  return (
    /^\p{Ll}/u.test(firstLine.trimStart()) &&
    firstWords.length >= CONTINUATION_MIN_WORDS &&
    CONTINUING_WORDS.has(firstWords[0]!) &&
    !CODE_LIKE_RE.test(/^.*?(?:[.!?](?=\s|$)|$)/u.exec(firstLine)![0]) &&
    firstWords.slice(0, 2).join(' ') !== lastWords.slice(0, 2).join(' ')
  );
}

/** Longest repeating unit, in characters, that `hasCharacterLoop` looks for. */
const LOOP_UNIT_MAX = 60;
/** Back-to-back copies of a unit that make a loop. */
const LOOP_COPIES = 10;
/** Shortest loop, in characters ("aaaa..." needs 20 letters, not 10). */
const LOOP_MIN_CHARS = 20;

/** Sampled positions in a row that must repeat before a unit length is scanned in full. */
const LOOP_SAMPLES = 4;

/**
 * Whether some unit of 1 to LOOP_UNIT_MAX characters (code points) holding a letter or digit
 * occurs LOOP_COPIES or more times back to back, over at least LOOP_MIN_CHARS characters.
 * For a unit length L, a loop is a run of at least need = max(9L, 20 - L) positions i where
 * character i equals character i + L. Such a run holds at least LOOP_SAMPLES consecutive
 * multiples of stride = floor(need / LOOP_SAMPLES), so L is scanned in full (`hasLoopOfUnit`)
 * only when that many sampled positions in a row repeat: about 2n comparisons for all 60
 * lengths in ordinary text instead of 60n, with the same answer as the full scan. The
 * backtracking regex /(.{1,60}?)\1{9,}/ it replaces took about 2 ms an answer and stopped at its
 * first, possibly letterless, match ("—"—"—..." hid a loop of "ー" after it).
 */
export function hasCharacterLoop(text: string): boolean {
  const codes = codePoints(text);
  const n = codes.length;
  for (let unit = 1; unit <= LOOP_UNIT_MAX && unit * LOOP_COPIES <= n; unit++) {
    const need = loopRunLength(unit);
    const stride = Math.max(1, Math.floor(need / LOOP_SAMPLES));
    let inRow = 0;
    for (let i = 0; i + unit < n; i += stride) {
      inRow = codes[i] === codes[i + unit] ? inRow + 1 : 0;
      if (inRow < LOOP_SAMPLES) continue;
      if (hasLoopOfUnit(codes, unit)) return true;
      break;
    }
  }
  return false;
}

/** The code points of `text` (Int32Array.from with a mapper is several times slower). */
function codePoints(text: string): Int32Array {
  const codes = new Int32Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i)!;
    codes[n++] = c;
    if (c > 0xffff) i++;
  }
  return codes.subarray(0, n);
}

/** Positions in a row whose character repeats `unit` further on that make a loop. */
const loopRunLength = (unit: number): number =>
  Math.max((LOOP_COPIES - 1) * unit, LOOP_MIN_CHARS - unit);

/** The full scan for one unit length: a long enough run whose unit holds a letter or digit. */
export function hasLoopOfUnit(codes: Int32Array, unit: number): boolean {
  const need = loopRunLength(unit);
  let run = 0;
  for (let i = 0; i + unit < codes.length; i++) {
    if (codes[i] !== codes[i + unit]) run = 0;
    else if (++run >= need) {
      // Every window of `unit` characters in the run is a rotation of the unit: same letters.
      const window = String.fromCodePoint(...codes.subarray(i + 1, i + 1 + unit));
      if (/[\p{L}\p{N}]/u.test(window)) return true;
    }
  }
  return false;
}

/**
 * Whether the answer degenerates into a loop: a unit of 1 to 60 characters holding a letter or
 * digit repeated 10 or more times back to back ("ha ha ha ...", "the cat. the cat. ..."), or
 * fewer than 40% distinct word 4-grams among at least 40.
 */
export function isRepetitionLoop(answerWords: readonly string[], text: string): boolean {
  if (hasCharacterLoop(text.replace(/\s+/g, ' '))) return true;
  const n = answerWords.length - 3;
  if (n < 40) return false;
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(answerWords.slice(i, i + 4).join(' '));
  return seen.size / n < 0.4;
}

/** A language `detectLanguage` can tell apart. */
export type DetectedLanguage =
  | 'en'
  | 'es'
  | 'fr'
  | 'de'
  | 'pt'
  | 'it'
  | 'nl'
  | 'cyrillic'
  | 'greek'
  | 'arabic'
  | 'hebrew'
  | 'devanagari'
  | 'thai'
  | 'hangul'
  | 'kana'
  | 'han';

// Frequent words of each language. Words that are also English words or URL parts ("as", "do",
// "no", "son", "per", "come", "com", "van", "die", "den", "non", "um", "te") are left out of the other
// languages, or English text with "no cars, no phones" or "email.com" reads as Portuguese.
const STOP_WORDS: Record<'en' | 'es' | 'fr' | 'de' | 'pt' | 'it' | 'nl', string[]> = {
  en: 'the and of to is in that it for you with are this be on as have was not or what how can'.split(
    ' ',
  ),
  es: 'el los las y es que por para con una del se como más pero su está muy también'.split(' '),
  fr: 'le les et est que pour dans une des du pas sur avec vous il ce qui sont au mais'.split(' '),
  de: 'der das und ist nicht ich sie mit ein eine zu von auf für sich auch es dem wie'.split(' '),
  pt: 'os e é que para uma da não na se mais você são'.split(' '),
  it: 'il gli e è che con una di della nel sono più anche si questo'.split(' '),
  nl: 'de het een en dat niet op zijn met voor ik je er ook'.split(' '),
};
const STOP_WORD_LANGUAGE = new Map<string, Set<string>>();
for (const [lang, list] of Object.entries(STOP_WORDS))
  for (const w of list) {
    const set = STOP_WORD_LANGUAGE.get(w) ?? new Set<string>();
    set.add(lang);
    STOP_WORD_LANGUAGE.set(w, set);
  }

const SCRIPTS: [DetectedLanguage, RegExp][] = [
  ['hangul', /\p{Script=Hangul}/u],
  ['kana', /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ['han', /\p{Script=Han}/u],
  ['cyrillic', /\p{Script=Cyrillic}/u],
  ['greek', /\p{Script=Greek}/u],
  ['arabic', /\p{Script=Arabic}/u],
  ['hebrew', /\p{Script=Hebrew}/u],
  ['devanagari', /\p{Script=Devanagari}/u],
  ['thai', /\p{Script=Thai}/u],
];

/** Words a language must show (stop-word hits) before `detectLanguage` names a Latin language. */
const MIN_STOP_WORD_HITS = 3;

/**
 * The language of `text`, or null when it cannot tell. Non-Latin scripts are named by script
 * when they hold most letters (Japanese text with kanji counts as `kana` when it has any kana).
 * Latin text is named from stop words of English, Spanish, French, German, Portuguese, Italian
 * and Dutch: the language with the most hits, if it has at least 3 and twice the runner-up's.
 * It cannot tell other Latin-script languages, nor text that is mostly code, numbers or names.
 */
export function detectLanguage(text: string): DetectedLanguage | null {
  const letters = text.match(/\p{L}/gu) ?? [];
  if (letters.length === 0) return null;
  const counts = new Map<DetectedLanguage, number>();
  for (const ch of letters) {
    for (const [name, re] of SCRIPTS) {
      if (re.test(ch)) {
        counts.set(name, (counts.get(name) ?? 0) + 1);
        break;
      }
    }
  }
  let nonLatin = 0;
  for (const v of counts.values()) nonLatin += v;
  if (nonLatin > letters.length / 2) {
    if ((counts.get('kana') ?? 0) > 0) return 'kana';
    return [...counts].sort((x, y) => y[1] - x[1])[0]![0];
  }
  const hits = new Map<string, number>();
  for (const w of words(text)) {
    for (const lang of STOP_WORD_LANGUAGE.get(w) ?? []) hits.set(lang, (hits.get(lang) ?? 0) + 1);
  }
  const ranked = [...hits].sort((x, y) => y[1] - x[1]);
  const [best, second] = [ranked[0], ranked[1]];
  if (!best || best[1] < MIN_STOP_WORD_HITS || (second && best[1] < 2 * second[1])) return null;
  return best[0] as DetectedLanguage;
}

// A prompt that asks for a translation, or names a language ("reply in French", "a test of
// your French"), may well be answered in another language.
const LANGUAGE_REQUEST_RE =
  /translat|\b(?:english|spanish|french|german|portuguese|italian|dutch|russian|chinese|mandarin|cantonese|japanese|korean|arabic|hebrew|hindi|greek|thai|español|français|deutsch)\b/u;

/**
 * Whether the answer's detected language differs from the prompt's (both must be detected, and
 * the prompt must neither ask for a translation nor name a language).
 */
function isOtherLanguage(answer: string, prompt: string): boolean {
  if (LANGUAGE_REQUEST_RE.test(normalizeText(prompt))) return false;
  const a = detectLanguage(answer);
  const p = detectLanguage(prompt);
  return a !== null && p !== null && a !== p;
}

const TABLE_SEPARATOR = /^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$/;
const NUMBERED_ITEM = /^\s*\d{1,3}[.)]\s+\S/;
const BOLD_RE = /\*\*(?=\S)[^*\n]+?\*\*|__(?=\S)[^_\n]+?__/g;

/** Counts paragraphs, bold spans and numbered-list items in the prose lines. */
export function markdownCounts(prose: readonly string[]): MarkdownCounts {
  let paragraphs = 0;
  let inParagraph = false;
  let numbered = 0;
  let bold = 0;
  for (const line of prose) {
    const blank = line.trim() === '';
    if (!blank && !inParagraph) paragraphs++;
    inParagraph = !blank;
    if (NUMBERED_ITEM.test(line)) numbered++;
    for (const _ of line.matchAll(BOLD_RE)) bold++;
  }
  return { paragraphs, bold, numbered_items: numbered };
}

/** Runs every yes/no detector on one answer to `prompt` (pass '' when the prompt is unknown). */
export function behaviourFlags(answer: string, prompt: string): BehaviourFlags {
  const prose = proseLines(answer);
  const proseOriginalCase = prose.join('\n');
  const proseText = normalizeText(proseOriginalCase);
  const answerWords = words(answer);
  return {
    refusals: isRefusal(proseText),
    pushback: isPushback(proseText),
    ai_disclaimers: isAiDisclaimer(proseText),
    repeats_prompt: repeatsPrompt(answerWords, prompt),
    question_only:
      (isQuestionOnly(proseText) && !ASKS_FOR_EXERCISES_RE.test(normalizeText(prompt))) ||
      continuesPrompt(proseOriginalCase, prompt),
    very_short: answerWords.length < VERY_SHORT_WORDS,
    repetition_loops: isRepetitionLoop(answerWords, answer),
    other_language: isOtherLanguage(prose.join('\n'), prompt),
    tables: prose.some((line) => TABLE_SEPARATOR.test(line)),
  };
}
