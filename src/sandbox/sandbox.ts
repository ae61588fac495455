import net from 'node:net';
import pg from 'pg';
import type { Ledger } from '../drills/ledger.js';
import { ITEM_COUNT } from './demo-app.js';
import { APP_ROLE, PostgresCluster, SUPERUSER } from './postgres.js';
import { demoAppProgram, postgresProgram, proxyProgram, type SandboxProgram } from './programs.js';
import { startUnit, type Unit } from './unit.js';

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
  /** How each part is run: the supervisor (default), or anything with the same controls. */
  supervise?: (program: SandboxProgram, ledger: Ledger) => Unit;
}

export interface SandboxEndpoints {
  /** Straight to PostgreSQL, as the superuser: for firedrill's own checks. */
  postgres_url: string;
  /** Through the fault proxy, as the app's role: what the demo app uses. */
  database_url: string;
  proxy_control: string;
  app_url: string;
  max_connections: string;
}

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
  private readonly units = new Map<SandboxPart, Unit>();
  private stopped = false;

  private constructor(
    readonly cluster: PostgresCluster,
    private readonly ports: { proxy: number; control: number; app: number },
    private readonly options: SandboxOptions,
  ) {}

  /** Creates the cluster and starts the three parts in order, each ready before the next. */
  static async start(options: SandboxOptions, signal?: AbortSignal): Promise<Sandbox> {
    const [postgresPort, proxy, control, app] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const cluster = await PostgresCluster.create({
      ledger: options.ledger,
      port: postgresPort,
      maxConnections: options.maxConnections ?? SANDBOX_DEFAULTS.maxConnections,
      tempRoot: options.tempRoot,
      env: options.env,
    });
    const sandbox = new Sandbox(cluster, { proxy, control, app }, options);
    try {
      for (const part of SANDBOX_PARTS) {
        signal?.throwIfAborted();
        await sandbox.startPart(part);
        if (part === 'postgres') await sandbox.seed();
      }
    } catch (error) {
      await sandbox.stop();
      throw error;
    }
    return sandbox;
  }

  endpoints(): SandboxEndpoints {
    return {
      postgres_url: this.cluster.url(),
      database_url: this.cluster.url(APP_ROLE, this.ports.proxy),
      proxy_control: `http://127.0.0.1:${this.ports.control}`,
      app_url: `http://127.0.0.1:${this.ports.app}`,
      max_connections: String(this.cluster.maxConnections),
    };
  }

  label(): string {
    return `the PostgreSQL sandbox (postgres 127.0.0.1:${this.cluster.port}, proxy 127.0.0.1:${this.ports.proxy}, app 127.0.0.1:${this.ports.app})`;
  }

  unit(part: SandboxPart): Unit {
    const unit = this.units.get(part);
    if (!unit) throw new Error(`the sandbox's ${part} is not running`);
    return unit;
  }

  private program(part: SandboxPart): SandboxProgram {
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

  private async startPart(part: SandboxPart): Promise<void> {
    const unit = (this.options.supervise ?? startUnit)(this.program(part), this.options.ledger);
    this.units.set(part, unit);
    await unit.start();
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
    await this.cluster.remove();
  }
}
