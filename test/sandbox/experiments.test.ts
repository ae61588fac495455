import { readdirSync } from 'node:fs';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExperimentEvent } from '../../src/experiments/types.js';
import { findPostgresBin } from '../../src/sandbox/postgres.js';
import { descendantsOf, isAlive } from '../helpers/procs.js';
import { ledgerIsEmpty, run, servicePids, shipped, tempData, type TempData } from '../experiments/helpers.js';

function liveDescendants(): number[] {
  return descendantsOf(process.pid).filter(isAlive);
}

/**
 * Every shipped experiment of issue 12 on a real sandbox (Debian's PostgreSQL, the fault proxy,
 * the demo app), at small durations, reaching the verdict it is designed to show.
 */

let data: TempData | undefined;
afterEach(() => data?.remove());

function sandboxDirs(): string[] {
  return readdirSync(os.tmpdir()).filter((name) => name.startsWith('firedrill-pgsandbox-'));
}

function progress(events: readonly ExperimentEvent[]): string {
  return events.flatMap((event) => (event.type === 'progress' ? [event.message] : [])).join('\n');
}

async function runShipped(id: string, faultDurationSeconds?: number) {
  data = tempData();
  const before = sandboxDirs();
  const children = liveDescendants();
  const ran = await run(shipped(id), data, { faultDurationSeconds });
  // Every postmaster the supervisor started, and nothing of the sandbox (postgres, proxy, app) left.
  expect(servicePids(ran.events).length).toBeGreaterThanOrEqual(1);
  expect(liveDescendants()).toEqual(children);
  expect(sandboxDirs()).toEqual(before);
  expect(await ledgerIsEmpty(data)).toBe(true);
  return { ...ran, progress: progress(ran.events) };
}

describe.skipIf(findPostgresBin() === null)("issue 12's shipped experiments (real PostgreSQL on loopback)", () => {
  it('postgres-connection-exhaustion: new connections refused with "too many clients" while held, back after release', async () => {
    const { result, progress } = await runShipped('postgres-connection-exhaustion', 1.5);
    expect(result.steadyStateBefore.held).toBe(true);
    expect(result.verdict).toBe('recovered');
    expect(progress).toMatch(/holding 1[67] connections .*the next was refused: remaining connection slots are reserved/);
    expect(progress).toMatch(/released 1[67] connections; a new connection works again/);
  });

  it('network-partition: the app fails while the partition lasts and recovers when it heals', async () => {
    const { result, progress } = await runShipped('network-partition', 2);
    expect(result.verdict).toBe('recovered');
    expect(result.faults[0]?.availability).toBeLessThan(0.5);
    expect(progress).toMatch(/toxics on .*blackhole upstream; .*blackhole downstream/);
    expect(progress).toMatch(/toxics removed/);
  });

  it('network-latency: 500-2000 ms breaks "within 1 s", recovers when removed', async () => {
    const { result } = await runShipped('network-latency', 2);
    expect(result.verdict).toBe('recovered');
    expect(result.faults[0]?.timeToRecoverMs).toBeLessThan(5000);
  });

  it('network-connection-loss: 20 % resets are absorbed by the app\'s retries (held)', async () => {
    const { result, progress } = await runShipped('network-connection-loss', 3);
    expect(progress).toMatch(/reset 20 % of chunks upstream/);
    expect(result.verdict).toBe('held');
  });

  it('postgres-crash-recovery: kill -9 of the postmaster, restarted by the supervisor, every committed row intact', async () => {
    const { result, progress } = await runShipped('postgres-crash-recovery');
    expect(result.verdict).toBe('recovered');
    expect(result.faults[0]?.timeToDetectMs).toBeLessThan(500);
    expect(progress).toMatch(/committed 1000 checksummed rows/);
    expect(progress).toMatch(/PostgreSQL answered again \d+ ms after kill -9; 1000 of 1000 committed rows intact$/m);
    expect(result.services).toEqual([expect.objectContaining({ id: 'db', restarts: 1 })]);
  });

  it('full-stack-restart: each part restarted and healthy in turn; the app recovers', async () => {
    const { result, progress } = await runShipped('full-stack-restart');
    expect(result.verdict).toBe('recovered');
    expect(progress).toMatch(/postgres restarted and healthy[\s\S]*proxy restarted and healthy[\s\S]*app restarted and healthy/);
  });

  it('sandbox-app-kill: the demo app killed and restarted by its supervisor', async () => {
    const { result, progress } = await runShipped('sandbox-app-kill');
    expect(result.verdict).toBe('recovered');
    expect(progress).toMatch(/sent SIGKILL to the app \(pid \d+\)/);
    expect(result.faults[0]?.timeToRecoverMs).toBeGreaterThanOrEqual(150);
  });
});
