import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL faults, as plain functions on connection strings, so that they work on the
 * sandbox and on a user's own server alike: connection exhaustion (the runbook's 50 `psql ...
 * pg_sleep(30)`, done until the server's own limit) and the checksummed rows a crash must not lose.
 */

/** PostgreSQL's SQLSTATE for "sorry, too many clients already". */
export const TOO_MANY_CONNECTIONS = '53300';
/** Never more connections than this, whatever the server says its limit is. */
export const MAX_HOG_CONNECTIONS = 1000;

export interface Exhaustion {
  /** Connections firedrill holds open. */
  held: number;
  /** The server's refusal of the next one, as PostgreSQL worded it. */
  refusal: string;
  /** From the first connection to the refusal. */
  ms: number;
}

/**
 * Opens connections to `url` until the server refuses one with "too many clients", then holds
 * them until release(). Connections are opened a few at a time; each is idle in a transaction-free
 * session (the slot is what is exhausted, as with the runbook's pg_sleep).
 */
export class ConnectionHog {
  private readonly clients: pg.Client[] = [];
  private released = false;

  constructor(
    private readonly url: string,
    private readonly options: { limit: number; connectTimeoutMs?: number; batch?: number } = { limit: MAX_HOG_CONNECTIONS },
  ) {}

  held(): number {
    return this.clients.length;
  }

  async exhaust(signal?: AbortSignal): Promise<Exhaustion> {
    const started = performance.now();
    const limit = Math.min(this.options.limit, MAX_HOG_CONNECTIONS);
    const batch = this.options.batch ?? 5;
    for (;;) {
      signal?.throwIfAborted();
      if (this.released) throw new Error('released while exhausting');
      if (this.clients.length >= limit) {
        throw new Error(`opened ${this.clients.length} connections and the server still accepts more: its limit is above the ${limit} firedrill may take`);
      }
      const size = Math.min(batch, limit - this.clients.length);
      const attempts = await Promise.allSettled(Array.from({ length: size }, () => this.open()));
      for (const attempt of attempts) {
        if (attempt.status === 'fulfilled') this.clients.push(attempt.value);
      }
      const refused = attempts.find(
        (attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected' && (attempt.reason as { code?: string }).code === TOO_MANY_CONNECTIONS,
      );
      if (refused) return { held: this.clients.length, refusal: (refused.reason as Error).message, ms: performance.now() - started };
      const other = attempts.find((attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected');
      if (other) throw new Error(`a connection failed for another reason than the limit: ${(other.reason as Error).message}`);
    }
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5000 });
    client.on('error', () => {});
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  }

  /** Closes every held connection. Idempotent. */
  async release(): Promise<void> {
    this.released = true;
    const clients = this.clients.splice(0);
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
  }
}

/** The table the crash fault fills before the crash and checks after it. */
export const CRASH_TABLE = 'firedrill_crash_check';
export const MAX_CRASH_ROWS = 100_000;

function checksum(id: number, payload: string): string {
  return createHash('sha256').update(`${id}:${payload}`).digest('hex');
}

/** Writes `rows` rows, each with a SHA-256 of its content, in committed transactions of up to 500 rows. */
export async function writeChecksummedRows(url: string, rows: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS ${CRASH_TABLE}`);
    await client.query(`CREATE TABLE ${CRASH_TABLE} (id integer PRIMARY KEY, payload text NOT NULL, checksum text NOT NULL)`);
    for (let first = 1; first <= rows; first += 500) {
      const ids = Array.from({ length: Math.min(500, rows - first + 1) }, (_, index) => first + index);
      const payloads = ids.map((id) => createHash('md5').update(`row ${id}`).digest('hex').repeat(2));
      await client.query('BEGIN');
      await client.query(`INSERT INTO ${CRASH_TABLE} (id, payload, checksum) SELECT * FROM unnest($1::int[], $2::text[], $3::text[])`, [
        ids,
        payloads,
        ids.map((id, index) => checksum(id, payloads[index] as string)),
      ]);
      await client.query('COMMIT');
    }
  } finally {
    await client.end().catch(() => {});
  }
}

export interface RowCheck {
  expected: number;
  found: number;
  /** Rows whose checksum no longer matches their content. */
  corrupted: number;
  /** Ids written and committed but not found. */
  missing: number;
}

/** Reads every row back and checks its checksum. */
export async function checkChecksummedRows(url: string, expected: number): Promise<RowCheck> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const result = await client.query<{ id: number; payload: string; checksum: string }>(`SELECT id, payload, checksum FROM ${CRASH_TABLE} ORDER BY id`);
    const seen = new Set<number>();
    let corrupted = 0;
    for (const row of result.rows) {
      seen.add(row.id);
      if (checksum(row.id, row.payload) !== row.checksum) corrupted += 1;
    }
    let missing = 0;
    for (let id = 1; id <= expected; id += 1) if (!seen.has(id)) missing += 1;
    return { expected, found: result.rows.length, corrupted, missing };
  } finally {
    await client.end().catch(() => {});
  }
}
