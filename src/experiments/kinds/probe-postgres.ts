import pg from 'pg';
import { z } from 'zod';
import { CRASH_TABLE, checkChecksummedRows } from '../../sandbox/faults.js';
import { SERVICE_ID, TEMPLATED, TIMEOUT_SECONDS, referencesIn } from './common.js';
import { sandboxOf } from './service-postgres-sandbox.js';
import type { ProbeKind, ProbeOutcome } from './types.js';

const schema = z.strictObject({
  kind: z.literal('postgres'),
  /** A postgresql:// connection string; may refer to a service: `${db.database_url}`. */
  url: TEMPLATED,
  query: z.string().min(1).max(2000).default('SELECT 1'),
  /** The query must return at least this many rows. */
  min_rows: z.number().int().min(0).max(1_000_000).optional(),
  max_latency_ms: z.number().positive().max(60_000).optional(),
  timeout_seconds: TIMEOUT_SECONDS.default(2),
  /**
   * A postgres_sandbox whose postgres_crash fault committed checksummed rows: every one of them
   * must be there with its checksum (checked through `url`) once the crash fault has run.
   */
  committed_rows_of: SERVICE_ID.optional(),
});

type PostgresSpec = z.infer<typeof schema>;

/**
 * A query on a fresh connection (as the runbook's `psql -c` does), timed from connect to the last
 * row: a refused connection (the server down, "too many clients") fails the probe like a slow one.
 */
export const postgresProbe: ProbeKind<PostgresSpec> = {
  kind: 'postgres',
  measuresLatency: true,
  schema,
  describe: (spec) =>
    `PostgreSQL ${spec.url}: ${spec.query}${spec.min_rows !== undefined ? `, at least ${spec.min_rows} rows` : ''}${
      spec.max_latency_ms !== undefined ? ` within ${spec.max_latency_ms} ms` : ''
    }${spec.committed_rows_of !== undefined ? ', every committed row intact' : ''}`,
  serviceRefs: (spec) => [...referencesIn(spec.url).map((ref) => ref.id), ...(spec.committed_rows_of !== undefined ? [spec.committed_rows_of] : [])],
  create(spec, context) {
    const url = context.resolve(spec.url);
    return {
      run: async (signal) => {
        const outcome = await query(url, spec, signal);
        if (!outcome.ok || spec.committed_rows_of === undefined) return outcome;
        const expected = sandboxOf(context, spec.committed_rows_of).committedRows;
        if (expected === null) return outcome;
        try {
          const check = await checkChecksummedRows(url, expected);
          if (check.missing === 0 && check.corrupted === 0) return { ...outcome, value: check.found, detail: `${outcome.detail}; ${check.found}/${expected} committed rows intact` };
          return { ...outcome, ok: false, value: check.found, detail: `${check.missing} of ${expected} committed rows missing, ${check.corrupted} corrupted (${CRASH_TABLE})` };
        } catch (error) {
          return { ...outcome, ok: false, detail: `cannot check the committed rows: ${(error as Error).message}` };
        }
      },
    };
  },
};

async function query(url: string, spec: PostgresSpec, signal: AbortSignal): Promise<ProbeOutcome> {
  const timeoutMs = spec.timeout_seconds * 1000;
  const started = performance.now();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => {});
  const onAbort = () => void client.end().catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    const result = await client.query(spec.query);
    const ms = performance.now() - started;
    const rows = result.rowCount ?? result.rows.length;
    if (spec.min_rows !== undefined && rows < spec.min_rows) return { ok: false, latencyMs: ms, value: rows, detail: `${rows} rows < ${spec.min_rows}` };
    if (spec.max_latency_ms !== undefined && ms > spec.max_latency_ms) return { ok: false, latencyMs: ms, value: rows, detail: `answered in ${ms.toFixed(0)} ms > ${spec.max_latency_ms} ms` };
    return { ok: true, latencyMs: ms, value: rows, detail: `${rows} rows in ${ms.toFixed(1)} ms` };
  } catch (error) {
    return { ok: false, latencyMs: performance.now() - started, detail: signal.aborted ? 'cancelled' : (error as Error).message.slice(0, 200) };
  } finally {
    signal.removeEventListener('abort', onAbort);
    await client.end().catch(() => {});
  }
}
