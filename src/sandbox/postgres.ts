import { randomBytes } from 'node:crypto';
import { accessSync, constants, readFileSync, rmSync } from 'node:fs';
import { chown, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { killChild, spawnChild, type Child } from '../drills/children.js';
import { onEmergency } from '../drills/emergency.js';
import type { Ledger } from '../drills/ledger.js';

/**
 * A throwaway PostgreSQL cluster: `initdb` into a temp dir named by firedrill's pattern (so that
 * the cleanup ledger may remove it after a kill -9), its own port on 127.0.0.1 and its own socket
 * dir, so that it never touches the user's cluster. The postmaster runs in the foreground as a
 * child of firedrill under pdeathsig (not through `pg_ctl`, which detaches it), so that the
 * supervisor sees it exit and a dead firedrill takes it along.
 * As root it runs as the `postgres` user: initdb and postgres refuse to run as root.
 */

/** Debian's server binaries (the `postgresql` package), newest first; FIREDRILL_PG_BIN overrides. */
const PG_BIN_CANDIDATES = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'];

/** The superuser initdb creates (trust auth on loopback: the cluster lives for one experiment). */
export const SUPERUSER = 'firedrill';
/** The demo app's role: not a superuser, so connection exhaustion leaves the reserved slots to the superuser. */
export const APP_ROLE = 'app';
export const DATABASE = 'postgres';

export const MIN_MAX_CONNECTIONS = 5;
export const MAX_MAX_CONNECTIONS = 200;
/** Slots only superusers may take, as in a production cluster: firedrill's own checks still get in. */
export const RESERVED_CONNECTIONS = 3;

export function findPostgresBin(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env.FIREDRILL_PG_BIN ? [env.FIREDRILL_PG_BIN] : PG_BIN_CANDIDATES;
  for (const dir of candidates) {
    try {
      accessSync(path.join(dir, 'postgres'), constants.X_OK);
      accessSync(path.join(dir, 'initdb'), constants.X_OK);
      return dir;
    } catch {
      // Not this one.
    }
  }
  return null;
}

export const MISSING_POSTGRES =
  'the PostgreSQL sandbox needs the PostgreSQL server binaries (Debian: apt-get install postgresql; or set FIREDRILL_PG_BIN to the folder holding initdb and postgres)';

/** As root, the `postgres` system user's ids; otherwise undefined (run as oneself). */
function runAsUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let passwd = '';
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    // Handled below.
  }
  const line = passwd.split('\n').find((entry) => entry.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error('firedrill runs as root and PostgreSQL refuses root: the sandbox needs the "postgres" system user (created by the postgresql package)');
  }
  return { uid: Number(uid), gid: Number(gid) };
}

export interface ClusterOptions {
  ledger: Ledger;
  port: number;
  maxConnections: number;
  /** Where the cluster's folder goes; the system temp dir by default. */
  tempRoot?: string;
  env?: NodeJS.ProcessEnv;
}

export class PostgresCluster {
  private constructor(
    readonly bin: string,
    /** firedrill-pgsandbox-PID-HEX: removed with everything in it by remove() or the ledger. */
    readonly dir: string,
    readonly port: number,
    readonly maxConnections: number,
    private readonly runAs: { uid: number; gid: number } | undefined,
    private readonly ledger: Ledger,
  ) {}

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  get socketDir(): string {
    return path.join(this.dir, 'socket');
  }

  /** Makes the folder (recorded in the ledger first) and runs initdb in it. */
  static async create(options: ClusterOptions): Promise<PostgresCluster> {
    const bin = findPostgresBin(options.env);
    if (!bin) throw new Error(MISSING_POSTGRES);
    const runAs = runAsUser();
    const dir = path.join(options.tempRoot ?? os.tmpdir(), `firedrill-pgsandbox-${process.pid}-${randomBytes(6).toString('hex')}`);
    await options.ledger.addDirectory(dir);
    const cluster = new PostgresCluster(bin, dir, options.port, options.maxConnections, runAs, options.ledger);
    const disarm = onEmergency(() => rmSync(dir, { recursive: true, force: true }));
    cluster.disarmEmergency = disarm;
    try {
      await mkdir(dir, { mode: 0o700 });
      await mkdir(cluster.socketDir, { mode: 0o700 });
      if (runAs) {
        await chown(dir, runAs.uid, runAs.gid);
        await chown(cluster.socketDir, runAs.uid, runAs.gid);
      }
      await cluster.initdb();
    } catch (error) {
      await cluster.remove();
      throw error;
    }
    return cluster;
  }

  private disarmEmergency: () => void = () => {};

  private spawnOptions() {
    return {
      stdio: ['ignore', 'ignore', 'pipe'] as ['ignore', 'ignore', 'pipe'],
      // LANG=C: messages in English, which the exhaustion fault and the tests read.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C', TZ: 'UTC' },
      cwd: this.dir,
      ...this.runAs,
    };
  }

  private async initdb(): Promise<void> {
    const args = ['-D', this.dataDir, '-A', 'trust', '-U', SUPERUSER, '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'];
    const child = await spawnChild(path.join(this.bin, 'initdb'), args, this.spawnOptions());
    await this.ledger.addProcesses([{ pid: child.pid, startTime: child.startTime, command: 'initdb' }]);
    const timer = setTimeout(() => void killChild(child), 60_000);
    const { code, signal } = await child.exited;
    clearTimeout(timer);
    await this.ledger.removeProcesses([child.pid]);
    if (code !== 0) {
      throw new Error(`initdb failed (${signal ?? `exit ${code}`}): ${child.stderrTail().split('\n').slice(-3).join(' ') || 'no message'}`);
    }
  }

  /** Starts the postmaster in the foreground, recorded in the ledger; resolves once it runs (not yet ready). */
  async spawn(): Promise<Child> {
    const args = [
      '-D', this.dataDir,
      '-p', String(this.port),
      '-k', this.socketDir,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `max_connections=${this.maxConnections}`,
      '-c', `superuser_reserved_connections=${RESERVED_CONNECTIONS}`,
      '-c', 'shared_buffers=16MB',
      '-c', 'log_min_messages=warning',
      // After a crash, one syncfs() of the filesystem instead of an fsync() of every file of the
      // cluster: 0.15 s to ready instead of 2.2 s here (PostgreSQL 14+, Linux).
      '-c', 'recovery_init_sync_method=syncfs',
    ];
    return spawnChild(path.join(this.bin, 'postgres'), args, this.spawnOptions());
  }

  /** A connection string on loopback (the direct one, or through the proxy at `port`). */
  url(user: string = SUPERUSER, port: number = this.port): string {
    return `postgresql://${user}@127.0.0.1:${port}/${DATABASE}`;
  }

  /** Resolves once a query answers (crash recovery done), or rejects after timeoutMs. */
  async waitReady(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      signal?.throwIfAborted();
      const problem = await queryOnce(this.url(), 'SELECT 1', Math.min(1000, Math.max(100, deadline - Date.now())));
      if (problem === null) return;
      last = problem;
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    throw new Error(`PostgreSQL on 127.0.0.1:${this.port} did not accept queries within ${timeoutMs} ms: ${last}`);
  }

  /** Removes the folder and its ledger entry. The postmaster must have been ended first. */
  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    this.disarmEmergency();
    await this.ledger.removeDirectory(this.dir);
  }
}

/** Runs one query on a fresh connection; null when it worked, else the error's message. */
export async function queryOnce(connectionString: string, sql: string, timeoutMs: number): Promise<string | null> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query(sql);
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}
