/**
 * Text for Plotly labels. Plotly renders hover text, tick labels and titles as a limited HTML
 * dialect, so model-written text must be escaped before it gets there.
 */

/** Escapes `&`, `<` and `>` so Plotly shows text literally instead of parsing it as tags. */
export function escapePlotText(text: string): string {
  // Most lines need nothing: testing first skips three replace passes (the map labels 10,000+).
  if (!/[&<>]/.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Collapses whitespace and cuts to `max` characters, marking a cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  // Only the head is read: the map labels 10,000+ answers at once, some of them pages long.
  const headLength = 4 * max + 16;
  const cut = text.length > headLength;
  const flat = (cut ? text.slice(0, headLength) : text).replace(/\s+/g, ' ').trim();
  if (flat.length <= max && !cut) return flat;
  return `${flat.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/**
 * Wraps plain text into lines of about `width` characters at spaces (hover boxes do not wrap
 * by themselves), escapes each line and joins them with Plotly's `<br>`.
 */
export function wrapForHover(text: string, width = 70): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.map(escapePlotText).join('<br>');
}
