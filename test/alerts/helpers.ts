import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig, type DetectionConfig } from '../../src/config/config.js';
import type { Detection, DrillName } from '../../src/drills/types.js';
import type { Detector } from '../../src/monitor/detector.js';

/** The detection section as the config loader would build it from these YAML keys. */
export function detectionConfig(raw: Record<string, unknown> = {}): DetectionConfig {
  return parseConfig({ detection: raw }).detection;
}

/** watch(), let the "drill" run for `holdMs` (or until `during` resolves), then finish(). */
export async function watchAround(
  detector: Detector,
  drill: DrillName,
  during: number | (() => Promise<void>),
  signal: AbortSignal = new AbortController().signal,
): Promise<{ detection: Detection; updates: Detection[] }> {
  const updates: Detection[] = [];
  const startedAt = Date.now();
  const watch = await detector.watch(drill, startedAt, signal, (detection) => updates.push(detection));
  if (typeof during === 'number') await new Promise((resolve) => setTimeout(resolve, during));
  else await during();
  const detection = await watch.finish(Date.now());
  return { detection, updates };
}

export interface TestServer {
  url: string;
  /** The Authorization header of every request, in order (undefined when absent). */
  authorizations: (string | undefined)[];
  close(): Promise<void>;
}

/** A real HTTP server on loopback answering every request with `handler`. */
export function startServer(handler: (request: http.IncomingMessage, response: http.ServerResponse) => void): Promise<TestServer> {
  const authorizations: (string | undefined)[] = [];
  const server = http.createServer((request, response) => {
    authorizations.push(request.headers.authorization);
    handler(request, response);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        authorizations,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

export const EMPTY_PROMETHEUS_ALERTS = JSON.stringify({ status: 'success', data: { alerts: [] } });
