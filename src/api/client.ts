import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import type { z } from 'zod';
import { summarizeIssues } from '../files/describe-issue.js';
import { formatDuration } from '../format.js';
import { describeNetworkError, networkErrorCode } from '../http/network-error.js';
import { SseReader } from '../http/sse-reader.js';
import { checkHttpUrl, normalizeBaseUrl, URL_EXAMPLES } from '../http/url.js';
import type { Difficulty, IncidentEvent, Scenario, Severity } from '../incidents/types.js';
import {
  API_PREFIX,
  errorBodySchema,
  fromWireDetail,
  incidentEventSchema,
  scenarioDetailSchema,
  scenarioListSchema,
  simulationListSchema,
  simulationSchema,
  SIMULATOR_PREFIX,
  stopResponseSchema,
  type SimulationStatusValue,
  type WireSimulation,
} from './wire.js';

const DEFAULT_TIMEOUT_MS = 10_000;
/** The server sends a keep-alive comment every 10 s; this much silence on an event stream means it is gone. */
const STREAM_SILENCE_MS = 30_000;
/** Pauses before resuming a broken event stream; one entry per attempt. */
const STREAM_RESUMES = [250, 500, 1000];
/** No answer of the incident API comes near this; a bigger one is not the incident API. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

export type ApiErrorKind =
  | 'bad-url'
  | 'unreachable'
  | 'timeout'
  | 'unauthorized'
  | 'not-found'
  | 'busy'
  | 'rejected'
  | 'server-error'
  | 'not-the-api'
  | 'stream-cut';

/** Anything that went wrong talking to the incident API, as one sentence a user can act on. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    /** The HTTP status, when the API answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface ScenarioSummary {
  id: string;
  name: string;
  description: string;
  service: string;
  severity: Severity;
  difficulty: Difficulty;
  tags: string[];
  durationSeconds: number;
  metricCount: number;
}

export interface SimulationStatus {
  simulationId: string;
  scenarioId: string;
  incidentId: string | null;
  status: SimulationStatusValue;
  startedAt: string;
  completedAt: string | null;
  error: string | null;
  hypothesesCount: number;
  actionsCount: number;
  metricsInjected: boolean;
}

export interface IncidentApiClientOptions {
  /** http://host:8000 or http://host:8000/api/v1 (the original's demo client default). */
  baseUrl: string;
  apiKey: string;
  /** For each request; on an event stream, for its headers (default 10 s). */
  timeoutMs?: number;
}

/** The root the /api/v1 routes hang off, from either spelling of the base URL. */
export function apiRoot(baseUrl: string): string {
  const checked = checkHttpUrl(baseUrl);
  if ('problem' in checked) throw new ApiError('bad-url', `the incident API URL: expected an http(s) URL such as ${URL_EXAMPLES.api}, ${checked.problem}`);
  return normalizeBaseUrl(checked.url, { suffix: API_PREFIX });
}

function fromWireSimulation(wire: WireSimulation): SimulationStatus {
  return {
    simulationId: wire.simulation_id,
    scenarioId: wire.scenario_id,
    incidentId: wire.incident_id,
    status: wire.status,
    startedAt: wire.started_at,
    completedAt: wire.completed_at,
    error: wire.error,
    hypothesesCount: wire.hypotheses_count,
    actionsCount: wire.actions_count,
    metricsInjected: wire.metrics_injected,
  };
}

interface Opened {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Buffer> & { text(): Promise<string>; dump(): Promise<void> };
  /** Ends the request's own timeout (once its headers or its whole answer are in). */
  settle(): void;
  /** Ends the timeout and unhooks the caller's signal: the request is over. */
  release(): void;
  /** Aborted by the caller's signal or by the timeout. */
  signal: AbortSignal;
}

/** A client of firedrill's (and the original's) incident API. */
export class IncidentApiClient {
  /** Where the API lives, as shown in error messages. */
  readonly root: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;

