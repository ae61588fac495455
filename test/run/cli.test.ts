import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDrillLock } from '../../src/drills/lock.js';
import { resolvePaths } from '../../src/paths.js';
import { collect, runCli, startCli, waitFor } from '../helpers/cli.js';
import { findAll, parseXml } from './xml.js';

let dir: string;
let dataDir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'firedrill-cli-run-'));
  dataDir = path.join(dir, 'data');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A config in the temp dir: small process_spawn, disk_fill writing a few MB into the temp dir. */
async function writeConfig(extra = ''): Promise<string> {
  const file = path.join(dir, 'config.yaml');
  await writeFile(
    file,
    `drills:\n  process_spawn:\n    count: 3\n  disk_fill:\n    size_mb: 4\n    directory: ${dir}\nmonitor:\n  settle_timeout_seconds: 10\n${extra}`,
  );
  return file;
}

/** Every process below `pid` now, read from /proc: pid -> start time. */
function descendants(pid: number): Map<number, string> {
  const children = new Map<number, Array<{ pid: number; start: string }>>();
  for (const name of readdirSyncSafe('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push({ pid: Number(name), start: stat.start });
    children.set(stat.ppid, list);
  }
  const found = new Map<number, string>();
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.set(child.pid, child.start);
      queue.push(child.pid);
    }
  }
  return found;
}

function readdirSyncSafe(where: string): string[] {
  try {
    return readdirSync(where);
  } catch {
    return [];
  }
}

function readStat(pid: number): { ppid: number; start: string; state: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]), start: fields[19]! };
  } catch {
    return null;
  }
}

/** Still running: the same process (same start time), not a zombie. */
function stillRunning(pid: number, start: string): boolean {
  const stat = readStat(pid);
  return stat !== null && stat.start === start && stat.state !== 'Z';
}

