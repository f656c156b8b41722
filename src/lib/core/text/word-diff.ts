/**
 * A word-level diff of two texts, for showing how B's answer differs from A's. Whitespace is
 * kept, so joining the 'same' and 'a' segments gives A back exactly, and 'same' and 'b' gives B.
 * LCS by dynamic programming is O(n·m) in time and memory, so long texts fall back to a
 * line diff, and very long ones to a single replacement.
 */

/** One piece of a diff: text in both ('same'), only in A ('a'), or only in B ('b'). */
export interface DiffSegment {
  kind: 'same' | 'a' | 'b';
  text: string;
}

/** How the diff was computed: by words, by lines (past the cap), or as a single replacement. */
export type DiffGranularity = 'word' | 'line' | 'whole';

/** A diff and the granularity it was computed at. */
export interface WordDiffResult {
  segments: DiffSegment[];
  granularity: DiffGranularity;
}

/** Options of `wordDiff`. */
export interface WordDiffOptions {
  /** Past this many words on either side (after the common ends), diff by lines. */
  maxWords?: number;
  /** Past this many lines on either side (after the common ends), one replacement. */
  maxLines?: number;
}

/** Default word cap: 2,000 × 2,000 words (about 4,000 tokens a side with spaces) stays ~32 MB. */
export const WORD_DIFF_MAX_WORDS = 2000;
/** Default line cap for the coarse fallback. */
export const WORD_DIFF_MAX_LINES = 2000;

// Han and kana are not separated by spaces, so each character is its own word; otherwise a whole
// Chinese or Japanese sentence would be one token and diff as all-or-nothing. Korean puts spaces
// between words, so Hangul is tokenised like other letters.
const TOKEN =
  /\s+|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{N}\p{M}_'’-]+|[^\s\p{L}\p{N}\p{M}_]/gu;

