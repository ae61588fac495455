import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BuiltinAnalyzer } from '../analysis/builtin.js';
import { summarizeIssues } from '../files/describe-issue.js';
import type { IncidentRecord } from '../history/store.js';
import { filterScenarios, knownRootCauses, loadScenarios } from '../incidents/load.js';
import { DIFFICULTIES, type Analyzer, type Difficulty, type Scenario } from '../incidents/types.js';
import { createKeyChecker } from './auth.js';
import { WorkloadMetrics } from '../workloads/metrics.js';
import type { WorkloadManager } from '../workloads/manager.js';
import { ApiMetrics } from './metrics.js';
import { CapacityError, SimulationManager, toWireSimulation, type NumberedEvent } from './simulations.js';
import { workloadRoutes } from './workloads.js';
import {
  API_PREFIX,
  SIMULATOR_PREFIX,
  startBodySchema,
  toWireDetail,
  toWireSummary,
  type WireStopResponse,
} from './wire.js';

/** Request bodies are tiny ({auto_analyze, execution_mode}); anything bigger is refused unread. */
export const MAX_BODY_BYTES = 64 * 1024;
const DRAIN_LIMIT_BYTES = 1024 * 1024;
/** A comment line on idle event streams so that proxies and clients do not time them out. */
const HEARTBEAT_MS = 10_000;

export interface ApiServerOptions {
  /** Default 127.0.0.1: the API is for this machine unless asked otherwise. */
  host?: string;
  /** Default 8000, as the original; 0 picks a free port. */
  port?: number;
  /** Every /api/v1 route needs it in X-API-Key. */
  apiKey: string;
  /** Default: the scenarios shipped with firedrill. */
  scenariosDir?: string;
  /** One analyzer per simulation. Default: the built-in analyzer. */
  analyzerFactory?: () => Analyzer;
  /** Scenario time per wall-clock second, passed to the engine. */
  speed?: number;
  /** Simulations running at once (default 50); more are refused with 429. */
  maxSimulations?: number;
  /** Finished simulations kept for status and replay (default 200); the oldest are forgotten. */
  maxFinishedSimulations?: number;
  /** Keeps every finished simulation in history; close() waits for the saves under way. */
  keepIncident?: (record: IncidentRecord) => Promise<void>;
  /** Where unexpected server errors are reported (default: nowhere). */
  log?: (message: string) => void;
  /** Process workloads served under /api/v1/workloads, their per-process series on /metrics. */
  workloads?: WorkloadManager;
}

export interface ApiServer {
  /** http://host:port, without the /api/v1 prefix. */
  url: string;
  /** Scenarios served. */
  scenarioCount: number;
  /** Scenario files that could not be loaded (the others are served). */
  scenarioErrors: { file: string; message: string }[];
  /** Stops running simulations, ends event streams and closes the server. */
  close(): Promise<void>;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export type Handler = (request: http.IncomingMessage, response: http.ServerResponse, id: string) => Promise<void>;

export interface Route {
  /** The template used as the metrics label, e.g. /api/v1/simulator/scenarios/{id}. */
  template: string;
  pattern: RegExp;
  methods: Partial<Record<'GET' | 'POST', Handler>>;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const checkKey = createKeyChecker(options.apiKey);
  const { scenarios, errors: scenarioErrors } = loadScenarios(options.scenariosDir);
  const scenariosById = new Map(scenarios.map((scenario) => [scenario.id, scenario]));
  const metrics = new ApiMetrics();
  const simulations = new SimulationManager({
    analyzerFactory: options.analyzerFactory ?? (() => new BuiltinAnalyzer()),
    knownRootCauses: knownRootCauses(scenarios),
    metrics,
    speed: options.speed,
    maxActive: options.maxSimulations ?? 50,
    maxFinished: options.maxFinishedSimulations ?? 200,
    ...(options.keepIncident ? { keepIncident: options.keepIncident } : {}),
  });
  const workloads = options.workloads;
  const workloadMetrics = workloads ? new WorkloadMetrics(() => workloads.active()) : undefined;
  const openStreams = new Set<http.ServerResponse>();
  const log = options.log ?? (() => {});

  function scenarioOr404(id: string): Scenario {
    const scenario = scenariosById.get(id);
    if (!scenario) throw new HttpError(404, `scenario "${id}" not found`);
    return scenario;
  }

