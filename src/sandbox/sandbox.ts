import net from 'node:net';
import pg from 'pg';
import type { Ledger } from '../drills/ledger.js';
import { ITEM_COUNT } from './demo-app.js';
import { APP_ROLE, PostgresCluster, SUPERUSER } from './postgres.js';
import { demoAppProgram, postgresProgram, proxyProgram } from './programs.js';
import { Supervisor, type SupervisedProgram, type SupervisorOptions } from '../supervise/supervisor.js';

/**
 * A system to break, built in: a throwaway PostgreSQL cluster, firedrill's fault proxy in front of
 * it, and a demo app that answers each HTTP request with a query through the proxy. Each part is a
 * supervised child process; everything is recorded in the cleanup ledger and removed by stop(),
 * or by the next firedrill after a kill -9.
 *
 *   client -> demo app (HTTP) -> fault proxy (TCP) -> PostgreSQL
 */

export const SANDBOX_PARTS = ['postgres', 'proxy', 'app'] as const;
export type SandboxPart = (typeof SANDBOX_PARTS)[number];

export interface SandboxOptions {
  ledger: Ledger;
  /** PostgreSQL's max_connections (small, so that exhausting it is quick). */
  maxConnections?: number;
  /** The demo app's pool size, connect/query timeout and retries. */
  poolSize?: number;
  appTimeoutMs?: number;
  appRetries?: number;
  tempRoot?: string;
  env?: NodeJS.ProcessEnv;
  /** How each part is supervised (default: Restart=always after 0.1 s); the ledger is always the sandbox's. */
  supervision?: (part: SandboxPart) => Partial<SupervisorOptions>;
}

export interface SandboxEndpoints {
  /** The demo app: GET /query answers with a row read through the proxy. */
  url: string;
  /** Through the fault proxy, as the app's role: what the demo app uses. */
  database_url: string;
  /** Straight to PostgreSQL, as the app's role (what connection exhaustion takes). */
  direct_url: string;
  /** Straight to PostgreSQL, as the superuser: firedrill's own checks (the reserved slots stay open to it). */
  admin_url: string;
  proxy_control: string;
  proxy_address: string;
  postgres_address: string;
  max_connections: string;
}

const PART_NAMES: Record<SandboxPart, string> = { postgres: 'postgres', proxy: 'the fault proxy', app: 'the demo app' };

export const SANDBOX_DEFAULTS = { maxConnections: 20, poolSize: 5, appTimeoutMs: 1000, appRetries: 2 } as const;

/** A free port on loopback, from the kernel (kept for the sandbox's lifetime, so restarts reuse it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export class Sandbox {
  private readonly units = new Map<SandboxPart, Supervisor>();
  private created: { cluster: PostgresCluster; ports: { proxy: number; control: number; app: number } } | undefined;
  private stopped = false;

  /** The parts' supervisors exist from here on (to listen to); nothing runs before start(). */
  constructor(private readonly options: SandboxOptions) {
    for (const part of SANDBOX_PARTS) {
      const program: SupervisedProgram = {
        name: PART_NAMES[part],
        spawn: () => this.program(part).spawn(),
        stop: (child, timeoutMs) => this.program(part).stop?.(child, timeoutMs) ?? Promise.resolve(),
      };
      this.units.set(part, new Supervisor(program, { restart: 'always', restartDelayMs: 100, ...options.supervision?.(part), ledger: options.ledger }));
    }
  }

  static async start(options: SandboxOptions, signal?: AbortSignal): Promise<Sandbox> {
    const sandbox = new Sandbox(options);
    await sandbox.start(signal);
    return sandbox;
  }

  /** Creates the cluster and starts the three parts in order, each ready before the next. */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.created) throw new Error('the sandbox was started already');
    const [postgresPort, proxy, control, app] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const cluster = await PostgresCluster.create({
      ledger: this.options.ledger,
      port: postgresPort,
      maxConnections: this.options.maxConnections ?? SANDBOX_DEFAULTS.maxConnections,
      tempRoot: this.options.tempRoot,
      env: this.options.env,
    });
    this.created = { cluster, ports: { proxy, control, app } };
    try {
      for (const part of SANDBOX_PARTS) {
        signal?.throwIfAborted();
        await this.unit(part).start();
        if (part === 'postgres') await this.seed();
      }
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  get cluster(): PostgresCluster {
    if (!this.created) throw new Error('the sandbox has not been started');
    return this.created.cluster;
  }

  private get ports(): { proxy: number; control: number; app: number } {
    if (!this.created) throw new Error('the sandbox has not been started');
    return this.created.ports;
  }

  endpoints(): SandboxEndpoints {
    return {
      url: `http://127.0.0.1:${this.ports.app}`,
      database_url: this.cluster.url(APP_ROLE, this.ports.proxy),
      direct_url: this.cluster.url(APP_ROLE),
      admin_url: this.cluster.url(SUPERUSER),
      proxy_control: `http://127.0.0.1:${this.ports.control}`,
      proxy_address: `127.0.0.1:${this.ports.proxy}`,
      postgres_address: `127.0.0.1:${this.cluster.port}`,
      max_connections: String(this.cluster.maxConnections),
    };
  }

  label(): string {
    return `the PostgreSQL sandbox (postgres 127.0.0.1:${this.cluster.port}, proxy 127.0.0.1:${this.ports.proxy}, app 127.0.0.1:${this.ports.app})`;
  }

  /** The part's supervisor: kill() is a crash (restarted), stop()/start() a deliberate restart. */
  unit(part: SandboxPart): Supervisor {
    return this.units.get(part) as Supervisor;
  }

  private program(part: SandboxPart): SupervisedProgram {
    switch (part) {
      case 'postgres':
        return postgresProgram(this.cluster);
      case 'proxy':
        return proxyProgram({ listenPort: this.ports.proxy, controlPort: this.ports.control, upstreamPort: this.cluster.port });
      case 'app':
        return demoAppProgram({
          port: this.ports.app,
          database: this.endpoints().database_url,
          poolSize: this.options.poolSize ?? SANDBOX_DEFAULTS.poolSize,
          timeoutMs: this.options.appTimeoutMs ?? SANDBOX_DEFAULTS.appTimeoutMs,
          retries: this.options.appRetries ?? SANDBOX_DEFAULTS.appRetries,
        });
      default: {
        const never: never = part;
        throw new Error(`unknown part ${String(never)}`);
      }
    }
  }

  /** The demo app's role and table, created once on the fresh cluster. */
  private async seed(): Promise<void> {
    const client = new pg.Client({ connectionString: this.cluster.url(SUPERUSER), connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      await client.query(`CREATE ROLE ${APP_ROLE} LOGIN`);
      await client.query('CREATE TABLE items (id integer PRIMARY KEY, body text NOT NULL)');
      await client.query(`INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, ${ITEM_COUNT}) AS g`);
      await client.query(`GRANT SELECT ON items TO ${APP_ROLE}`);
    } finally {
      await client.end();
    }
  }

  /** Stops the parts (app, proxy, postgres: the reverse of their start) and removes the cluster. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const part of [...SANDBOX_PARTS].reverse()) {
      await this.units.get(part)?.stop();
    }
    await this.created?.cluster.remove();
  }
}