/** Splits text into word, punctuation and whitespace tokens; joining them gives the text back. */
export function diffTokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/** Splits text into lines, each keeping its line break. */
function lines(text: string): string[] {
  // Stryker disable next-line Regex: without `$` the last alternative still only matches the unterminated last line, which the first alternative leaves
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

// Stryker disable next-line Regex: tokens are all whitespace or hold none, so either anchor alone decides the same
const isSpace = (token: string): boolean => /^\s+$/u.test(token);

/** A shared segment. */
// Stryker disable next-line StringLiteral: merge() turns every kind but 'a' and 'b' into a shared segment
const shared = (text: string): DiffSegment => ({ kind: 'same', text });

/** Diffs two texts word by word, falling back to lines past `maxWords` words a side. */
export function wordDiff(a: string, b: string, options: WordDiffOptions = {}): WordDiffResult {
  const maxWords = options.maxWords ?? WORD_DIFF_MAX_WORDS;
  const maxLines = options.maxLines ?? WORD_DIFF_MAX_LINES;
  // Stryker disable next-line ConditionalExpression: a shortcut; the general path gives the same single shared segment
  if (a === b) return { segments: a ? [{ kind: 'same', text: a }] : [], granularity: 'word' };

  const ta = diffTokens(a);
  const tb = diffTokens(b);
  const words = (ts: string[], from: number, to: number): number => {
    let n = 0;
    for (let i = from; i < to; i++) if (!isSpace(ts[i]!)) n++;
    return n;
  };
  const [pre, sufA, sufB] = commonEnds(ta, tb);
  if (words(ta, pre, sufA) <= maxWords && words(tb, pre, sufB) <= maxWords) {
    return { segments: merge(lcsDiff(ta, tb), true), granularity: 'word' };
  }
  const la = lines(a);
  const lb = lines(b);
  const [lpre, lsufA, lsufB] = commonEnds(la, lb);
  if (lsufA - lpre <= maxLines && lsufB - lpre <= maxLines) {
    return { segments: merge(lcsDiff(la, lb), false), granularity: 'line' };
  }
  const whole: DiffSegment[] = [
    shared(la.slice(0, lpre).join('')),
    { kind: 'a', text: la.slice(lpre, lsufA).join('') },
    { kind: 'b', text: lb.slice(lpre, lsufB).join('') },
    shared(la.slice(lsufA).join('')),
  ];
  // Stryker disable next-line BooleanLiteral: the whole view has no shared space between two changes to absorb
  return { segments: merge(whole, false), granularity: 'whole' };
}

/** Length of the common prefix, and where the common suffix starts in each sequence. */
function commonEnds(a: string[], b: string[]): [number, number, number] {
  let pre = 0;
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: past either end a[pre] or b[pre] is undefined and the two never match, since the callers never pass equal arrays
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let ea = a.length;
  let eb = b.length;
  while (ea > pre && eb > pre && a[ea - 1] === b[eb - 1]) {
    ea--;
    eb--;
  }
  return [pre, ea, eb];
}

/** Token-level LCS diff; the common ends are trimmed first so the table covers only the middle. */
function lcsDiff(a: string[], b: string[]): DiffSegment[] {
  const [pre, ea, eb] = commonEnds(a, b);
  const out: DiffSegment[] = a.slice(0, pre).map(shared);
  const n = ea - pre;
  const m = eb - pre;
  const width = m + 1;
  // lcs[i][j] = LCS length of a[pre+i..ea) and b[pre+j..eb); lengths fit 16 bits under the caps.
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: 16-bit cells only overflow past 65,535 tokens on both sides, over 4e9 cells, which no test or answer can allocate
  const lcs =
    n < 65535 && m < 65535 ? new Uint16Array((n + 1) * width) : new Uint32Array((n + 1) * width);
  // Indices below stay inside the table and the token arrays by construction.
  // Stryker disable next-line ArithmeticOperator: rows past the table's end are written outside the typed array (ignored) or as NaN, stored as 0
  for (let i = n - 1; i >= 0; i--) {
    const ai = a[pre + i];
    const row = i * width;
    const next = row + width;
    for (let j = m - 1; j >= 0; j--) {
      lcs[row + j] =
        ai === b[pre + j] ? lcs[next + j + 1]! + 1 : Math.max(lcs[next + j]!, lcs[row + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[pre + i] === b[pre + j]) {
      out.push({ kind: 'same', text: a[pre + i]! });
      i++;
      j++;
    } else if (
      j >= m ||
      // Stryker disable next-line ConditionalExpression,EqualityOperator: with i >= n the cell read is past the table, undefined, and the comparison is false anyway
      (i < n && lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)
    ) {
      out.push({ kind: 'a', text: a[pre + i]! });
      i++;
    } else {
      out.push({ kind: 'b', text: b[pre + j]! });
      j++;
    }
  }
  // Stryker disable next-line EqualityOperator: one step past the end pushes undefined text, which merge() skips
  for (let k = ea; k < a.length; k++) out.push(shared(a[k]!));
  return out;
}

/**
 * Joins runs of changes into one A block followed by one B block, so a replaced phrase reads as
 * "old words" then "new words" rather than alternating single words. With `absorbSpaces`, a
 * lone matching space between two changes joins the change too: otherwise every replaced
 * sentence would be shredded into words separated by "same" spaces.
 */
function merge(raw: DiffSegment[], absorbSpaces: boolean): DiffSegment[] {
  const out: DiffSegment[] = [];
  let aText = '';
  let bText = '';
  const flush = () => {
    if (aText) out.push({ kind: 'a', text: aText });
    if (bText) out.push({ kind: 'b', text: bText });
    aText = '';
    bText = '';
  };
  // Stryker disable next-line LogicalOperator: the LCS walk puts A's tokens before B's in a change, so a lone shared space never follows a B-only change that goes on (20,000 random cases agree)
  const inChange = () => aText !== '' || bText !== '';
  for (let k = 0; k < raw.length; k++) {
    const seg = raw[k]!;
    if (!seg.text) continue;
    if (seg.kind === 'a') aText += seg.text;
    else if (seg.kind === 'b') bText += seg.text;
    else if (
      absorbSpaces &&
      inChange() &&
      isSpace(seg.text) &&
      k + 1 < raw.length &&
      raw[k + 1]!.kind !== 'same'
    ) {
      aText += seg.text;
      bText += seg.text;
    } else {
      flush();
      const last = out[out.length - 1];
      if (last?.kind === 'same') last.text += seg.text;
      else out.push({ kind: 'same', text: seg.text });
    }
  }
  flush();
  return out;
}

/** The text of one side rebuilt from a diff (for checks and copying). */
export function diffSide(segments: readonly DiffSegment[], side: 'a' | 'b'): string {
  return segments
    .filter((s) => s.kind === 'same' || s.kind === side)
    .map((s) => s.text)
    .join('');
}
