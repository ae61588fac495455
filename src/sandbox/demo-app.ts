import http from 'node:http';
import pg from 'pg';

/**
 * The sandbox's demo app: a small HTTP service that answers each request with a query through the
 * fault proxy, the way a real service uses its database: a connection pool, a connect timeout, a
 * query timeout, and a few retries with a short backoff. What the experiments' steady state
 * measures, so its behaviour under faults is what users would see from their own services.
 *
 *   GET /health   200 while the process serves (no database: a liveness check)
 *   GET /query    one row read through the pool: 200 {ok, id, attempts, ms}; 503 {ok:false, error}
 *   GET /stats    the pool's counts and the app's own counters
 */

export interface DemoAppOptions {
  port: number;
  host?: string;
  database: string;
  /** Pool size: at most this many connections to PostgreSQL. */
  poolSize: number;
  /** Connect and query timeout, each. */
  timeoutMs: number;
  /** Attempts after the first when a query fails (a reset connection, a timeout). */
  retries: number;
}

export const DEMO_APP_LIMITS = {
  poolSize: { min: 1, max: 100 },
  timeoutMs: { min: 50, max: 60_000 },
  retries: { min: 0, max: 5 },
} as const;

/** Rows the sandbox seeds in the `items` table, read at random by /query. */
export const ITEM_COUNT = 100;
const BACKOFF_MS = 50;

export interface DemoApp {
  port: number;
  close(): Promise<void>;
}

export async function startDemoApp(options: DemoAppOptions): Promise<DemoApp> {
  const pool = new pg.Pool({
    connectionString: options.database,
    max: options.poolSize,
    connectionTimeoutMillis: options.timeoutMs,
    query_timeout: options.timeoutMs,
    idleTimeoutMillis: 10_000,
    application_name: 'firedrill-demo-app',
  });
  // An idle connection the server or the proxy dropped: the pool discards it; nothing to do here.
  pool.on('error', () => {});
  const counters = { requests: 0, failures: 0, retries: 0 };

  async function query(): Promise<{ id: number; attempts: number }> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= options.retries + 1; attempt += 1) {
      const id = 1 + Math.floor(Math.random() * ITEM_COUNT);
      try {
        const result = await pool.query<{ id: number }>('SELECT id, body FROM items WHERE id = $1', [id]);
        if (result.rowCount !== 1) throw new Error(`item ${id} is missing`);
        return { id, attempts: attempt };
      } catch (error) {
        lastError = error;
        if (attempt <= options.retries) {
          counters.retries += 1;
          await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS * attempt));
        }
      }
    }
    throw lastError;
  }

  const server = http.createServer((request, response) => {
    const send = (status: number, body: unknown) => {
      const text = `${JSON.stringify(body)}\n`;
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    };
    const route = new URL(request.url ?? '/', 'http://app').pathname;
    if (route === '/health') return send(200, { ok: true });
    if (route === '/stats') {
      return send(200, { ...counters, pool: { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } });
    }
    if (route !== '/query') return send(404, { ok: false, error: `no route ${route}` });
    counters.requests += 1;
    const started = performance.now();
    query().then(
      ({ id, attempts }) => send(200, { ok: true, id, attempts, ms: Math.round((performance.now() - started) * 10) / 10 }),
      (error: unknown) => {
        counters.failures += 1;
        send(503, { ok: false, error: (error as Error).message, ms: Math.round(performance.now() - started) });
      },
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end().catch(() => {});
    },
  };
}