  constructor(options: IncidentApiClientOptions) {
    this.root = apiRoot(options.baseUrl);
    this.apiKey = options.apiKey;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async listScenarios(filter: { difficulty?: Difficulty; tag?: string } = {}, signal?: AbortSignal): Promise<ScenarioSummary[]> {
    const query = new URLSearchParams();
    if (filter.difficulty) query.set('difficulty', filter.difficulty);
    if (filter.tag) query.set('tag', filter.tag);
    const suffix = query.size > 0 ? `?${query}` : '';
    const list = await this.json('GET', `/scenarios${suffix}`, scenarioListSchema, { signal });
    return list.map((item) => ({
      id: item.id,
      name: item.name,
      description: item.description,
      service: item.service,
      severity: item.severity,
      difficulty: item.difficulty,
      tags: item.tags,
      durationSeconds: item.duration_seconds,
      metricCount: item.metric_count,
    }));
  }

  async getScenario(id: string, signal?: AbortSignal): Promise<Scenario> {
    return fromWireDetail(await this.json('GET', `/scenarios/${encodeURIComponent(id)}`, scenarioDetailSchema, { signal }));
  }

  async start(id: string, options: { autoAnalyze?: boolean; executionMode?: string } = {}, signal?: AbortSignal): Promise<SimulationStatus> {
    const body = { auto_analyze: options.autoAnalyze ?? true, execution_mode: options.executionMode ?? 'demo' };
    return fromWireSimulation(
      await this.json('POST', `/scenarios/${encodeURIComponent(id)}/start`, simulationSchema, { body, signal }),
    );
  }

  async getSimulation(id: string, signal?: AbortSignal): Promise<SimulationStatus> {
    return fromWireSimulation(await this.json('GET', `/simulations/${encodeURIComponent(id)}`, simulationSchema, { signal }));
  }

  async listSimulations(signal?: AbortSignal): Promise<SimulationStatus[]> {
    return (await this.json('GET', '/simulations', simulationListSchema, { signal })).map(fromWireSimulation);
  }

  async stop(id: string, signal?: AbortSignal): Promise<{ simulationId: string; details: Record<string, unknown> }> {
    const answer = await this.json('POST', `/simulations/${encodeURIComponent(id)}/stop`, stopResponseSchema, { signal });
    return { simulationId: answer.simulation_id, details: answer.details };
  }

  /**
   * The simulation's events: those so far, then live ones, up to its incident-finished. A stream
   * that breaks off is resumed where it left off (Last-Event-ID), a few times; after that, or when
   * the API is gone, it is an ApiError. Aborting `signal` ends the generator quietly.
   */
  async *events(simulationId: string, signal: AbortSignal): AsyncGenerator<IncidentEvent, void> {
    const path = `/simulations/${encodeURIComponent(simulationId)}/events`;
    const cut = `the event stream of simulation ${simulationId} from ${this.describe()} broke off before the simulation finished`;
    let lastId = 0;
    let resumes = 0;
    /** The break being recovered from, if any. */
    let breakage: ApiError | undefined;
    for (;;) {
      try {
        for await (const { id, event } of this.readStream(path, lastId, signal, cut)) {
          // A server that resends what was already seen (it ignored Last-Event-ID): skip it.
          if (id !== undefined && id <= lastId) continue;
          if (id !== undefined) lastId = id;
          breakage = undefined;
          resumes = 0;
          yield event;
          if (event.type === 'incident-finished') return;
        }
        if (signal.aborted) return;
        breakage = new ApiError('stream-cut', cut);
      } catch (error) {
        if (signal.aborted) return;
        if (!(error instanceof ApiError)) throw error;
        if (error.kind === 'stream-cut') breakage = error;
        else if (breakage) throw new ApiError('stream-cut', `${breakage.message}; resuming it failed: ${error.message}`, error.status);
        // A first connection that fails says why at once.
        else throw error;
      }
      if (resumes >= STREAM_RESUMES.length) throw breakage;
      await sleep(STREAM_RESUMES[resumes]!, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      resumes += 1;
    }
  }

  /** One connection of an event stream: its events with their numeric ids, until it ends. */
  private async *readStream(
    path: string,
    lastId: number,
    signal: AbortSignal,
    cut: string,
  ): AsyncGenerator<{ id: number | undefined; event: IncidentEvent }, void> {
    const opened = await this.open('GET', path, {
      signal,
      accept: 'text/event-stream',
      silenceMs: STREAM_SILENCE_MS,
      ...(lastId > 0 ? { lastEventId: String(lastId) } : {}),
    });
    opened.settle();
    try {
      // 204: the simulation ended and nothing follows the last event seen, which was not its end.
      if (opened.statusCode === 204) throw new ApiError('stream-cut', cut);
      const contentType = String(opened.headers['content-type'] ?? '');
      if (opened.statusCode !== 200 || !contentType.startsWith('text/event-stream')) await this.failFromAnswer(opened, path);
      const reader = new SseReader();
      try {
        for await (const chunk of opened.body) {
          for (const message of reader.push(chunk)) {
            const id = message.id === undefined ? undefined : Number(message.id);
            yield { id: id !== undefined && Number.isInteger(id) ? id : undefined, event: this.parseEvent(message.data) };
          }
        }
      } catch (error) {
        if (signal.aborted || error instanceof ApiError) throw error;
        if (networkErrorCode(error) === 'UND_ERR_BODY_TIMEOUT') {
          throw new ApiError('stream-cut', `${cut} (silent for ${STREAM_SILENCE_MS / 1000} s)`);
        }
        throw new ApiError('stream-cut', `${cut} (${describeNetworkError(error)})`);
      }
    } finally {
      // Leaving early (incident-finished, break, error) must not leave the connection open.
      opened.body.dump().catch(() => {});
      opened.release();
    }
  }

  private parseEvent(data: string): IncidentEvent {
    let raw: unknown;
    try {
      raw = JSON.parse(data);
    } catch {
      throw this.notTheApi('an event that is not JSON');
    }
    const parsed = incidentEventSchema.safeParse(raw);
    if (!parsed.success) throw this.notTheApi(`an event of an unknown shape: ${summarizeIssues(parsed.error, raw)}`);
    return parsed.data;
  }

  private describe(): string {
    return `the incident API at ${this.root}`;
  }

  private notTheApi(what: string): ApiError {
    return new ApiError('not-the-api', `${this.root} answered something that is not the incident API (${what})`);
  }

  private async json<T extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: T,
    options: { body?: unknown; signal?: AbortSignal },
  ): Promise<z.infer<T>> {
    const opened = await this.open(method, path, { ...options, accept: 'application/json' });
    let text: string;
    try {
      if (opened.statusCode < 200 || opened.statusCode >= 300) await this.failFromAnswer(opened, path);
      text = await readCapped(opened.body);
    } catch (error) {
      throw this.translate(error, options.signal, opened.signal);
    } finally {
      opened.release();
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw this.notTheApi(`${method} ${path} returned ${text.trim() === '' ? 'an empty body' : 'a body that is not JSON'}`);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw this.notTheApi(`${method} ${path}: ${summarizeIssues(parsed.error, raw)}`);
    return parsed.data;
  }

  /** Sends the request; its timeout runs until `settle()` (the headers of a stream, or a whole JSON answer). */
  private async open(
    method: 'GET' | 'POST',
    path: string,
    options: { body?: unknown; signal?: AbortSignal; accept: string; silenceMs?: number; lastEventId?: string },
  ): Promise<Opened> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new ApiError('timeout', `${this.describe()} did not answer within ${formatDuration(this.timeoutMs)}`)), this.timeoutMs);
    const onAbort = () => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => clearTimeout(timer);
    const release = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    try {
      const answer = await request(`${this.root}${SIMULATOR_PREFIX}${path}`, {
        method,
        headers: {
          'x-api-key': this.apiKey,
          accept: options.accept,
          ...(options.lastEventId === undefined ? {} : { 'last-event-id': options.lastEventId }),
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: controller.signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: options.silenceMs ?? this.timeoutMs,
      });
      return {
        statusCode: answer.statusCode,
        headers: answer.headers,
        body: answer.body as unknown as Opened['body'],
        settle,
        release,
        signal: controller.signal,
      };
    } catch (error) {
      release();
      throw this.translate(error, options.signal, controller.signal);
    }
  }

