/**
 * A SourceFile over a Blob or File: what the browser and the import worker hand to importers.
 * Blob, ReadableStream and TextDecoderStream exist in browsers, workers and Node alike, so this
 * stays in core. Decoding is strict: a file that is not UTF-8 (say, Excel's UTF-16 "Unicode
 * text") gets a clear error instead of silently garbled answers.
 */
import { InputError } from '../errors';
import type { SourceFile } from './source';

/** A SourceFile reading `blob` as UTF-8 text; `name` defaults to the File's name. */
export function sourceFromBlob(blob: Blob, name?: string): SourceFile {
  const fileName = name ?? ((blob as Partial<File>).name || 'file');
  return {
    name: fileName,
    size: blob.size,
    chunks: () => decode(blob, fileName),
  };
}

async function* decode(blob: Blob, fileName: string): AsyncGenerator<string> {
  const reader = blob
    .stream()
    .pipeThrough(new TextDecoderStream('utf-8', { fatal: true }))
    .getReader();
  let finished = false;
  try {
    for (;;) {
      let result: ReadableStreamReadResult<string>;
      try {
        result = await reader.read();
      } catch (error) {
        finished = true;
        if (error instanceof TypeError) {
          throw new InputError({
            file: fileName,
            expected: 'UTF-8 text',
            got: 'bytes that are not UTF-8 (save the file as UTF-8 and try again)',
          });
        }
        throw error;
      }
      if (result.done) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } finally {
    // Stopped early (a format sniff reads only the head): let the stream go.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
