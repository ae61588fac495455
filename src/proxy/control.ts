import http from 'node:http';
import { z } from 'zod';
import type { FaultProxy, ProxyStats } from './proxy.js';
import { describeIssues, normalizeToxics, toxicInputSchema, toxicListSchema, type Toxic, type ToxicInput } from './toxics.js';

/**
 * The proxy's control endpoint: a small JSON API on loopback, close to Toxiproxy's, so that the
 * toxics can be changed while the proxy runs, from another process (an experiment, a script, curl,
 * `firedrill proxy set`). An HTTP endpoint rather than commands on stdin because the proxy usually
 * runs as a supervised child with no terminal, is restarted with its arguments, and is driven by
 * whoever runs the experiment, not by whoever started it.
 *
 *   GET    /proxy           listen and upstream addresses, toxics, counters
 *   GET    /toxics          the toxics in force
 *   POST   /toxics          add one toxic or a list (replacing those of the same name)
 *   PUT    /toxics          replace them all with a list
 *   DELETE /toxics          remove them all
 *   DELETE /toxics/NAME     remove one
 */

const MAX_BODY_BYTES = 64 * 1024;

export interface ProxyState {
  listen: string;
  upstream: string;
  toxics: Toxic[];
  stats: ProxyStats;
}

export function proxyState(proxy: FaultProxy): ProxyState {
  const address = proxy.listening();
  return {
    listen: address ? `${address.host}:${address.port}` : '',
    upstream: proxy.upstream(),
    toxics: proxy.toxics(),
    stats: proxy.stats(),
  };
}

class BadRequest extends Error {}

async function readJson(request: http.IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BadRequest(`the body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('the body is not JSON');
  }
}

function parseList(raw: unknown, allowOne: boolean): Toxic[] {
  const schema = allowOne ? z.union([toxicInputSchema, toxicListSchema]) : toxicListSchema;
  const result = schema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new BadRequest(describeIssues(result.error));
  return normalizeToxics(Array.isArray(result.data) ? result.data : [result.data]);
}

function send(response: http.ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : `${JSON.stringify(body)}\n`;
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function route(proxy: FaultProxy, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://control');
  const method = request.method ?? 'GET';
  if (url.pathname === '/proxy' && method === 'GET') return send(response, 200, proxyState(proxy));
  if (url.pathname === '/toxics') {
    switch (method) {
      case 'GET':
        return send(response, 200, proxy.toxics());
      case 'POST':
        proxy.addToxics(parseList(await readJson(request), true));
        return send(response, 200, proxy.toxics());
      case 'PUT':
        proxy.setToxics(parseList(await readJson(request), false));
        return send(response, 200, proxy.toxics());
      case 'DELETE':
        proxy.setToxics([]);
        return send(response, 200, []);
    }
  }
  const one = /^\/toxics\/([a-z0-9_-]{1,64})$/.exec(url.pathname);
  if (one && method === 'DELETE') {
    return proxy.removeToxic(one[1] as string) ? send(response, 200, proxy.toxics()) : send(response, 404, { error: `no toxic named "${one[1]}"` });
  }
  send(response, 404, { error: `no route ${method} ${url.pathname}` });
}

/** Starts the control endpoint; resolves with its URL. Loopback only: it changes what a proxy does. */
export async function startControl(proxy: FaultProxy, port: number, host = '127.0.0.1'): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    route(proxy, request, response).catch((error: unknown) => {
      const status = error instanceof BadRequest ? 400 : 409;
      send(response, status, { error: (error as Error).message });
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as { address: string; port: number };
  return {
    url: `http://${bound.address}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Talks to a proxy's control endpoint (another process, or this one). */
export class ProxyControlClient {
  constructor(
    readonly url: string,
    private readonly timeoutMs = 2000,
  ) {}

  private async call<T>(method: string, route: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${route}`, {
        method,
        headers: body === undefined ? undefined : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new Error(`the proxy's control endpoint ${this.url} did not answer: ${(error as Error).message}`);
    }
    const parsed = (await response.json().catch(() => undefined)) as T | { error?: string } | undefined;
    if (!response.ok) {
      const message = (parsed as { error?: string } | undefined)?.error ?? `HTTP ${response.status}`;
      throw new Error(`the proxy at ${this.url} refused ${method} ${route}: ${message}`);
    }
    return parsed as T;
  }

  state(): Promise<ProxyState> {
    return this.call('GET', '/proxy');
  }

  add(toxics: ToxicInput | ToxicInput[]): Promise<Toxic[]> {
    return this.call('POST', '/toxics', toxics);
  }

  set(toxics: ToxicInput[]): Promise<Toxic[]> {
    return this.call('PUT', '/toxics', toxics);
  }

  clear(): Promise<Toxic[]> {
    return this.call('DELETE', '/toxics');
  }

  remove(name: string): Promise<Toxic[]> {
    return this.call('DELETE', `/toxics/${encodeURIComponent(name)}`);
  }
}
