import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/lib/core/run/errors';
import { importAnswerTable } from '../../src/lib/core/run/import/answer-table';
import { sourceFromBlob } from '../../src/lib/core/run/import/blob-source';
import { detectFormat } from '../../src/lib/core/run/import/detect-format';
import { readHead, readText } from '../../src/lib/core/run/import/source';
import { fixtureText } from './run-test-helpers';

describe('sourceFromBlob', () => {
  it('reads a File as UTF-8 text, multi-byte characters and all', async () => {
    const text = fixtureText('import/table/answers.jsonl');
    const file = new File([text], 'answers.jsonl', { type: 'application/jsonl' });
    const source = sourceFromBlob(file);
    expect(source.name).toBe('answers.jsonl');
    expect(source.size).toBe(Buffer.byteLength(text));
    expect(await readText(source)).toBe(text);
    // Re-readable: the head for detection, then the whole file for the import.
    expect(detectFormat(source.name, await readHead(source, 100))).toBe('jsonl');
    const imported = await importAnswerTable(source, {
      prompt: 'prompt',
      answer: 'output',
      model: 'model',
      sample: 'sample',
    });
    expect(imported.prompts).toHaveLength(3);
  });

  it('drops a UTF-8 byte order mark', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('prompt,answer')]);
    expect(await readText(sourceFromBlob(new Blob([bytes]), 'bom.csv'))).toBe('prompt,answer');
  });

  it('refuses text that is not UTF-8, naming the file', async () => {
    // "prompt" in UTF-16 LE with its byte order mark, as Excel saves "Unicode text".
    const utf16 = new Uint8Array([
      0xff,
      0xfe,
      ...[...'prompt'].flatMap((c) => [c.charCodeAt(0), 0]),
    ]);
    const source = sourceFromBlob(new Blob([utf16]), 'excel.csv');
    await expect(readText(source)).rejects.toBeInstanceOf(InputError);
    await expect(readText(source)).rejects.toThrow(
      'excel.csv: expected UTF-8 text, got bytes that are not UTF-8',
    );
  });
});