  /** Turns a non-success answer into the ApiError that says what it means. Always throws. */
  private async failFromAnswer(opened: Opened, path: string): Promise<never> {
    const status = opened.statusCode;
    let detail: string | undefined;
    try {
      const parsed = errorBodySchema.safeParse(JSON.parse(await readCapped(opened.body)));
      if (parsed.success) detail = parsed.data.detail;
    } catch {
      // Not JSON: detail stays unknown, judged below.
    }
    if (status === 401 || status === 403) {
      throw new ApiError('unauthorized', `${this.describe()} rejected the API key (${status}${detail ? `: ${detail}` : ''})`, status);
    }
    if (detail === undefined) throw new ApiError('not-the-api', `${this.root} answered something that is not the incident API (HTTP ${status} on ${path})`, status);
    if (status === 404) throw new ApiError('not-found', `${this.describe()}: ${detail}`, status);
    if (status === 429) throw new ApiError('busy', `${this.describe()} is busy: ${detail}`, status);
    if (status >= 500) throw new ApiError('server-error', `${this.describe()} failed (${status}: ${detail})`, status);
    throw new ApiError('rejected', `${this.describe()} refused the request (${status}: ${detail})`, status);
  }

  private translate(error: unknown, callerSignal?: AbortSignal, ownSignal?: AbortSignal): unknown {
    if (error instanceof ApiError) return error;
    if (callerSignal?.aborted) return callerSignal.reason ?? error;
    if (ownSignal?.aborted && ownSignal.reason instanceof ApiError) return ownSignal.reason;
    const code = networkErrorCode(error);
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
      return new ApiError('timeout', `${this.describe()} did not answer within ${formatDuration(this.timeoutMs)}`);
    }
    return new ApiError('unreachable', `${this.describe()} is not reachable (${describeNetworkError(error)})`);
  }
}

