import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { httpHealthy } from '../../src/drills/services.js';
import { cleanupLeftovers, openLedger, readLedger } from '../../src/drills/ledger.js';
import { isSameProcessAlive, readProcessStat, readResidentBytes } from '../../src/drills/proc.js';
import { createLiveFault, type FaultTarget, type LiveFault } from '../../src/live/faults.js';
import { liveFaultSpecSchema } from '../../src/live/spec.js';
import { waitFor } from '../helpers/cli.js';
import { isAlive } from '../helpers/procs.js';
import { firedrillFiles, scratch } from '../drills/helpers.js';

let dirs: Awaited<ReturnType<typeof scratch>>;
const faults: LiveFault[] = [];
const started: number[] = [];
beforeEach(async () => {
  dirs = await scratch();
});
afterEach(async () => {
  await Promise.all(faults.splice(0).map((fault) => fault.dispose()));
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  await dirs.dispose();
});

function fault(spec: Record<string, unknown>): LiveFault {
  const created = createLiveFault(liveFaultSpecSchema.parse(spec), { ledger: openLedger(dirs.paths), drills: defaultConfig().drills });
  faults.push(created);
  return created;
}

function processTarget(target: FaultTarget | null): Extract<FaultTarget, { kind: 'process' }> {
  if (target?.kind !== 'process') throw new Error(`expected a process target, got ${JSON.stringify(target)}`);
  return target;
}

const comm = (pid: number) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();

describe('live faults on this machine', () => {
  it('a runaway process runs under its own name, holds on pause, and is in the ledger until it ends', async () => {
    const runaway = fault({ fault: 'runaway_cpu', process_name: 'report-builder' });
    expect(await runaway.preflight()).toBeNull();
    await runaway.start();
    const { pid } = processTarget(runaway.target());
    expect(comm(pid)).toBe('report-builder');
    expect(await runaway.isPresent()).toBe(true);
    expect(await readLedger(dirs.paths)).toMatchObject([{ kind: 'process', pid, command: 'live report-builder' }]);
    runaway.pause();
    await waitFor(() => readProcessStat(pid)?.state === 'T', 5000, 'the process to be stopped');
    runaway.resume();
    await waitFor(() => readProcessStat(pid)?.state !== 'T', 5000, 'the process to run again');
    await runaway.end();
    expect(isAlive(pid)).toBe(false);
    expect(await runaway.isPresent()).toBe(false);
    expect(await readLedger(dirs.paths)).toEqual([]);
  });

  it('a leaking process grows at its rate up to its limit', async () => {
    const leak = fault({ fault: 'memory_leak', process_name: 'session-cache', rate_mb_per_second: 64, limit_mb: 48 });
    await leak.start();
    const { pid } = processTarget(leak.target());
    expect(comm(pid)).toBe('session-cache');
    const MiB = 1024 * 1024;
    const startRss = readResidentBytes(pid) ?? 0;
    await waitFor(() => (readResidentBytes(pid) ?? 0) >= startRss + 40 * MiB, 10_000, 'the leak to reach its limit');
    expect(leak.describe()).toMatch(/session-cache \(pid \d+\) holds (4[0-9]|48)(\.\d)? MiB/);
    await leak.end();
    expect(isAlive(pid)).toBe(false);
  });

  it('a filling file grows, and deleting it by hand ends the fault and gives the space back', async () => {
    const filling = fault({ fault: 'disk_filling', rate_mb_per_second: 64, size_mb: 32, directory: dirs.fillDir });
    expect(await filling.preflight()).toBeNull();
    await filling.start();
    const target = filling.target();
    if (target?.kind !== 'file') throw new Error('expected a file');
    expect(path.basename(target.path)).toMatch(/^firedrill-live-disk-\d+-[0-9a-f]{12}\.tmp$/);
    expect((await readLedger(dirs.paths)).map((entry) => entry.kind === 'file' && entry.path)).toEqual([target.path]);
    await waitFor(() => (filling.target() as { bytes: number }).bytes >= 16 * 1024 * 1024, 10_000, 'the file to grow');
    await rm(target.path);
    await waitFor(async () => !(await filling.isPresent()), 5000, 'the fault to notice');
    // firedrill no longer holds the deleted file open (it would keep its blocks).
    await waitFor(() => !readdirSync('/proc/self/fd').some((fd) => safeReadlink(`/proc/self/fd/${fd}`).startsWith(target.path)), 5000, 'the file to be closed');
    await filling.end();
    expect(await readLedger(dirs.paths)).toEqual([]);
  });

  it('refuses a file that would leave the disk under 10 % free, naming the key', async () => {
    const huge = fault({ fault: 'disk_filling', size_mb: 16384, directory: dirs.fillDir });
    const refusal = await huge.preflight();
    // Only where 16 GiB would break the guard: on a big disk it is simply allowed.
    if (refusal !== null) expect(refusal).toMatch(/lower the fault's size_mb/);
  });

  it('a service goes down, and ending the fault brings it back', async () => {
    const down = fault({ fault: 'service_down', process_name: 'checkout-api' });
    await down.prepare();
    const probe = down.probe()!;
    expect(await httpHealthy(probe.url)).toBe(true);
    const [entry] = await readLedger(dirs.paths);
    expect(entry).toMatchObject({ kind: 'process', command: 'canary checkout-api' });
    expect(comm((entry as { pid: number }).pid)).toBe('checkout-api');
    await down.start();
    expect(await down.isPresent()).toBe(true);
    expect(await httpHealthy(probe.url)).toBe(false);
    await down.end();
    expect(await down.isPresent()).toBe(false);
    expect(await httpHealthy(probe.url)).toBe(true);
    await down.dispose();
    expect(await readLedger(dirs.paths)).toEqual([]);
  });

  it('a kill -9 of firedrill leaves no fault behind: the kernel ends the processes, cleanup removes the file', async () => {
    const fixture = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', 'killed-live.ts'), dirs.paths.dataDir, dirs.fillDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(fixture.pid as number);
    let output = '';
    fixture.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    fixture.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise((resolve) => fixture.once('exit', resolve));
    await waitFor(() => output.includes('holding'), 30_000, 'the fixture to start its faults');
    const entries = await readLedger(dirs.paths);
    const processes = entries.filter((entry) => entry.kind === 'process');
    expect(processes.map((entry) => entry.command).sort()).toEqual(['canary checkout-api', 'live report-builder', 'live session-cache']);
    expect(await firedrillFiles(dirs.fillDir)).toHaveLength(1);
    process.kill(fixture.pid as number, 'SIGKILL');
    await exited;
    for (const entry of processes) {
      await waitFor(() => !isSameProcessAlive(entry.pid, entry.startTime), 5000, `${entry.command} to die with firedrill`);
    }
    const cleaned = await cleanupLeftovers(dirs.paths);
    expect(cleaned.filesRemoved).toHaveLength(1);
    expect(await firedrillFiles(dirs.fillDir)).toEqual([]);
    expect(existsSync(cleaned.filesRemoved[0]!)).toBe(false);
    expect(await readLedger(dirs.paths)).toEqual([]);
  });
});

function safeReadlink(link: string): string {
  try {
    return readlinkSync(link);
  } catch {
    return '';
  }
}
