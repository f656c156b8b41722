/**
 * A Server-Sent Events parser (the WHATWG event-stream format) that does not care how the bytes
 * were chunked: events split across chunks, CRLF/CR/LF line ends (even a CRLF split in two),
 * comments, multi-line data and a missing final blank line are all handled.
 */

/** One dispatched event. `event` is 'message' when the server named none. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** Incremental parser: feed text with `push`, then call `end` once the stream closes. */
export class SseParser {
  #buffer = '';
  #data: string[] = [];
  #event = '';
  #id: string | undefined;
  #skipLeadingLf = false;
  #started = false;

  /** Parses more text; returns the events it completed. */
  push(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // A CR ending the previous chunk and an LF starting this one are one line break.
    if (this.#skipLeadingLf && text.startsWith('\n')) text = text.slice(1);
    this.#skipLeadingLf = false;
    const s = this.#buffer + text;
    let start = 0;
    // The buffer never holds a line break, so scanning starts at the new text.
    for (let i = this.#buffer.length; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.#line(s.slice(start, i), events);
      if (c === 13) {
        if (i + 1 === s.length) this.#skipLeadingLf = true;
        else if (s.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.#buffer = s.slice(start);
    return events;
  }

  /**
   * Finishes the stream. The spec drops an event without its closing blank line; we dispatch it,
   * because some servers close the connection right after their last `data:` line.
   */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    if (this.#buffer) this.#line(this.#buffer, events);
    this.#buffer = '';
    this.#line('', events);
    return events;
  }

  #line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.#data.length > 0) {
        const event: SseEvent = { event: this.#event || 'message', data: this.#data.join('\n') };
        if (this.#id !== undefined) event.id = this.#id;
        events.push(event);
      }
      this.#data = [];
      this.#event = '';
      return;
    }
    if (line.startsWith(':')) return; // a comment, often a keep-alive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
  }
}

/** Reads a byte stream as SSE events; `onBytes` is called for each chunk (to reset idle timers). */
export async function* readSseEvents(
  body: ReadableStream<Uint8Array>,
  onBytes?: () => void,
): AsyncGenerator<SseEvent> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onBytes?.();
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
    yield* parser.end();
  } finally {
    // Stops the download when the consumer leaves early (abort, [DONE] before the end).
    reader.cancel().catch(() => undefined);
  }
}
