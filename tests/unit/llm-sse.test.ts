import { describe, expect, it } from 'vitest';
import { SseParser, readSseEvents, type SseEvent } from '../../src/lib/backends/llm/sse';

function parseInPieces(text: string, cuts: number[]): SseEvent[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  let start = 0;
  for (const cut of [...cuts, text.length]) {
    events.push(...parser.push(text.slice(start, cut)));
    start = cut;
  }
  return [...events, ...parser.end()];
}

const stream =
  '\uFEFF: comment\n' +
  'event: message_start\r\ndata: {"a":1}\r\n\r\n' +
  'data: line one\ndata: line two\n\n' +
  'id: 7\rdata:no-space\r\r' +
  'retry: 1000\nunknown: x\ndata\n\n' +
  'data: [DONE]\n\n';

const expected: SseEvent[] = [
  { event: 'message_start', data: '{"a":1}' },
  { event: 'message', data: 'line one\nline two' },
  { event: 'message', data: 'no-space', id: '7' },
  { event: 'message', data: '', id: '7' },
  { event: 'message', data: '[DONE]', id: '7' },
];

describe('SseParser', () => {
  it('parses events, comments, CR/LF/CRLF line ends, multi-line data, ids and a BOM', () => {
    expect(parseInPieces(stream, [])).toEqual(expected);
  });

  it('gives the same events however the text is split', () => {
    for (let a = 1; a < stream.length; a++) {
      expect(parseInPieces(stream, [a])).toEqual(expected);
    }
    for (let a = 1; a < stream.length; a += 3) {
      for (let b = a + 1; b < stream.length; b += 5) {
        expect(parseInPieces(stream, [a, b])).toEqual(expected);
      }
    }
  });

  it('splits character by character', () => {
    const cuts = Array.from({ length: stream.length - 1 }, (_, i) => i + 1);
    expect(parseInPieces(stream, cuts)).toEqual(expected);
  });

  it('dispatches a last event that lacks its blank line', () => {
    expect(parseInPieces('data: {"x":1}\n\ndata: tail', [])).toEqual([
      { event: 'message', data: '{"x":1}' },
      { event: 'message', data: 'tail' },
    ]);
  });

  it('ignores events without data', () => {
    expect(parseInPieces('event: ping\n\n: only a comment\n\n', [])).toEqual([]);
  });
});

describe('readSseEvents', () => {
  it('decodes UTF-8 split across byte chunks', async () => {
    const bytes = new TextEncoder().encode('data: héllo wörld ✓\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i++) controller.enqueue(bytes.subarray(i, i + 1));
        controller.close();
      },
    });
    let chunks = 0;
    const events: SseEvent[] = [];
    for await (const event of readSseEvents(body, () => chunks++)) events.push(event);
    expect(events).toEqual([{ event: 'message', data: 'héllo wörld ✓' }]);
    expect(chunks).toBe(bytes.length);
  });
});
