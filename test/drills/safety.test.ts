import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnChild } from '../../src/drills/children.js';
import { emergencyCleanupSync, liveChildPids, trackFile } from '../../src/drills/emergency.js';
import { cleanupLeftovers, readLedger, type LedgerEntry } from '../../src/drills/ledger.js';
import { acquireDrillLock, DrillLockError } from '../../src/drills/lock.js';
import { isSameProcessAlive, readProcessStat } from '../../src/drills/proc.js';
import { runCli, waitFor } from '../helpers/cli.js';
import { firedrillFiles, scratch } from './helpers.js';

let dirs: Awaited<ReturnType<typeof scratch>>;
const started: number[] = [];
beforeEach(async () => {
  dirs = await scratch();
});
afterEach(async () => {
  // Anything a failed test left running is ours, by pid.
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  await dirs.dispose();
});

/** A process outside firedrill's own bookkeeping (as a leftover of a killed run would be). */
async function looseSleep(): Promise<{ pid: number; startTime: number; exited: Promise<void> }> {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  const pid = child.pid as number;
  started.push(pid);
  const startTime = readProcessStat(pid)?.startTime as number;
  return { pid, startTime, exited: new Promise((resolve) => child.once('exit', () => resolve())) };
}

/** The pid and start time of a process that has ended. */
async function deadProcess(): Promise<{ pid: number; startTime: number }> {
  const child = spawn('sleep', ['0.05'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  const startTime = readProcessStat(child.pid as number)?.startTime as number;
  await new Promise((resolve) => child.once('exit', resolve));
  return { pid: child.pid as number, startTime };
}

async function writeLedger(file: string, entries: LedgerEntry[]): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ version: 1, entries }));
}

/** Starts the killed-run fixture: a firedrill holding drills until it is killed. */
function startKilledRun(drills: string, env: NodeJS.ProcessEnv = {}, ending = 'wait') {
  const fixture = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', 'killed-run.ts'), dirs.paths.dataDir, dirs.fillDir, drills, ending],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  started.push(fixture.pid as number);
  const state = { output: '' };
  fixture.stdout.setEncoding('utf8').on('data', (chunk: string) => (state.output += chunk));
  fixture.stderr.setEncoding('utf8').on('data', (chunk: string) => (state.output += chunk));
  const exited = new Promise((resolve) => fixture.once('exit', resolve));
  return { fixture, state, exited };
}

describe('after firedrill is killed -9 mid-drill', () => {
  it('its children die with it and cleanupLeftovers removes the file it left', async () => {
    const { fixture, state, exited } = startKilledRun('disk_fill,process_spawn');
    const output = () => state.output;
    await waitFor(() => /disk_fill: holding/.test(output()) && /process_spawn: started 3 processes, 3 seen/.test(output()), 30_000, 'the fixture to hold its drills');

    const entries = await readLedger(dirs.paths);
    const processes = entries.flatMap((entry) => (entry.kind === 'process' ? [entry] : []));
    const files = entries.flatMap((entry) => (entry.kind === 'file' ? [entry.path] : []));
    expect(processes).toHaveLength(3);
    expect(files).toHaveLength(1);
    expect(existsSync(files[0] as string)).toBe(true);
    for (const entry of processes) expect(entry.owner.pid).toBe(fixture.pid);

    process.kill(fixture.pid as number, 'SIGKILL');
    await exited;
    await waitFor(() => processes.every((entry) => !isSameProcessAlive(entry.pid, entry.startTime)), 2000, 'the killed run\'s children to die');

    const removed = await cleanupLeftovers(dirs.paths);
    expect(removed.filesRemoved).toEqual(files);
    expect(removed.processesEnded).toEqual([]);
    expect(await firedrillFiles(dirs.fillDir)).toEqual([]);
    expect(await readLedger(dirs.paths)).toEqual([]);
  });

  it('node children die with it through their own watchdog where setpriv is missing', async () => {
    const { fixture, state, exited } = startKilledRun('cpu_spike', { FIREDRILL_NO_SETPRIV: '1' });
    await waitFor(() => /cpu_spike: started 2 busy workers/.test(state.output), 30_000, 'the fixture to start its workers');
    const workers = (await readLedger(dirs.paths)).flatMap((entry) => (entry.kind === 'process' ? [entry] : []));
    expect(workers).toHaveLength(2);
    for (const worker of workers) {
      // Not under setpriv: the worker is node itself, a direct child of the fixture.
      expect(readProcessStat(worker.pid)?.ppid).toBe(fixture.pid);
      expect((await readFile(`/proc/${worker.pid}/cmdline`, 'utf8')).split('\0')[0]).toBe(process.execPath);
    }
    process.kill(fixture.pid as number, 'SIGKILL');
    await exited;
    await waitFor(() => workers.every((entry) => !isSameProcessAlive(entry.pid, entry.startTime)), 2000, 'the workers to notice and exit');
    expect(await cleanupLeftovers(dirs.paths)).toEqual({ filesRemoved: [], directoriesRemoved: [], processesEnded: [], undone: [] });
  });
});

