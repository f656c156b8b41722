/** HTML escaping for the reports' text (model output, prompts and imported names are untrusted). */
const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
};

/**
 * Escapes text for HTML element content and double-quoted attribute values (the only kind the
 * report writes), leaving apostrophes readable in the plain text of the file.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => HTML_ESCAPES[c] ?? c);
}
