/**
 * Text for Plotly labels. Plotly renders hover text, tick labels and titles as a limited HTML
 * dialect, so model-written text must be escaped before it gets there.
 */

/** Escapes `&`, `<` and `>` so Plotly shows text literally instead of parsing it as tags. */
export function escapePlotText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Collapses whitespace and cuts to `max` characters, marking a cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
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
