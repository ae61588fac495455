import { spawnChild, type Child } from '../drills/children.js';
import { httpHealthy } from '../drills/services.js';
import type { SupervisedProgram } from '../supervise/supervisor.js';
import { firedrillEntry } from './entry.js';
import type { PostgresCluster } from './postgres.js';

/**
 * The sandbox's three programs, each as the supervisor wants it (src/supervise/): how to start one
 * instance, when it is ready, how to stop it gracefully. Every instance is a child under pdeathsig.
 */


/** Longest a start may take before the instance is given up (the supervisor may cut it shorter). */
const READY_LIMIT_MS = 30_000;
const POLL_MS = 25;

/** Resolves once `check` says yes; rejects when the child exits first or the time runs out. */
async function readyWhen(name: string, child: Child, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + READY_LIMIT_MS;
  while (Date.now() < deadline) {
    if (child.hasExited()) throw new Error(`${name} exited while starting: ${child.stderrTail().split('\n').slice(-2).join(' ') || 'no message'}`);
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`${name} was not ready within ${READY_LIMIT_MS / 1000} s`);
}

/** Signal, then SIGKILL after the grace; resolves once the child has exited. */
async function endWith(child: Child, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.hasExited()) return;
  child.process.kill(signal);
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

export function postgresProgram(cluster: PostgresCluster): SupervisedProgram {
  return {
    name: 'postgres',
    async spawn() {
      const child = await cluster.spawn();
      const ready = readyWhen('postgres', child, async () => {
        try {
          await cluster.waitReady(250);
          return true;
        } catch {
          return false;
        }
      });
      return { child, ready };
    },
    // SIGINT is PostgreSQL's fast shutdown (SIGTERM, the smart one, waits for every client to leave).
    stop: (child, timeoutMs) => endWith(child, 'SIGINT', timeoutMs),
  };
}

/** A firedrill command as a child: this same node, the built bundle, no loader from the parent. */
function spawnFiredrill(args: string[]): Promise<Child> {
  return spawnChild(process.execPath, [firedrillEntry(), ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1' },
  });
}

export function proxyProgram(options: { listenPort: number; controlPort: number; upstreamPort: number }): SupervisedProgram {
  const control = `http://127.0.0.1:${options.controlPort}`;
  return {
    name: 'proxy',
    async spawn() {
      const child = await spawnFiredrill([
        'proxy',
        '--listen', `127.0.0.1:${options.listenPort}`,
        '--upstream', `127.0.0.1:${options.upstreamPort}`,
        '--control', `127.0.0.1:${options.controlPort}`,
      ]);
      return { child, ready: readyWhen('the fault proxy', child, () => httpHealthy(`${control}/proxy`)) };
    },
    stop: (child, timeoutMs) => endWith(child, 'SIGTERM', timeoutMs),
  };
}

export interface DemoAppProgramOptions {
  port: number;
  database: string;
  poolSize: number;
  timeoutMs: number;
  retries: number;
}

export function demoAppProgram(options: DemoAppProgramOptions): SupervisedProgram {
  return {
    name: 'demo app',
    async spawn() {
      const child = await spawnFiredrill([
        'sandbox', 'app',
        '--listen', `127.0.0.1:${options.port}`,
        '--database', options.database,
        '--pool', String(options.poolSize),
        '--timeout-ms', String(options.timeoutMs),
        '--retries', String(options.retries),
      ]);
      return { child, ready: readyWhen('the demo app', child, () => httpHealthy(`http://127.0.0.1:${options.port}/health`)) };
    },
    stop: (child, timeoutMs) => endWith(child, 'SIGTERM', timeoutMs),
  };
}