describe('a firedrill that exits mid-drill', () => {
  it('ends its children and removes its file from its exit handler, even without setpriv', async () => {
    const { state, exited } = startKilledRun('disk_fill,process_spawn', { FIREDRILL_NO_SETPRIV: '1' }, 'exit');
    expect(await exited).toBe(3);
    const spawned = [...state.output.matchAll(/process_spawn: started (\d+) processes/g)].map((match) => Number(match[1]));
    expect(spawned).toEqual([3]);
    const children = JSON.parse(/^children: (.*)$/m.exec(state.output)?.[1] ?? '[]') as { pid: number; startTime: number }[];
    expect(children).toHaveLength(3);
    await waitFor(() => children.every((child) => !isSameProcessAlive(child.pid, child.startTime)), 2000, 'the children to be gone');
    expect(state.output).toMatch(/disk_fill: holding 8\.0 MiB in .*firedrill-disk-fill-/);
    expect(await firedrillFiles(dirs.fillDir)).toEqual([]);
    expect(await readLedger(dirs.paths)).toEqual([]);
  });
});

describe('cleanupLeftovers', () => {
  it('ends a leftover process only when its pid and start time both match', async () => {
    const owner = await deadProcess();
    const leftover = await looseSleep();
    const recycled = await looseSleep();
    await writeLedger(dirs.paths.ledgerFile, [
      { kind: 'process', pid: leftover.pid, startTime: leftover.startTime, command: 'process_spawn sleep', owner, createdAt: new Date().toISOString() },
      // Same pid, other start time: what a recycled pid looks like. It must not be signalled.
      { kind: 'process', pid: recycled.pid, startTime: recycled.startTime - 1, command: 'process_spawn sleep', owner, createdAt: new Date().toISOString() },
    ]);
    const removed = await cleanupLeftovers(dirs.paths);
    expect(removed).toEqual({ filesRemoved: [], directoriesRemoved: [], processesEnded: [leftover.pid], undone: [] });
    await leftover.exited;
    expect(isSameProcessAlive(recycled.pid, recycled.startTime)).toBe(true);
    expect(await readLedger(dirs.paths)).toEqual([]);
  });

  it('removes only files named as firedrill names them, and leaves a live run\'s entries alone', async () => {
    const owner = await deadProcess();
    const self = { pid: process.pid, startTime: readProcessStat(process.pid)?.startTime ?? null };
    const ours = path.join(dirs.fillDir, 'firedrill-disk-fill-1-0123456789ab.tmp');
    const notOurs = path.join(dirs.fillDir, 'important.db');
    const live = path.join(dirs.fillDir, 'firedrill-disk-fill-2-0123456789ab.tmp');
    for (const file of [ours, notOurs, live]) await writeFile(file, 'x');
    const createdAt = new Date().toISOString();
    await writeLedger(dirs.paths.ledgerFile, [
      { kind: 'file', path: ours, owner, createdAt },
      { kind: 'file', path: notOurs, owner, createdAt },
      { kind: 'file', path: live, owner: self, createdAt },
    ]);
    expect(await cleanupLeftovers(dirs.paths)).toEqual({ filesRemoved: [ours], directoriesRemoved: [], processesEnded: [], undone: [] });
    expect(existsSync(ours)).toBe(false);
    expect(existsSync(notOurs)).toBe(true);
    expect(existsSync(live)).toBe(true);
    expect((await readLedger(dirs.paths)).map((entry) => (entry.kind === 'process' ? entry.pid : entry.kind === 'undo' ? entry.id : entry.path))).toEqual([live]);
  });

  it('is what `firedrill cleanup` prints', async () => {
    const empty = await runCli(['cleanup', '--data-dir', dirs.paths.dataDir]);
    expect(empty).toMatchObject({ code: 0, stdout: 'nothing to clean up\n' });
    const leftover = path.join(dirs.fillDir, 'firedrill-disk-fill-1-0123456789ab.tmp');
    await writeFile(leftover, 'x');
    await writeLedger(dirs.paths.ledgerFile, [{ kind: 'file', path: leftover, owner: await deadProcess(), createdAt: new Date().toISOString() }]);
    const cleaned = await runCli(['cleanup', '--data-dir', dirs.paths.dataDir]);
    expect(cleaned).toMatchObject({ code: 0, stdout: `removed file ${leftover}\n` });
    expect(existsSync(leftover)).toBe(false);
    await writeFile(dirs.paths.ledgerFile, '{ not json');
    const damaged = await runCli(['cleanup', '--data-dir', dirs.paths.dataDir]);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toBe(`firedrill cleanup: the cleanup ledger ${dirs.paths.ledgerFile} is not valid JSON: check it by hand, then remove it\n`);
  });
});

