/** One entry point for an uploaded prompt file: detect its format (or take the user's) and parse it. */
import { readHead, type SourceFile } from '../run/import/source';
import { detectPromptFormat } from './detect-format';
import { parseCsvPrompts } from './parse-csv';
import { parseJsonlPrompts } from './parse-jsonl';
import { parsePersonaFile, type ParsedPersonaFile } from './persona';
import { parseTextPrompts } from './parse-text';
import type { ParsedPrompts, PromptFileFormat, PromptParseOptions } from './types';

/** A parsed prompt file, tagged with the format it was read as. */
export type ParsedPromptFile =
  | ({ format: 'text' | 'csv' | 'jsonl' } & ParsedPrompts)
  | ({ format: 'persona' } & ParsedPersonaFile);

/** Options of parsePromptFile: a format to force (else detected) and the usual signal/progress. */
export interface PromptFileOptions extends PromptParseOptions {
  format?: PromptFileFormat;
}

/**
 * Parses an uploaded prompt file as `options.format`, or as the format its name and head suggest.
 * @throws InputError as the chosen parser does (bad lines, missing columns, no prompts).
 */
export async function parsePromptFile(
  file: SourceFile,
  options: PromptFileOptions = {},
): Promise<ParsedPromptFile> {
  const { format: forced, ...rest } = options;
  const format = forced ?? detectPromptFormat(file.name, await readHead(file));
  switch (format) {
    case 'text':
      return { format, ...(await parseTextPrompts(file, rest)) };
    case 'csv':
      return { format, ...(await parseCsvPrompts(file, rest)) };
    case 'jsonl':
      return { format, ...(await parseJsonlPrompts(file, rest)) };
    case 'persona':
      return { format, ...(await parsePersonaFile(file, rest)) };
  }
}
