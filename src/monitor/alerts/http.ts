import { Agent, errors as undiciErrors, request } from 'undici';
import type { z } from 'zod';
import { describeNetworkError } from '../../http/network-error.js';
import { displayUrl, endpointUrl } from '../../http/url.js';

/** Where the user's monitoring answers, and how to authenticate. Credentials never appear in a message. */
export interface MonitoringEndpoint {
  url: string;
  bearerToken?: string;
  username?: string;
  password?: string;
}

/** Monitoring that is down, refuses us or answers garbage: `message` is one sentence for the user. */
export class MonitoringError extends Error {
  override name = 'MonitoringError';
}

/** Answers larger than this are not an alerts API answer; stop reading rather than fill memory. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

function authorizationHeader(endpoint: MonitoringEndpoint): string | undefined {
  if (endpoint.bearerToken) return `Bearer ${endpoint.bearerToken}`;
  let { username, password } = endpoint;
  if (username === undefined) {
    // http://user:pass@host is a common way to write basic auth: honour it, never print it.
    const url = new URL(endpoint.url);
    if (url.username) {
      username = decodeURIComponent(url.username);
      password = decodeURIComponent(url.password);
    }
  }
  if (username === undefined) return undefined;
  return `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
}

/**
 * A small JSON-over-HTTP client for one monitoring endpoint: its own connection pool (closed by
 * `close`), a timeout per request, and every failure turned into a MonitoringError sentence that
 * names the service and the URL but no credential.
 */
export class MonitoringClient {
  readonly label: string;
  private readonly agent: Agent;
  private readonly authorization: string | undefined;

  constructor(
    service: string,
    private readonly endpoint: MonitoringEndpoint,
    private readonly timeoutMs: number,
  ) {
    this.label = `${service} at ${displayUrl(endpoint.url)}`;
    this.agent = new Agent({ connect: { timeout: timeoutMs }, keepAliveTimeout: 10_000 });
    this.authorization = authorizationHeader(endpoint);
  }

  /** GETs `path` and validates the JSON answer against `schema`; `what` names the API in errors. */
  async getJson<T>(path: string, schema: z.ZodType<T>, what: string, signal?: AbortSignal, query: Record<string, string> = {}): Promise<T> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.authorization) headers.authorization = this.authorization;
    let response: Awaited<ReturnType<typeof request>>;
    try {
      const url = endpointUrl(this.endpoint.url, path);
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
      response = await request(url, {
        method: 'GET',
        headers,
        signal: combined,
        dispatcher: this.agent,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (error) {
      throw this.failure(error, signal);
    }
    let text: string;
    try {
      text = await readLimited(response.body);
    } catch (error) {
      if (error instanceof AnswerTooLarge) {
        throw new MonitoringError(`${this.label} answered something that is not the ${what} (more than 16 MiB).`);
      }
      throw this.failure(error, signal);
    }
    if (response.statusCode === 401 || response.statusCode === 403) {
      throw new MonitoringError(`${this.label} refused the credentials (HTTP ${response.statusCode}).`);
    }
    if (response.statusCode === 404) {
      throw new MonitoringError(`${this.label} has no ${what} (HTTP 404): is this the right URL?`);
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw new MonitoringError(`${this.label} answered HTTP ${response.statusCode} instead of the ${what}.`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new MonitoringError(`${this.label} answered something that is not the ${what} (not JSON).`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new MonitoringError(`${this.label} answered something that is not the ${what}.`);
    }
    return parsed.data;
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => undefined);
  }

  private failure(error: unknown, signal: AbortSignal | undefined): MonitoringError {
    if (error instanceof MonitoringError) return error;
    if (signal?.aborted) return new MonitoringError(`The request to ${this.label} was cancelled.`);
    const name = (error as Error).name;
    if (
      name === 'TimeoutError' ||
      name === 'AbortError' ||
      error instanceof undiciErrors.HeadersTimeoutError ||
      error instanceof undiciErrors.BodyTimeoutError ||
      error instanceof undiciErrors.ConnectTimeoutError
    ) {
      return new MonitoringError(`${this.label} did not answer within ${formatTimeout(this.timeoutMs)}.`);
    }
    return new MonitoringError(`${this.label} is not reachable (${describeNetworkError(error)}).`);
  }
}

class AnswerTooLarge extends Error {}

function formatTimeout(ms: number): string {
  return `${Math.round((ms / 1000) * 10) / 10} s`;
}

async function readLimited(body: AsyncIterable<Buffer | Uint8Array> & { destroy?: (error?: Error) => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy?.();
      throw new AnswerTooLarge();
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}