describe('the drill lock', () => {
  it('lets one run hold it and tells a second who holds it', async () => {
    const lock = await acquireDrillLock(dirs.paths);
    await expect(acquireDrillLock(dirs.paths)).rejects.toThrow(new DrillLockError(process.pid).message);
    expect(new DrillLockError(process.pid).message).toBe(`another firedrill run (pid ${process.pid}) is running drills on this machine`);
    lock.release();
    expect(existsSync(dirs.paths.lockFile)).toBe(false);
    (await acquireDrillLock(dirs.paths)).release();
  });

  it('refuses while another live process holds it', async () => {
    const holder = await looseSleep();
    await mkdir(dirs.paths.dataDir, { recursive: true });
    await writeFile(dirs.paths.lockFile, JSON.stringify({ pid: holder.pid, startTime: holder.startTime, acquiredAt: new Date().toISOString() }));
    await expect(acquireDrillLock(dirs.paths)).rejects.toThrow(`another firedrill run (pid ${holder.pid}) is running drills on this machine`);
  });

  it('takes over the lock of a holder that died', async () => {
    const dead = await deadProcess();
    await mkdir(dirs.paths.dataDir, { recursive: true });
    await writeFile(dirs.paths.lockFile, JSON.stringify({ pid: dead.pid, startTime: dead.startTime, acquiredAt: new Date().toISOString() }));
    const lock = await acquireDrillLock(dirs.paths);
    expect(JSON.parse(await readFile(dirs.paths.lockFile, 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });
});

describe('emergencyCleanupSync', () => {
  it('kills every live child by pid and removes every file this process created', async () => {
    const child = await spawnChild('sleep', ['30']);
    const file = path.join(dirs.fillDir, 'firedrill-disk-fill-1-aaaaaaaaaaaa.tmp');
    trackFile(file);
    await writeFile(file, 'x');
    expect(liveChildPids()).toContain(child.pid);
    emergencyCleanupSync();
    expect((await child.exited).signal).toBe('SIGKILL');
    expect(existsSync(file)).toBe(false);
    expect(liveChildPids()).toEqual([]);
  });
});
