import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnNodeChild } from '../../src/drills/children.js';
import { Ledger } from '../../src/drills/ledger.js';
import { CanaryProgram } from '../../src/supervise/canary.js';
import { Supervisor, type SupervisedProgram, type SupervisorEvent } from '../../src/supervise/supervisor.js';
import { isAlive } from '../helpers/procs.js';

const dirs: string[] = [];
const supervisors: Supervisor[] = [];

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((supervisor) => supervisor.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempLedger(): Ledger {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-supervise-'));
  dirs.push(dir);
  return new Ledger(path.join(dir, 'ledger.json'));
}

function ledgerPids(ledger: Ledger): number[] {
  try {
    const parsed = JSON.parse(readFileSync(ledger.file, 'utf8')) as { entries: { kind: string; pid?: number }[] };
    return parsed.entries.filter((entry) => entry.kind === 'process').map((entry) => entry.pid!);
  } catch {
    return [];
  }
}

function supervise(program: SupervisedProgram, options: ConstructorParameters<typeof Supervisor>[1]): { supervisor: Supervisor; events: SupervisorEvent[] } {
  const supervisor = new Supervisor(program, options);
  supervisors.push(supervisor);
  const events: SupervisorEvent[] = [];
  supervisor.on((event) => events.push(event));
  return { supervisor, events };
}

/** A program that exits with `code` after `afterMs`, ready at once. */
function exiting(code: number, afterMs: number): SupervisedProgram {
  return {
    name: `exits ${code}`,
    async spawn() {
      const child = await spawnNodeChild(`setTimeout(() => process.exit(${code}), ${afterMs});`);
      return { child, ready: Promise.resolve() };
    },
  };
}

describe('the process supervisor', () => {
  it('restarts the canary after kill -9 on the same port (Restart=always), and a stop is final', async () => {
    const ledger = tempLedger();
    const canary = new CanaryProgram();
    const { supervisor, events } = supervise(canary, { restart: 'always', restartDelayMs: 50, ledger });
    await supervisor.start();
    const firstPid = supervisor.pid()!;
    const port = canary.boundPort();
    expect(await canary.healthy()).toBe(true);
    expect(ledgerPids(ledger)).toEqual([firstPid]);

    expect(supervisor.kill('SIGKILL')).toBe(firstPid);
    await supervisor.waitFor((state) => state === 'restarting', 5000);
    await supervisor.waitFor((state) => state === 'running', 5000);
    const secondPid = supervisor.pid()!;
    expect(secondPid).not.toBe(firstPid);
    expect(canary.boundPort()).toBe(port);
    expect(await canary.healthy()).toBe(true);
    expect(supervisor.restarts()).toBe(1);
    expect(isAlive(firstPid)).toBe(false);
    const types = events.map((event) => event.type);
    expect(types).toEqual(['starting', 'started', 'ready', 'exited', 'restart-scheduled', 'starting', 'started', 'ready']);
    expect(events.find((event) => event.type === 'exited')).toMatchObject({ signal: 'SIGKILL', unexpected: true });

    await supervisor.stop();
    expect(supervisor.state()).toBe('inactive');
    expect(isAlive(secondPid)).toBe(false);
    expect(await canary.healthy()).toBe(false);
    expect(events.at(-1)?.type).toBe('stopped');
    expect(events.filter((event) => event.type === 'exited').at(-1)).toMatchObject({ unexpected: false });
    expect(ledgerPids(ledger)).toEqual([]);
  });

  it('on-failure leaves a clean exit alone and restarts a failing one until the start limit', async () => {
    const clean = supervise(exiting(0, 50), { restart: 'on-failure', restartDelayMs: 10 });
    await clean.supervisor.start();
    await clean.supervisor.waitFor((state) => state === 'inactive', 5000);
    expect(clean.supervisor.restarts()).toBe(0);

    const failing = supervise(exiting(3, 20), { restart: 'on-failure', restartDelayMs: 10, startLimit: { burst: 3, intervalMs: 10_000 } });
    await failing.supervisor.start();
    await failing.supervisor.waitFor((state) => state === 'failed', 10_000);
    expect(failing.events.filter((event) => event.type === 'started')).toHaveLength(3);
    expect(failing.events.find((event) => event.type === 'start-limit-hit')).toMatchObject({ starts: 3 });
    expect(failing.events.at(-1)).toMatchObject({ type: 'failed' });
    expect(failing.events.find((event) => event.type === 'exited')).toMatchObject({ code: 3, unexpected: true });
  });

  it('Restart=no after a crash ends failed, and start() rejects when the program cannot become ready', async () => {
    const { supervisor } = supervise(exiting(1, 10_000), { restart: 'no' });
    await supervisor.start();
    supervisor.kill('SIGKILL');
    await supervisor.waitFor((state) => state === 'failed', 5000);

    const neverReady: SupervisedProgram = {
      name: 'never ready',
      async spawn() {
        const child = await spawnNodeChild('setInterval(() => {}, 1000);');
        return { child, ready: new Promise<void>(() => undefined) };
      },
    };
    const slow = supervise(neverReady, { restart: 'no', readyTimeoutMs: 200 });
    await expect(slow.supervisor.start()).rejects.toThrow(/not ready within 200 ms/);
    const started = slow.events.find((event) => event.type === 'started');
    expect(started && started.type === 'started' && isAlive(started.pid)).toBe(false);
  });

  it('kills and restarts an instance that fails its health check, and stop() cancels a pending restart', async () => {
    let answering = true;
    const canary = new CanaryProgram();
    const { supervisor, events } = supervise(canary, {
      restart: 'always',
      restartDelayMs: 300,
      health: { check: async () => answering && canary.healthy(), intervalMs: 30, failuresBeforeRestart: 2 },
    });
    await supervisor.start();
    const firstPid = supervisor.pid()!;
    answering = false;
    await supervisor.waitFor((state) => state === 'restarting', 5000);
    expect(events.find((event) => event.type === 'unhealthy')).toMatchObject({ pid: firstPid, failures: 2 });
    expect(isAlive(firstPid)).toBe(false);
    await supervisor.stop();
    expect(supervisor.state()).toBe('inactive');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(supervisor.pid()).toBeNull();
    expect(events.filter((event) => event.type === 'started')).toHaveLength(1);
  });
});