/**
 * Starts a scenario on a remote incident API and yields its events up to incident-finished.
 * Aborting `signal` stops the remote simulation and ends with an incident-finished "stopped", as
 * an in-process simulation does.
 */
export async function* streamRemoteIncident(options: {
  baseUrl: string;
  apiKey: string;
  scenarioId: string;
  signal: AbortSignal;
  timeoutMs?: number;
}): AsyncGenerator<IncidentEvent, void> {
  const client = new IncidentApiClient(options);
  let simulation: SimulationStatus;
  try {
    simulation = await client.start(options.scenarioId, {}, options.signal);
  } catch (error) {
    // Stopped while the start was on its way: end as an in-process simulation would. The server
    // ends a simulation nobody reads on its own.
    if (!options.signal.aborted) throw error;
    yield { type: 'incident-finished', status: 'stopped', completedAt: new Date().toISOString() };
    return;
  }
  let finished = false;
  try {
    for await (const event of client.events(simulation.simulationId, options.signal)) {
      if (event.type === 'incident-finished') finished = true;
      yield event;
    }
  } finally {
    // Aborted, or the consumer stopped reading: the remote simulation should not run on for nobody.
    if (!finished) await client.stop(simulation.simulationId).catch(() => undefined);
  }
  if (!finished && options.signal.aborted) {
    yield { type: 'incident-finished', status: 'stopped', completedAt: new Date().toISOString() };
  }
}

async function readCapped(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) throw new ApiError('not-the-api', `answer larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
