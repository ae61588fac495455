import { afterEach, describe, expect, it } from 'vitest';
import { apiRoot, ApiError, IncidentApiClient } from '../../src/api/client.js';
import { closedPort, startFakeServer } from './fake-servers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function fake(handler: Parameters<typeof startFakeServer>[0]) {
  const server = await startFakeServer(handler);
  cleanups.push(server.close);
  return server;
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('the incident API client, when the API is not what it should be', () => {
  it('accepts the base URL with or without /api/v1 and rejects what is not a URL', () => {
    expect(apiRoot('http://127.0.0.1:8000')).toBe('http://127.0.0.1:8000');
    expect(apiRoot('http://127.0.0.1:8000/api/v1/')).toBe('http://127.0.0.1:8000');
    expect(apiRoot('http://example.test/proxy/api/v1')).toBe('http://example.test/proxy');
    expect(() => new IncidentApiClient({ baseUrl: 'localhost:8000', apiKey: 'k' })).toThrow('the incident API URL: expected an http(s) URL such as http://127.0.0.1:8000, found "localhost:8000", which has no http:// or https:// in front');
    expect(() => new IncidentApiClient({ baseUrl: 'not a url', apiKey: 'k' })).toThrow(/found "not a url", which holds a space/);
  });

  it('says the API is not reachable when nothing listens on the port', async () => {
    const port = await closedPort();
    const client = new IncidentApiClient({ baseUrl: `http://127.0.0.1:${port}/api/v1`, apiKey: 'k' });
    const error = await failure(client.listScenarios());
    expect(error.kind).toBe('unreachable');
    expect(error.message).toBe(`the incident API at http://127.0.0.1:${port} is not reachable (connection refused)`);
  });

  it('says the answer is not the incident API for HTML, for JSON of another shape, and for a 404 page', async () => {
    const server = await fake((request, response) => {
      if (request.url?.endsWith('/scenarios')) {
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
      } else if (request.url?.endsWith('/simulations')) {
        response.writeHead(200, { 'content-type': 'application/json' }).end('[{"id": 1}]');
      } else {
        response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
      }
    });
    const client = new IncidentApiClient({ baseUrl: server.url, apiKey: 'k' });
    for (const attempt of [client.listScenarios(), client.listSimulations(), client.getScenario('x')]) {
      const error = await failure(attempt);
      expect(error.kind).toBe('not-the-api');
      expect(error.message).toMatch(new RegExp(`^${server.url} answered something that is not the incident API`));
    }
    const shape = await failure(client.listSimulations());
    expect(shape.message).toContain('0.simulation_id');
  });

  it('refuses a scenario list whose ids and names would flood every table row', async () => {
    const summary = { id: 'x'.repeat(100_000), name: 'Huge', description: 'd', service: 's', severity: 'low', difficulty: 'beginner', tags: [], duration_seconds: 60, metric_count: 1 };
    const server = await fake((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([summary]));
    });
    const error = await failure(new IncidentApiClient({ baseUrl: server.url, apiKey: 'k' }).listScenarios());
    expect(error.kind).toBe('not-the-api');
    expect(error.message).toContain('0.id: expected at most 64 characters, found "xxxxxxxx');
  });

  it('gives up on a server that does not answer, with a timeout error', async () => {
    const server = await fake(() => {
      // Never answers.
    });
    const client = new IncidentApiClient({ baseUrl: server.url, apiKey: 'k', timeoutMs: 300 });
    const error = await failure(client.getSimulation('sim_00000000'));
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe(`the incident API at ${server.url} did not answer within 300 ms`);
  });

  it('says the key was rejected on 401 and 403', async () => {
    const server = await fake((request, response) => {
      const status = request.headers['x-api-key'] === 'none' ? 401 : 403;
      response.writeHead(status, { 'content-type': 'application/json' }).end('{"detail": "invalid API key"}');
    });
    for (const [key, status] of [
      ['none', 401],
      ['wrong', 403],
    ] as const) {
      const error = await failure(new IncidentApiClient({ baseUrl: server.url, apiKey: key }).listScenarios());
      expect(error.kind).toBe('unauthorized');
      expect(error.status).toBe(status);
      expect(error.message).toContain(`the incident API at ${server.url} rejected the API key`);
    }
  });

  it('resumes a broken event stream where it left off, with Last-Event-ID', async () => {
    const lastEventIds: Array<string | undefined> = [];
    const now = new Date().toISOString();
    const server = await fake((request, response) => {
      lastEventIds.push(request.headers['last-event-id'] as string | undefined);
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      if (lastEventIds.length === 1) {
        response.write(`id: 1\nevent: timeline\ndata: ${JSON.stringify({ type: 'timeline', at: now, message: 'one' })}\n\n`);
        response.write(`id: 2\nevent: timeline\ndata: ${JSON.stringify({ type: 'timeline', at: now, message: 'two' })}\n\n`);
        setTimeout(() => response.socket?.destroy(), 50);
      } else {
        response.end(`id: 3\nevent: incident-finished\ndata: ${JSON.stringify({ type: 'incident-finished', status: 'completed', completedAt: now })}\n\n`);
      }
    });
    const client = new IncidentApiClient({ baseUrl: server.url, apiKey: 'k' });
    const seen: string[] = [];
    for await (const event of client.events('sim_12345678', AbortSignal.timeout(20_000))) {
      seen.push(event.type === 'timeline' ? event.message : event.type);
    }
    expect(seen).toEqual(['one', 'two', 'incident-finished']);
    expect(lastEventIds).toEqual([undefined, '2']);
  });

  it('reports an event stream that keeps breaking off before the simulation finished', async () => {
    let requests = 0;
    const server = await fake((_request, response) => {
      requests += 1;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const event = { type: 'timeline', at: new Date().toISOString(), message: 'metrics injected' };
      // Ignores Last-Event-ID and sends the same event again each time.
      response.write(`id: 1\nevent: timeline\ndata: ${JSON.stringify(event)}\n\n`);
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const client = new IncidentApiClient({ baseUrl: server.url, apiKey: 'k' });
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const event of client.events('sim_12345678', AbortSignal.timeout(20_000))) seen.push(event.type);
      })(),
    );
    expect(seen).toEqual(['timeline']);
    expect(requests).toBe(4);
    expect(error.kind).toBe('stream-cut');
    expect(error.message).toContain(`the event stream of simulation sim_12345678 from the incident API at ${server.url} broke off before the simulation finished`);
  });

  it('says the stream broke off and the API is gone when resuming finds nothing listening', async () => {
    const server = await fake((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const event = { type: 'timeline', at: new Date().toISOString(), message: 'metrics injected' };
      response.write(`id: 1\nevent: timeline\ndata: ${JSON.stringify(event)}\n\n`);
      setTimeout(() => void server.close(), 50);
    });
    const client = new IncidentApiClient({ baseUrl: server.url, apiKey: 'k' });
    const error = await failure(
      (async () => {
        for await (const _event of client.events('sim_12345678', AbortSignal.timeout(20_000))) {
          // One event, then the server goes away.
        }
      })(),
    );
    expect(error.kind).toBe('stream-cut');
    expect(error.message).toMatch(/broke off before the simulation finished.*; resuming it failed: the incident API at .* is not reachable \(connection refused\)$/);
  });

  it('rejects an event stream whose events are not incident events', async () => {
    const server = await fake((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end('event: message\ndata: {"type": "chat", "text": "hi"}\n\n');
    });
    const client = new IncidentApiClient({ baseUrl: server.url, apiKey: 'k' });
    const error = await failure(
      (async () => {
        for await (const _event of client.events('sim_12345678', AbortSignal.timeout(20_000))) {
          // Nothing valid is expected.
        }
      })(),
    );
    expect(error.kind).toBe('not-the-api');
  });
});
