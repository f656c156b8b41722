/**
 * How run text is written into a supervisor request (see the wire format): a label line, then the
 * text between `<<<` and `>>>` lines. A `>>>` line inside the text is written as `> > >` so no
 * answer can close its fence early and pose as instructions. Long texts are cut on a word boundary
 * with the cut marked, so the supervisor (and the reader of the egress preview) knows it is cut.
 */

/** The line that opens a fence. */
export const FENCE_OPEN = '<<<';
/** The line that closes a fence. */
export const FENCE_CLOSE = '>>>';
/** What a `>>>` line inside a text is written as. */
export const ESCAPED_CLOSE = '> > >';

/** A cut is moved back to the last whitespace only if that keeps at least this share of the room. */
const MIN_WORD_CUT_SHARE = 0.5;

/**
 * `text` cut to at most `maxChars` characters (before the marker) on a word boundary, ending with
 * `[... N more characters]` where N counts the characters left out; unchanged when it fits.
 * A single word longer than half the room is cut inside the word rather than dropped whole.
 */
export function excerpt(text: string, maxChars: number): string {
  if (!(maxChars >= 0) || text.length <= maxChars) return text;
  const room = Math.floor(maxChars);
  let cut = room;
  // Cut before the word the limit falls in, unless the limit falls exactly at a word's end.
  if (!/\s/.test(text[room] ?? ' ')) {
    const space = text.slice(0, room + 1).search(/\s\S*$/);
    if (space >= room * MIN_WORD_CUT_SHARE) cut = space;
  }
  const kept = text.slice(0, cut).trimEnd();
  const marker = `[... ${text.length - kept.length} more characters]`;
  return kept ? `${kept} ${marker}` : marker;
}

/** `text` with every line that is only `>>>` (spaces around allowed) written as `> > >`. */
export function escapeFenceText(text: string): string {
  return text
    .split('\n')
    .map((line) => (line.trim() === FENCE_CLOSE ? ESCAPED_CLOSE : line))
    .join('\n');
}

/**
 * One fenced section: `label:`, `<<<`, the text (cut to `maxChars` if given, `>>>` lines
 * escaped, line endings made `\n`), `>>>`.
 */
export function fence(label: string, text: string, maxChars?: number): string {
  const unified = text.replace(/\r\n?/g, '\n');
  const body = escapeFenceText(maxChars === undefined ? unified : excerpt(unified, maxChars));
  return `${label}:\n${FENCE_OPEN}\n${body}\n${FENCE_CLOSE}`;
}
