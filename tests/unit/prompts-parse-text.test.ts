import { describe, expect, it } from 'vitest';
import { parsePastedPrompts, parseTextPrompts } from '../../src/lib/core/prompts';
import { sourceFromString } from '../../src/lib/core/run/import/source';
import { inputError } from './prompts-test-helpers';
import { fixtureSource } from './run-test-helpers';

describe('parsePastedPrompts', () => {
  it('reads one prompt a line, trimmed, with p0001-style ids', () => {
    const { prompts, report } = parsePastedPrompts('Hello there\n  How are you?  \nBye');
    expect(prompts).toEqual([
      { id: 'p0001', text: 'Hello there' },
      { id: 'p0002', text: 'How are you?' },
      { id: 'p0003', text: 'Bye' },
    ]);
    expect(report).toEqual({ duplicates: [], emptyLines: [], warnings: [] });
  });

  it('reports blank lines and exact duplicates, keeping the first copy', () => {
    const { prompts, report } = parsePastedPrompts('a\n\nb\n a\n   \nb\nc\n');
    expect(prompts.map((p) => p.text)).toEqual(['a', 'b', 'c']);
    expect(prompts.map((p) => p.id)).toEqual(['p0001', 'p0002', 'p0003']);
    expect(report.emptyLines).toEqual([2, 5]);
    expect(report.duplicates).toEqual([
      { text: 'a', location: 'line 4' },
      { text: 'b', location: 'line 6' },
    ]);
  });

  it('treats case and inner spacing differences as different prompts', () => {
    const { prompts } = parsePastedPrompts('Hi there\nhi there\nHi  there');
    expect(prompts).toHaveLength(3);
  });

  it('handles CRLF line ends and a byte order mark', () => {
    const { prompts, report } = parsePastedPrompts('\ufeffone\r\n\r\ntwo\r\n');
    expect(prompts.map((p) => p.text)).toEqual(['one', 'two']);
    expect(report.emptyLines).toEqual([2]);
  });

  it('refuses text with no prompts, naming the pasted text', async () => {
    const empty = await inputError(() => parsePastedPrompts(''));
    expect(empty.file).toBe('pasted text');
    expect(empty.message).toBe('pasted text: no prompts found; the text is empty');
    const blank = await inputError(() => parsePastedPrompts('\n  \n\t'));
    expect(blank.message).toMatch(
      /no prompts found; it has only blank lines or empty prompts \(3\)/,
    );
  });
});

describe('parseTextPrompts', () => {
  it('streams a text file like pasted text, across small chunks', async () => {
    const { prompts, report } = await parseTextPrompts(fixtureSource('prompts/good.txt', 7));
    expect(prompts.map((p) => p.text)).toEqual([
      'What is a good name for a goldfish?',
      'Why do cats purr?',
      'Explain tides in one sentence.',
      '<script>alert(1)</script>',
      'Über-short: 日本語で挨拶して。',
    ]);
    expect(report.emptyLines).toEqual([2, 6]);
    expect(report.duplicates).toEqual([{ text: 'Why do cats purr?', location: 'line 5' }]);
  });

  it('reads CRLF files and a last line without a line break', async () => {
    const { prompts, report } = await parseTextPrompts(fixtureSource('prompts/crlf.txt', 5));
    expect(prompts.map((p) => p.text)).toEqual([
      'First prompt',
      'Second prompt',
      'Third prompt with no final line break',
    ]);
    expect(report.emptyLines).toEqual([2]);
  });

  it('refuses an empty file and a file of blank lines, naming the file', async () => {
    const empty = await inputError(() => parseTextPrompts(fixtureSource('prompts/empty.txt')));
    expect(empty.message).toBe('empty.txt: no prompts found; it is empty');
    expect(empty.file).toBe('empty.txt');
    const blank = await inputError(() => parseTextPrompts(fixtureSource('prompts/blank.txt')));
    expect(blank.message).toBe(
      'blank.txt: no prompts found; it has only blank lines or empty prompts (3)',
    );
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      parseTextPrompts(sourceFromString('x.txt', 'a\nb'), { signal: controller.signal }),
    ).rejects.toThrow();
  });
});
