/** One prompt a line: pasted into the set-up form, or an uploaded .txt file. */
import { readLines, type SourceFile, type TextLine } from '../run/import/source';
import { PromptCollector } from './collector';
import type { ParsedPrompts, PromptParseOptions } from './types';

/** The name pasted text goes by in errors and reports. */
export const PASTED_TEXT_NAME = 'pasted text';

function addLine(collector: PromptCollector, { text, line }: TextLine): void {
  if (text.trim() === '') collector.empty(line);
  else collector.add({ text, location: `line ${line}` });
}

/**
 * Prompts from pasted text, one a line; blank lines and repeated lines are reported and skipped.
 * @throws InputError when no line holds a prompt.
 */
export function parsePastedPrompts(text: string, name = PASTED_TEXT_NAME): ParsedPrompts {
  const collector = new PromptCollector(name);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split(/\r?\n/);
  // A final line break does not start another (blank) line.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, i) => addLine(collector, { text: line, line: i + 1 }));
  return collector.finish(body === '' ? 'the text is empty' : undefined);
}

/**
 * Prompts from a text file, one a line, streamed; same rules as pasted text.
 * @throws InputError when no line holds a prompt (or the file is not UTF-8).
 */
export async function parseTextPrompts(
  file: SourceFile,
  options: PromptParseOptions = {},
): Promise<ParsedPrompts> {
  const collector = new PromptCollector(file.name);
  for await (const line of readLines(file, options)) addLine(collector, line);
  return collector.finish();
}
