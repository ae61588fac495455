/**
 * A server-sent events reader (https://html.spec.whatwg.org/multipage/server-sent-events.html),
 * fed raw bytes as they arrive: chunks may split a line, a CRLF pair or a UTF-8 character
 * anywhere. Used for LLM chat-completion streams and the incident API's event streams: `data`
 * (multi-line joined with "\n"), `event` and `id` (the incident API client resumes a broken stream
 * with Last-Event-ID); comments (":" lines) and `retry` are skipped.
 */

export interface ServerSentEvent {
  /** The last `id` seen: the spec carries it over to later events. */
  id?: string;
  event: string;
  data: string;
}

export class SseReader {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  /** A chunk that ended in "\r": a "\n" opening the next chunk belongs to the same line end. */
  private lastWasCarriageReturn = false;
  private dataLines: string[] = [];
  private eventName = '';
  private lastId: string | undefined;

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: Uint8Array | string): ServerSentEvent[] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (text.length === 0) return [];
    if (this.lastWasCarriageReturn && text.startsWith('\n')) text = text.slice(1);
    this.lastWasCarriageReturn = text.endsWith('\r');
    this.buffer += text;
    const events: ServerSentEvent[] = [];
    const lineEnd = /\r\n|\r|\n/g;
    let start = 0;
    for (let match = lineEnd.exec(this.buffer); match; match = lineEnd.exec(this.buffer)) {
      // A lone "\r" at the very end may be the first half of "\r\n": it still ends the line,
      // and lastWasCarriageReturn drops the "\n" if it comes.
      this.takeLine(this.buffer.slice(start, match.index), events);
      start = match.index + match[0].length;
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  /**
   * At the end of the stream. The spec drops an event that lacks its closing blank line; some
   * servers end on "data: [DONE]" without one, so it is delivered here.
   */
  finish(): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    const tail = this.buffer + this.decoder.decode();
    this.buffer = '';
    if (tail !== '') this.takeLine(tail, events);
    this.takeLine('', events);
    return events;
  }

  private takeLine(line: string, events: ServerSentEvent[]): void {
    if (line === '') {
      if (this.dataLines.length > 0) {
        events.push({ ...(this.lastId === undefined ? {} : { id: this.lastId }), event: this.eventName || 'message', data: this.dataLines.join('\n') });
      }
      this.dataLines = [];
      this.eventName = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.dataLines.push(value);
    else if (field === 'event') this.eventName = value;
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
  }
}