  const routes: Route[] = [
    {
      template: `${SIMULATOR_PREFIX}/scenarios`,
      pattern: /^\/simulator\/scenarios$/,
      methods: {
        GET: async (request, response) => {
          const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
          const difficulty = query.get('difficulty') || undefined;
          if (difficulty !== undefined && !(DIFFICULTIES as readonly string[]).includes(difficulty)) {
            throw new HttpError(400, `difficulty must be one of ${DIFFICULTIES.join(', ')}, got "${difficulty}"`);
          }
          const tag = query.get('tag') || undefined;
          const shown = filterScenarios(scenarios, { difficulty: difficulty as Difficulty | undefined, tag });
          sendJson(response, 200, shown.map(toWireSummary));
        },
      },
    },
    {
      template: `${SIMULATOR_PREFIX}/scenarios/{id}`,
      pattern: /^\/simulator\/scenarios\/([^/]+)$/,
      methods: {
        GET: async (_request, response, id) => sendJson(response, 200, toWireDetail(scenarioOr404(id))),
      },
    },
    {
      template: `${SIMULATOR_PREFIX}/scenarios/{id}/start`,
      pattern: /^\/simulator\/scenarios\/([^/]+)\/start$/,
      methods: {
        POST: async (request, response, id) => {
          const scenario = scenarioOr404(id);
          const body = parseStartBody(await readBody(request));
          let record;
          try {
            record = await simulations.start(scenario, { autoAnalyze: body.auto_analyze, executionMode: body.execution_mode });
          } catch (error) {
            if (error instanceof CapacityError) throw new HttpError(429, error.message, { 'retry-after': '5' });
            throw error;
          }
          sendJson(response, 201, toWireSimulation(record));
        },
      },
    },
    {
      template: `${SIMULATOR_PREFIX}/simulations`,
      pattern: /^\/simulator\/simulations$/,
      methods: {
        GET: async (_request, response) => sendJson(response, 200, simulations.list().map(toWireSimulation)),
      },
    },
    {
      template: `${SIMULATOR_PREFIX}/simulations/{id}`,
      pattern: /^\/simulator\/simulations\/([^/]+)$/,
      methods: {
        GET: async (_request, response, id) => {
          const record = simulations.get(id);
          if (!record) throw new HttpError(404, `simulation "${id}" not found`);
          sendJson(response, 200, toWireSimulation(record));
        },
      },
    },
    {
      template: `${SIMULATOR_PREFIX}/simulations/{id}/stop`,
      pattern: /^\/simulator\/simulations\/([^/]+)\/stop$/,
      methods: {
        POST: async (_request, response, id) => {
          const stopped = await simulations.stop(id);
          if (!stopped) throw new HttpError(404, `simulation "${id}" not found`);
          const { record, previousStatus } = stopped;
          const answer: WireStopResponse = {
            status: 'stopped',
            simulation_id: record.id,
            details: {
              scenario_id: record.scenarioId,
              execution_mode: record.executionMode,
              auto_analyze: record.autoAnalyze,
              previous_status: previousStatus,
              final_status: record.status,
              completed_at: record.completedAt,
              message:
                previousStatus === 'running'
                  ? 'the simulation was stopped'
                  : `the simulation had already ended (${previousStatus}); nothing to stop`,
            },
          };
          sendJson(response, 200, answer);
        },
      },
    },
    {
      template: `${SIMULATOR_PREFIX}/simulations/{id}/events`,
      pattern: /^\/simulator\/simulations\/([^/]+)\/events$/,
      methods: {
        GET: async (request, response, id) => streamEvents(request, response, id),
      },
    },
    ...(workloads ? workloadRoutes(workloads) : []),
  ];

