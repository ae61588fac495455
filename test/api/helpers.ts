import { randomBytes } from 'node:crypto';
import { BuiltinAnalyzer } from '../../src/analysis/builtin.js';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../src/api/server.js';

export const SCENARIO_IDS = [
  'cpu_spike_traffic_surge',
  'dependency_failure_timeout',
  'latency_spike_database',
  'memory_leak_gradual',
  'pod_crash_loop',
];

export interface TestApi extends ApiServer {
  apiKey: string;
  /** A raw request with the right key unless `key` says otherwise (null: no header). */
  call(path: string, init?: { method?: string; key?: string | null; body?: string; headers?: Record<string, string> }): Promise<Response>;
}

/** The real incident API on an ephemeral loopback port, with a fresh random key. */
export async function startTestApi(options: Partial<ApiServerOptions> = {}): Promise<TestApi> {
  const apiKey = randomBytes(16).toString('hex');
  // The built-in analyzer without its typing pauses: the tests read what is said, not how fast.
  const server = await startApiServer({
    port: 0,
    speed: 1000,
    analyzerFactory: () => new BuiltinAnalyzer({ pieceDelayMs: 0 }),
    ...options,
    apiKey,
  });
  return {
    ...server,
    apiKey,
    call(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      const key = init.key === undefined ? apiKey : init.key;
      if (key !== null) headers['x-api-key'] = key;
      if (init.body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
      return fetch(`${server.url}${path}`, { method: init.method ?? 'GET', headers, body: init.body });
    },
  };
}

/** The events of an SSE body as {event, data} pairs (the body must end). */
export function parseSse(text: string): { event: string; data: unknown }[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length) ?? 'message';
      const data = lines
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice('data: '.length))
        .join('\n');
      return { event, data: JSON.parse(data) as unknown };
    });
}
