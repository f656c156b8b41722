/**
 * Streaming CSV/TSV: papaparse's own parser fed in batches of about 1 MB. Each batch is parsed
 * with "ignore the last row" so a record cut by the batch end (even a quoted field holding line
 * breaks) is carried into the next batch, the way papaparse streams files itself.
 */
import Papa from 'papaparse';
import { InputError } from '../errors';
import { readChunks, readHead, type SourceFile } from './source';
import type { ImportOptions } from './types';

/** One CSV record: its fields, 0-based index among records (0 is the header) and start line. */
export interface CsvRecord {
  fields: string[];
  index: number;
  line: number;
}

const BATCH_CHARS = 1 << 20;

interface RawError {
  code: string;
  row?: number;
}

interface ParseOutput {
  data: string[][];
  errors: RawError[];
  meta: { cursor: number };
}

/** The delimiter and line break of a CSV file, guessed from its head. */
export async function sniffCsv(
  file: SourceFile,
): Promise<{ delimiter: string; newline: '\n' | '\r\n' | '\r' }> {
  const head = await readHead(file, 64 * 1024);
  const newline = head.includes('\r\n')
    ? '\r\n'
    : head.includes('\n')
      ? '\n'
      : head.includes('\r')
        ? '\r'
        : '\n';
  if (/\.tsv$/i.test(file.name)) return { delimiter: '\t', newline };
  const guess = Papa.parse<string[]>(head, {
    preview: 20,
    newline,
    delimitersToGuess: [',', '\t', ';', '|'],
  });
  return { delimiter: guess.meta.delimiter || ',', newline };
}

/**
 * The records of a CSV file (header first), streamed.
 * @throws InputError for an unterminated quoted field or a malformed closing quote.
 */
export async function* readCsvRecords(
  file: SourceFile,
  options: ImportOptions = {},
): AsyncGenerator<CsvRecord> {
  const { delimiter, newline } = await sniffCsv(file);
  const parser = new Papa.Parser({ delimiter, newline });
  const lineChar = newline === '\r' ? '\r' : '\n';
  let index = 0;
  let line = 1;

  function* emit(output: ParseOutput, final: boolean): Generator<CsvRecord> {
    // With ignoreLastRow, errors about the dropped partial row are not real yet.
    const problem = output.errors.find((e) => final || (e.row ?? 0) < output.data.length);
    const rows = problem ? output.data.slice(0, problem.row ?? 0) : output.data;
    for (const fields of rows) {
      const start = line;
      line += 1 + fields.reduce((n, f) => n + countChar(f, lineChar), 0);
      if (fields.length === 1 && fields[0] === '') continue; // blank line
      yield { fields, index: index++, line: start };
    }
    if (problem) {
      const where = index === 0 ? `line ${line} (header)` : `row ${index} (line ${line})`;
      throw new InputError({
        file: file.name,
        location: where,
        expected:
          problem.code === 'MissingQuotes'
            ? 'a closing quote (") for the quoted field that starts in this row'
            : 'a delimiter or line break right after the closing quote of a quoted field (write a quote inside a quoted field as "")',
        got:
          problem.code === 'MissingQuotes'
            ? 'the end of the file'
            : 'more text after the closing quote',
      });
    }
  }

  let buffer = '';
  let threshold = BATCH_CHARS;
  for await (const chunk of readChunks(file, `reading ${file.name}`, options)) {
    buffer += chunk;
    if (buffer.length < threshold) continue;
    const output = parser.parse(buffer, 0, true) as ParseOutput;
    yield* emit(output, false);
    if (output.meta.cursor === 0) {
      threshold = buffer.length * 2; // one record longer than a batch: wait for more text
    } else {
      buffer = buffer.slice(output.meta.cursor);
      threshold = BATCH_CHARS;
    }
  }
  if (buffer !== '') yield* emit(parser.parse(buffer, 0, false) as ParseOutput, true);
}

function countChar(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) n++;
  return n;
}
