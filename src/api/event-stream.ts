/**
 * A reader of the incident API's server-sent events, fed raw bytes as they arrive (a chunk may
 * split a line or a UTF-8 character). Unlike the LLM's reader (analysis/sse.ts) it keeps `id`, which
 * the client needs to resume a broken stream with Last-Event-ID.
 */

export interface StreamMessage {
  /** The last `id` seen, as the spec says it carries over to later events. */
  id: string | undefined;
  event: string;
  data: string;
}

export class EventStreamReader {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  private lastId: string | undefined;
  private eventName = '';
  private dataLines: string[] = [];

  push(chunk: Uint8Array): StreamMessage[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    const messages: StreamMessage[] = [];
    let newline = this.buffer.indexOf('\n');
    while (newline !== -1) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, '');
      this.buffer = this.buffer.slice(newline + 1);
      this.takeLine(line, messages);
      newline = this.buffer.indexOf('\n');
    }
    return messages;
  }

  private takeLine(line: string, messages: StreamMessage[]): void {
    if (line === '') {
      if (this.dataLines.length > 0) messages.push({ id: this.lastId, event: this.eventName || 'message', data: this.dataLines.join('\n') });
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