describe('firedrill run (built CLI, no terminal)', () => {
  it('--json prints one JSON report and --junit writes a testcase per drill', async () => {
    const config = await writeConfig();
    const junit = path.join(dir, 'report.xml');
    const result = await runCli(['run', '--only', 'process_spawn,cpu_spike', '--duration', '2', '--json', '--junit', junit, '--config', config, '--data-dir', dataDir]);

    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as {
      machine: string;
      runId: string;
      startedAt: string;
      finishedAt: string;
      results: Array<{ test: string; success: boolean; eventsTriggered: number; startedAt: string; completedAt: string; measured: Record<string, unknown>; error?: string }>;
      summary: { total: number; passed: number; failed: number; eventsTriggered: number };
    };
    expect(report.machine).toBe(os.hostname());
    expect(report.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(report.startedAt))).toBe(false);
    expect(Date.parse(report.finishedAt)).toBeGreaterThanOrEqual(Date.parse(report.startedAt));
    expect(report.results.map((drill) => drill.test)).toEqual(['process_spawn', 'cpu_spike']);
    for (const drill of report.results) {
      expect(typeof drill.success).toBe('boolean');
      expect(typeof drill.eventsTriggered).toBe('number');
      expect(typeof drill.measured).toBe('object');
      expect(drill.success || typeof drill.error === 'string').toBe(true);
    }
    const failed = report.results.filter((drill) => !drill.success).length;
    expect(report.summary).toEqual({
      total: 2,
      passed: 2 - failed,
      failed,
      eventsTriggered: report.results.reduce((sum, drill) => sum + drill.eventsTriggered, 0),
    });
    expect(result.code).toBe(failed > 0 ? 1 : 0);

    const suite = parseXml(await readFile(junit, 'utf8'));
    const cases = findAll(suite, 'testcase');
    expect(cases.map((testcase) => testcase.attributes.name)).toEqual(['process_spawn', 'cpu_spike']);
    expect(findAll(suite, 'failure')).toHaveLength(failed);
    expect(findAll(cases[0]!, 'system-out')[0]!.text).toContain('requested 3');
  });

  it('refuses an unknown drill name, naming it', async () => {
    const result = await runCli(['run', '--only', 'cpu_spike,nope', '--data-dir', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"nope"');
    expect(result.stdout).toBe('');
  });

  it('refuses a duration that is not a number', async () => {
    const result = await runCli(['run', '--duration', 'abc', '--data-dir', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--duration');
    expect(result.stderr).toContain('abc');
  });

  it('will not run disk_fill without --yes, and runs nothing', async () => {
    const config = await writeConfig();
    const result = await runCli(['run', '--only', 'process_spawn,disk_fill', '--config', config, '--data-dir', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('disk_fill');
    expect(result.stderr).toContain('--yes');
    expect(result.stdout).toBe('');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('exits 2 naming the unknown key of a bad config file', async () => {
    const config = path.join(dir, 'bad.yaml');
    await writeFile(config, 'monitor:\n  cpu_percnt: 70\n');
    const result = await runCli(['run', '--config', config, '--data-dir', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('monitor.cpu_percnt');
    expect(result.stderr).toContain('bad.yaml');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('will not run while another run holds the drill lock', async () => {
    const lock = await acquireDrillLock(resolvePaths({ dataDir }, {}));
    try {
      const result = await runCli(['run', '--only', 'process_spawn', '--data-dir', dataDir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`another firedrill run (pid ${process.pid})`);
      expect(result.stdout).toBe('');
    } finally {
      lock.release();
    }
  });

  it('refuses a JUnit file in a directory that does not exist, before running anything', async () => {
    const result = await runCli(['run', '--only', 'process_spawn', '--junit', path.join(dir, 'missing', 'r.xml'), '--data-dir', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--junit');
    expect(result.stderr).toContain(path.join(dir, 'missing'));
    expect(existsSync(dataDir)).toBe(false);
  });

  it('says so in one sentence when the cleanup ledger is damaged, and runs nothing', async () => {
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, 'ledger.json'), '{ not json');
    const result = await runCli(['run', '--only', 'process_spawn', '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ledger.json');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
    expect(existsSync(path.join(dataDir, 'drill.lock'))).toBe(false);
  });

  it('is reached as `firedrill --run` too', async () => {
    const result = await runCli(['--run', '--only', 'nope', '--data-dir', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"nope"');
  });

  it('on SIGTERM during a drill: stops, ends its children, prints a partial report, exits 130', async () => {
    const config = await writeConfig();
    const child = startCli(['run', '--only', 'process_spawn', '--duration', '60', '--config', config, '--data-dir', dataDir], {
      env: { NO_COLOR: undefined },
    });
    let stdout = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const done = collect(child, 30_000);
    await waitFor(() => stdout.includes('started 3 processes'), 20_000, 'process_spawn to start its processes');
    const running = descendants(child.pid!);
    expect(running.size).toBeGreaterThanOrEqual(3);
    child.kill('SIGTERM');
    const result = await done;

    // 130 is the clean path; the CLI's own fallback after its grace period would exit 143.
    expect(result.code).toBe(130);
    expect(result.stdout).toContain('Interrupted (SIGTERM) during Process spawn');
    expect(result.stdout).toContain('Total Tests: 0');
    expect(result.stdout).not.toContain('\u001b[');
    for (const [pid, start] of running) expect(stillRunning(pid, start), `pid ${pid} still running`).toBe(false);
    const ledger = JSON.parse(await readFile(path.join(dataDir, 'ledger.json'), 'utf8')) as { entries: unknown[] };
    expect(ledger.entries).toEqual([]);
    expect(existsSync(path.join(dataDir, 'drill.lock'))).toBe(false);
  });

  it('when its stdout is closed mid-drill (| head): stops quietly with 141, ends its children and still keeps the run', async () => {
    const config = await writeConfig();
    const child = startCli(['run', '--only', 'process_spawn', '--duration', '60', '--config', config, '--data-dir', dataDir]);
    let stdout = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const done = collect(child, 30_000);
    await waitFor(() => stdout.includes('started 3 processes'), 20_000, 'process_spawn to start its processes');
    const runId = /Run ID: (\S+)/.exec(stdout)![1]!;
    const running = descendants(child.pid!);
    expect(running.size).toBeGreaterThanOrEqual(3);
    // What `head` does once it has its lines: the reader goes away, the next write meets EPIPE.
    child.stdout!.destroy();
    const result = await done;

    expect(result.stderr).toBe('');
    expect(result.code).toBe(141);
    for (const [pid, start] of running) expect(stillRunning(pid, start), `pid ${pid} still running`).toBe(false);
    const ledger = JSON.parse(await readFile(path.join(dataDir, 'ledger.json'), 'utf8')) as { entries: unknown[] };
    expect(ledger.entries).toEqual([]);
    expect(existsSync(path.join(dataDir, 'drill.lock'))).toBe(false);
    const history = await runCli(['history', '--json', '--data-dir', dataDir]);
    expect((JSON.parse(history.stdout) as { runs: Array<{ id: string }> }).runs.map((run) => run.id)).toContain(runId);
  });

  it('on SIGTERM during disk_fill: removes its file and reports the drill that finished before', async () => {
    const config = path.join(dir, 'config.yaml');
    await writeFile(
      config,
      `drills:\n  process_spawn:\n    count: 3\n    duration: 1\n  disk_fill:\n    size_mb: 4\n    duration: 60\n    directory: ${dir}\nmonitor:\n  settle_timeout_seconds: 10\n`,
    );
    const child = startCli(['run', '--only', 'process_spawn,disk_fill', '--yes', '--json', '--config', config, '--data-dir', dataDir]);
    const done = collect(child, 60_000);
    const fill = await waitFor(async () => (await readdir(dir)).find((name) => name.startsWith('firedrill-')), 30_000, 'the disk_fill file');
    expect(fill).toMatch(/^firedrill-.*\.tmp$/);
    child.kill('SIGTERM');
    const result = await done;

    expect(result.code).toBe(130);
    expect((await readdir(dir)).filter((name) => name.startsWith('firedrill-'))).toEqual([]);
    const report = JSON.parse(result.stdout) as { results: Array<{ test: string }>; summary: { total: number } };
    expect(report.results.map((drill) => drill.test)).toEqual(['process_spawn']);
    expect(report.summary.total).toBe(1);
  });
});
