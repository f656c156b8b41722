/**
 * Files as streams of text chunks. The browser passes File.stream() through a TextDecoderStream,
 * Node passes fs chunks, tests pass strings; importers read them chunk by chunk so a 50 MB
 * JSONL or CSV never needs more than one line (or one CSV batch) in hand at a time.
 */
import type { ImportOptions } from './types';

/** A text file to import. `chunks()` may be called more than once; each call starts over. */
export interface SourceFile {
  name: string;
  /** Size in bytes, when known; used for progress only. */
  size?: number;
  chunks(): AsyncIterable<string>;
}

/** A SourceFile over an in-memory string, served in chunks of `chunkSize` characters. */
export function sourceFromString(name: string, text: string, chunkSize = 64 * 1024): SourceFile {
  return {
    name,
    size: text.length,
    async *chunks() {
      for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
    },
  };
}

const PROGRESS_EVERY = 1 << 20;

/** The file's chunks with the BOM removed, cancellation checked and progress reported. */
export async function* readChunks(
  file: SourceFile,
  phase: string,
  options: Pick<ImportOptions, 'signal' | 'onProgress'> = {},
): AsyncGenerator<string> {
  let done = 0;
  let reported = 0;
  let first = true;
  for await (let chunk of file.chunks()) {
    options.signal?.throwIfAborted();
    if (first && chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    if (chunk.length > 0) first = false;
    done += chunk.length;
    if (options.onProgress && done - reported >= PROGRESS_EVERY) {
      reported = done;
      options.onProgress({ phase, done, total: file.size });
    }
    yield chunk;
  }
  options.onProgress?.({ phase, done, total: file.size });
}

/** The whole file as one string (for formats that are one JSON document). */
export async function readText(file: SourceFile, options: ImportOptions = {}): Promise<string> {
  const parts: string[] = [];
  for await (const chunk of readChunks(file, `reading ${file.name}`, options)) parts.push(chunk);
  return parts.join('');
}

/** The first `maxChars` characters or so of the file (enough to detect its format). */
export async function readHead(file: SourceFile, maxChars = 64 * 1024): Promise<string> {
  let head = '';
  for await (const chunk of readChunks(file, 'detecting format')) {
    head += chunk;
    if (head.length >= maxChars) break;
  }
  return head.slice(0, maxChars);
}

/** One line of a text file, without its line break; `line` is 1-based. */
export interface TextLine {
  text: string;
  line: number;
}

/** The file's lines, streamed; handles \n and \r\n endings and lines split across chunks. */
export async function* readLines(
  file: SourceFile,
  options: ImportOptions = {},
): AsyncGenerator<TextLine> {
  let carry = '';
  let line = 0;
  for await (const chunk of readChunks(file, `reading ${file.name}`, options)) {
    let start = 0;
    let nl = chunk.indexOf('\n');
    if (nl === -1) {
      carry += chunk;
      continue;
    }
    while (nl !== -1) {
      let text = carry + chunk.slice(start, nl);
      carry = '';
      if (text.endsWith('\r')) text = text.slice(0, -1);
      yield { text, line: ++line };
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    carry = chunk.slice(start);
  }
  if (carry.endsWith('\r')) carry = carry.slice(0, -1);
  if (carry !== '') yield { text: carry, line: line + 1 };
}
