import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A local OpenAI-compatible chat-completions server on 127.0.0.1 (ephemeral port). It stands in
 * for Ollama, vLLM, llama.cpp's server or OpenAI, none of which can run on these machines: it
 * speaks the same wire format (POST {base}/chat/completions, `stream: true`, server-sent events
 * of `chat.completion.chunk` objects ending in `data: [DONE]`), and each test scripts what it
 * sends, byte by byte, including pauses, cuts and errors.
 */

export type Step =
  | string
  | Buffer
  | { pauseMs: number }
  /** Holds the rest of the reply until the test opens the gate. */
  | { gate: Promise<void> }
  /** Destroys the connection here (a stream cut mid-way). */
  | { cut: true }
  /** Sends nothing more and never ends (an idle stream). */
  | { hang: true };

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** Never sends the headers (a server that accepted the connection and went silent). */
  hangBeforeHeaders?: boolean;
  steps: Step[];
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: { model?: string; stream?: boolean; messages?: Array<{ role: string; content: string }> } & Record<string, unknown>;
}

export interface FakeLlm {
  /** The base URL, as a user would configure it (…/v1). */
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** `replies[n]` answers the n-th request; the last one answers any later request. */
export async function startFakeLlm(replies: FakeReply[]): Promise<FakeLlm> {
  const requests: ReceivedRequest[] = [];
  const server = http.createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    let body: ReceivedRequest['body'] = {};
    try {
      body = JSON.parse(raw) as ReceivedRequest['body'];
    } catch {
      // Recorded as empty: the test's assertions on the body then fail with a clear diff.
    }
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
    const reply = replies[Math.min(requests.length - 1, replies.length - 1)] as FakeReply;
    if (req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    if (reply.hangBeforeHeaders) return;
    res.writeHead(reply.status ?? 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...reply.headers });
    res.flushHeaders();
    for (const step of reply.steps) {
      if (res.destroyed) return;
      if (typeof step === 'string' || Buffer.isBuffer(step)) res.write(step);
      else if ('pauseMs' in step) await sleep(step.pauseMs);
      else if ('gate' in step) await step.gate;
      else if ('cut' in step) {
        // Let what was written reach the client first, then drop the connection.
        await new Promise<void>((resolve) => res.write('', () => resolve()));
        res.destroy();
        return;
      } else if ('hang' in step) return;
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One server-sent event carrying a piece of the answer, as OpenAI-compatible servers send it. */
export function contentEvent(content: string, lineEnd = '\n'): string {
  const chunk = {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'fake-model',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  };
  return `data: ${JSON.stringify(chunk)}${lineEnd}${lineEnd}`;
}

export function finishEvents(finishReason = 'stop', lineEnd = '\n'): string {
  const chunk = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: finishReason }] };
  return `data: ${JSON.stringify(chunk)}${lineEnd}${lineEnd}data: [DONE]${lineEnd}${lineEnd}`;
}

/** The answer cut into pieces of `size` characters (a model's tokens are 3-4 characters). */
export function pieces(answer: string, size: number): string[] {
  const result: string[] = [];
  for (let i = 0; i < answer.length; i += size) result.push(answer.slice(i, i + size));
  return result;
}

/** A complete streamed reply: the answer in pieces, then finish_reason and [DONE]. */
export function streamedAnswer(answer: string, pieceSize = 4): Step[] {
  return [...pieces(answer, pieceSize).map((piece) => contentEvent(piece)), finishEvents()];
}

/** A port nothing listens on: one that was open a moment ago. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