  /**
   * Server-sent events: the simulation's events so far, then live ones, ending after its
   * incident-finished. Each carries its number as `id`, so that a client that lost the connection
   * resumes with Last-Event-ID where it left off.
   */
  function streamEvents(request: http.IncomingMessage, response: http.ServerResponse, id: string): void {
    const record = simulations.get(id);
    if (!record) throw new HttpError(404, `simulation "${id}" not found`);
    const lastEventId = Number(request.headers['last-event-id'] ?? 0);
    const afterId = Number.isInteger(lastEventId) && lastEventId > 0 ? lastEventId : 0;
    if (record.status !== 'running' && afterId >= record.eventCount) {
      // Nothing left to send, ever: 204 tells a browser's EventSource to stop reconnecting.
      response.writeHead(204).end();
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    openStreams.add(response);
    let unsubscribe: (() => void) | undefined;
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const end = () => {
      clearInterval(heartbeat);
      unsubscribe?.();
      openStreams.delete(response);
      if (!response.writableEnded) response.end();
    };
    const write = ({ id: eventId, event }: NumberedEvent) => {
      if (response.writableEnded) return;
      response.write(`id: ${eventId}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      // The simulation's last event ends the stream; a client sees a clean end, not a cut.
      if (event.type === 'incident-finished') queueMicrotask(end);
    };
    // The response's close, not the request's: the latter also fires once a request is fully read.
    response.on('close', end);
    unsubscribe = simulations.subscribe(id, write, afterId);
  }

  /** Answers one request; `labels.route` is set to the matched route's template for the metrics. */
  async function handle(request: http.IncomingMessage, response: http.ServerResponse, labels: { route: string }): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const method = request.method ?? 'GET';

    if (path === '/healthz' || path === '/metrics') {
      labels.route = path;
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `${method} is not allowed on ${path}`, { allow: 'GET' });
      if (path === '/healthz') {
        sendJson(response, 200, {
          status: 'ok',
          scenarios: scenarios.length,
          simulations_active: simulations.activeCount,
          event_streams_open: openStreams.size,
        });
      } else {
        const body = (await metrics.render()) + (workloadMetrics ? await workloadMetrics.render() : '');
        response.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(body) });
        response.end(method === 'HEAD' ? undefined : body);
      }
      return;
    }
    if (path !== API_PREFIX && !path.startsWith(`${API_PREFIX}/`)) throw new HttpError(404, `no route ${path}`);

    // The key is checked before routing so that an unauthenticated caller learns nothing of the routes.
    const key = checkKey(request.headers['x-api-key']);
    if (key === 'missing') throw new HttpError(401, 'missing API key: send it in the X-API-Key header');
    if (key === 'wrong') throw new HttpError(403, 'invalid API key');

    const rest = path.slice(API_PREFIX.length);
    for (const route of routes) {
      const match = route.pattern.exec(rest);
      if (!match) continue;
      labels.route = route.template;
      const handler = route.methods[method as 'GET' | 'POST'];
      if (!handler) {
        throw new HttpError(405, `${method} is not allowed on ${route.template}`, { allow: Object.keys(route.methods).join(', ') });
      }
      let id = '';
      try {
        id = match[1] === undefined ? '' : decodeURIComponent(match[1]);
      } catch {
        throw new HttpError(400, `the id in ${path} is not valid percent-encoding`);
      }
      await handler(request, response, id);
      return;
    }
    throw new HttpError(404, `no route ${path}`);
  }

  const server = http.createServer((request, response) => {
    const started = process.hrtime.bigint();
    const labels = { route: 'unmatched' };
    handle(request, response, labels).catch((error: unknown) => {
        if (error instanceof HttpError) {
          sendJson(response, error.status, { detail: error.message }, error.headers);
          return;
        }
        log(`incident API: ${request.method} ${request.url} failed: ${error instanceof Error ? error.message : String(error)}`);
        if (!response.headersSent) sendJson(response, 500, { detail: 'internal server error' });
        else response.destroy();
      })
      .finally(() => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        metrics.recordRequest(request.method ?? 'GET', labels.route, response.statusCode, seconds);
      });
  });
  // Slowloris-style clients are cut off rather than holding sockets forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8000, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log(`incident API: ${error.message}`));
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    scenarioCount: scenarios.length,
    scenarioErrors,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all([simulations.stopAll(), workloads?.stopAll()]);
        for (const stream of openStreams) stream.end();
        server.closeIdleConnections();
        // Give answers in flight a moment, then drop whatever is still open.
        const timer = setTimeout(() => server.closeAllConnections(), 500);
        await closed;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}

export function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/**
 * Reads a request body up to MAX_BODY_BYTES. A bigger one is answered 413; up to DRAIN_LIMIT_BYTES
 * of it is read and thrown away first, so that the client, still sending, gets to read the answer.
 */
export function readBody(request: http.IncomingMessage): Promise<string> {
  const tooLarge = () =>
    new HttpError(413, `request body is larger than ${MAX_BODY_BYTES / 1024} KiB`, { connection: 'close' });
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > DRAIN_LIMIT_BYTES) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else if (size > DRAIN_LIMIT_BYTES) reject(tooLarge());
    });
    request.on('end', () => (size > MAX_BODY_BYTES ? reject(tooLarge()) : resolve(Buffer.concat(chunks).toString('utf8'))));
    request.on('error', reject);
  });
}

function parseStartBody(text: string) {
  let raw: unknown = {};
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'request body is not valid JSON');
    }
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new HttpError(400, 'request body must be a JSON object such as {"auto_analyze": true, "execution_mode": "demo"}');
  }
  const parsed = startBodySchema.safeParse(raw);
  if (!parsed.success) throw new HttpError(400, `invalid request body: ${summarizeIssues(parsed.error, raw)}`);
  return parsed.data;
}
