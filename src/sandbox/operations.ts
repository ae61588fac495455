import { httpHealthy } from '../drills/services.js';
import type { Sandbox, SandboxPart } from './sandbox.js';

/**
 * What the sandbox's faults do to it: the postmaster killed outright, and every part restarted in
 * turn. Each waits for the outcome a user would check by hand.
 */

export interface CrashResult {
  pid: number;
  /** From the SIGKILL until PostgreSQL answered a query again (restart and crash recovery). */
  readyMs: number;
}

/** kill -9 of the postmaster; resolves once the supervisor has it answering queries again. */
export async function crashPostgres(sandbox: Sandbox, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<CrashResult> {
  const killedAt = performance.now();
  const pid = sandbox.unit('postgres').kill('SIGKILL');
  if (pid === null) throw new Error('PostgreSQL is not running: nothing to crash');
  // The old postmaster must be gone before "ready" can mean the restarted one.
  await waitUntil(() => sandbox.unit('postgres').pid() !== pid, 5000, 'the postmaster to die', options.signal);
  await sandbox.cluster.waitReady(options.timeoutMs ?? 30_000, options.signal);
  return { pid, readyMs: performance.now() - killedAt };
}

/** Is the part serving: PostgreSQL answers a query, the proxy's control answers, the app answers /query. */
export async function partHealthy(sandbox: Sandbox, part: SandboxPart): Promise<boolean> {
  const endpoints = sandbox.endpoints();
  switch (part) {
    case 'postgres':
      return sandbox.cluster.waitReady(1000).then(() => true, () => false);
    case 'proxy':
      return httpHealthy(`${endpoints.proxy_control}/proxy`);
    case 'app':
      return httpHealthy(`${endpoints.url}/query`, 3000);
    default: {
      const never: never = part;
      return Boolean(never);
    }
  }
}

export interface PartRestart {
  part: SandboxPart;
  /** From the stop until the part was confirmed healthy. */
  ms: number;
  healthy: boolean;
}

/** The runbook's full stack restart: each part stopped, started, and confirmed healthy, one by one. */
export async function restartStack(sandbox: Sandbox, parts: readonly SandboxPart[], signal?: AbortSignal, onPart?: (result: PartRestart) => void): Promise<PartRestart[]> {
  const results: PartRestart[] = [];
  for (const part of parts) {
    signal?.throwIfAborted();
    const started = performance.now();
    const unit = sandbox.unit(part);
    await unit.stop();
    await unit.start();
    let healthy = false;
    try {
      await waitUntil(() => partHealthy(sandbox, part), 10_000, `${part} to be healthy`, signal);
      healthy = true;
    } catch (error) {
      if (signal?.aborted) throw error;
    }
    const result = { part, ms: performance.now() - started, healthy };
    results.push(result);
    onPart?.(result);
  }
  return results;
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
