import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLedger } from '../../src/drills/ledger.js';
import { isSameProcessAlive } from '../../src/drills/proc.js';
import { resolvePaths } from '../../src/paths.js';
import { countOpenFds } from '../../src/workloads/proc-stats.js';
import type { ProcessSample, WorkloadProfile } from '../../src/workloads/types.js';
import { Workload, WorkloadError } from '../../src/workloads/workload.js';
import { collectEvents, psNames, scratch, writeProfile } from './helpers.js';

let dirs: Awaited<ReturnType<typeof scratch>>;
let controller: AbortController;
let running: ReturnType<typeof collectEvents> | undefined;
beforeEach(async () => {
  dirs = await scratch();
  controller = new AbortController();
});
afterEach(async () => {
  controller.abort();
  await running?.done;
  running = undefined;
  await dirs.dispose();
});

function start(profile: WorkloadProfile, options: Partial<ConstructorParameters<typeof Workload>[0]> = {}) {
  const workload = new Workload({ profile, ledger: dirs.ledger, sampleIntervalMs: 250, seed: 7, ...options });
  running = collectEvents(workload.run(controller.signal));
  return { workload, events: running };
}

function niceOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** The newest sample's row for each of these pids. */
function rows(events: ReturnType<typeof collectEvents>, predicate: (row: ProcessSample) => boolean): ProcessSample[] {
  const samples = events.seen.filter((event) => event.type === 'sample');
  const last = samples[samples.length - 1];
  return last && last.type === 'sample' ? last.processes.filter(predicate) : [];
}

describe('the workload engine', () => {
  it('runs real processes under their names, with their CPU, memory, files and niceness, and ends them all', async () => {
    const profile = await writeProfile(
      dirs.profilesDir,
      'named',
      `id: named
title: Named
description: Three kinds.
processes: 5
kinds:
  - { id: web, name: "nginx: worker process", priority: high, count: 2, cpu: { pattern: steady, percent: 40 }, open_files: 5 }
  - { id: db, name: "postgres: 15/main: checkpointer", priority: critical, count: 1, memory: { pattern: steady, mb: 24 } }
  - { id: shell, name: "-bash", comm: bash, priority: low, weight: 1 }
`,
    );
    const { workload, events } = start(profile);
    const started = await events.waitFor('started');
    expect(started.processes).toBe(5);
    const processes = workload.processes();
    for (const process of processes) {
      const shown = psNames(process.pid);
      expect(shown, `${process.name} as ps shows it`).toEqual({ comm: process.comm, args: process.name });
    }
    expect(processes.filter((process) => process.comm === 'nginx')).toHaveLength(2);
    const web = processes.find((process) => process.kind === 'web')!;
    // Five more than a process of a kind that opens none (whatever else the test runner hands down).
    const db = processes.find((process) => process.kind === 'db')!;
    expect(countOpenFds(web.pid)! - countOpenFds(db.pid)!).toBe(5);
    expect(niceOf(processes.find((process) => process.kind === 'shell')!.pid)).toBe(10);
    expect(niceOf(web.pid)).toBe(0);

    // Four samples a second: the busy kind shows CPU, the database its resident memory.
    await events.waitFor('sample', (event) => event.processes.some((row) => row.kind === 'web' && row.cpuPercent > 8), 10_000);
    await events.waitFor('sample', (event) => event.processes.some((row) => row.kind === 'db' && row.pssBytes > 20 * 2 ** 20), 10_000);
    expect(rows(events, (row) => row.kind === 'shell').every((row) => row.cpuPercent < 5)).toBe(true);
    // Every process is in the cleanup ledger, and so is the launcher that forked them.
    await expect.poll(async () => (await readLedger(resolvePaths({ dataDir: dirs.dataDir }))).map((entry) => (entry.kind === 'process' ? entry.command : '')).sort()).toEqual(
      [`workload ${workload.id} launcher`, ...processes.map((process) => `workload ${workload.id} ${process.name}`)].sort(),
    );

    controller.abort(new Error('test over'));
    const finished = await events.waitFor('finished');
    expect(finished.reason).toBe('test over');
    expect(finished.summary.leftBehind).toBe(0);
    for (const process of processes) expect(isSameProcessAlive(process.pid, process.startTime)).toBe(false);
    expect(await readLedger(resolvePaths({ dataDir: dirs.dataDir }))).toEqual([]);
  });

  it('churns the lowest priority first, never a critical process, and replaces what it ends', async () => {
    const profile = await writeProfile(
      dirs.profilesDir,
      'churny',
      `id: churny
title: Churny
description: Critical and low.
processes: 5
kinds:
  - { id: cache, name: "redis-server *:6379", priority: critical, count: 2 }
  - { id: api, name: "node api.js", priority: high, count: 1 }
  - { id: job, name: "python3 job_{n}.py", priority: low, count: 2 }
`,
    );
    const { workload, events } = start(profile);
    await events.waitFor('started');
    const before = workload.processes();
    const result = workload.chaos({ action: 'churn-burst', count: 3 });
    // Both low ones first, then the only one left that churn may take; never the cache.
    expect(result.targets.map((target) => target.priority).sort()).toEqual(['high', 'low', 'low']);
    const churned = await Promise.all(result.targets.map((target) => events.waitFor('churned', (event) => event.ended.pid === target.pid)));
    for (const event of churned) {
      expect(event.started?.kind).toBe(event.ended.kind);
      expect(event.started?.name).toMatch(event.ended.kind === 'job' ? /^python3 job_[345]\.py$/ : /^node api\.js$/);
    }
    const after = workload.processes();
    expect(after).toHaveLength(5);
    const cache = before.filter((process) => process.kind === 'cache').map((process) => process.pid);
    expect(after.filter((process) => process.kind === 'cache').map((process) => process.pid)).toEqual(cache);
    await expect.poll(() => result.targets.every((target) => !isSameProcessAlive(target.pid, target.startTime))).toBe(true);
  });

  it('reports processes that end on their own and restarts them when their kind says so', async () => {
    const profile = await writeProfile(
      dirs.profilesDir,
      'mortal',
      `id: mortal
title: Mortal
description: A crash loop and a job that finishes.
processes: 3
kinds:
  - { id: crashy, name: "/usr/local/bin/payment-sync --worker {n}", priority: high, count: 1, lifetime: { min_seconds: 1, max_seconds: 1 }, exit_code: 1, restart: on-failure, restart_delay_seconds: 0 }
  - { id: report, name: "python3 report.py", priority: low, count: 1, lifetime: { min_seconds: 1, max_seconds: 1 }, restart: on-failure }
  - { id: steady, name: "cron -f", priority: critical, count: 1 }
`,
    );
    const { workload, events } = start(profile);
    await events.waitFor('started');
    const crash = await events.waitFor('died', (event) => event.process.kind === 'crashy');
    expect(crash).toMatchObject({ code: 1, signal: null, cause: 'lifetime', restart: true });
    const restarted = await events.waitFor('restarted', (event) => event.previous.pid === crash.process.pid);
    // Named within moments of its start (perl sets it first thing), under the name it had: a restart keeps its instance number.
    await expect.poll(() => psNames(restarted.process.pid)?.args).toBe('/usr/local/bin/payment-sync --worker 1');
    const finished = await events.waitFor('died', (event) => event.process.kind === 'report');
    expect(finished).toMatchObject({ code: 0, cause: 'lifetime', restart: false });
    // The crash loop goes on: a second death of the replacement, restarted again.
    await events.waitFor('died', (event) => event.process.pid === restarted.process.pid);
    expect(workload.processes().some((process) => process.kind === 'report')).toBe(false);
  });

  it('applies chaos to its own processes only: a CPU spike, a leak, a kill', async () => {
    const profile = await writeProfile(
      dirs.profilesDir,
      'target',
      `id: target
title: Target
description: Quiet processes to break.
processes: 4
kinds:
  - { id: worker, name: "gunicorn: worker [app]", priority: medium, count: 2 }
  - { id: web, name: "nginx: worker process", priority: high, count: 2, restart: always, restart_delay_seconds: 0 }
`,
    );
    const { workload, events } = start(profile);
    await events.waitFor('started');
    // Quiet before: no worker uses CPU.
    await events.waitFor('sample', (event) => event.processes.filter((row) => row.kind === 'worker').length === 2);

    const spike = workload.chaos({ action: 'cpu-spike', kind: 'worker', percent: 80, seconds: 4 });
    expect(spike.targets.map((target) => target.kind)).toEqual(['worker', 'worker']);
    const mark = events.seen.length;
    await events.waitFor('sample', (event) => event.processes.filter((row) => row.kind === 'worker' && row.cpuPercent > 20).length === 2, 6000, mark);

    const web = workload.processes().find((process) => process.kind === 'web')!;
    const leak = workload.chaos({ action: 'memory-leak', pid: web.pid, mbPerSecond: 16, maxMb: 32 });
    expect(leak.message).toMatch(/grows by 16 MiB\/s up to 32 MiB more/);
    const leakMark = events.seen.length;
    await events.waitFor('sample', (event) => event.processes.some((row) => row.pid === web.pid && row.pssBytes > 24 * 2 ** 20), 8000, leakMark);

    const killed = workload.chaos({ action: 'kill', priority: 'high' });
    const death = await events.waitFor('died', (event) => event.process.pid === killed.targets[0]!.pid);
    expect(death).toMatchObject({ signal: 'SIGKILL', cause: 'chaos', restart: true });
    await events.waitFor('restarted', (event) => event.previous.pid === killed.targets[0]!.pid);

    expect(() => workload.chaos({ action: 'memory-leak', pid: process.pid, mbPerSecond: 1, maxMb: 1 })).toThrow(
      new WorkloadError(`pid ${process.pid} is not a running process of workload ${workload.id}`),
    );
    expect(() => workload.chaos({ action: 'cpu-spike', kind: 'mysql', percent: 50, seconds: 1 })).toThrow(/no running process of kind "mysql" \(kinds: worker, web\)/);
    expect(() => workload.chaos({ action: 'kill', priority: 'critical' })).toThrow(/no running critical-priority process to kill/);
    expect(events.seen.filter((event) => event.type === 'chaos')).toHaveLength(3);
  });

  it('falls back to /bin/sh where perl is missing: named, busy and resident, without commands', async () => {
    const profile = await writeProfile(
      dirs.profilesDir,
      'plain',
      `id: plain
title: Plain
description: The sh engine.
processes: 2
kinds:
  - { id: busy, name: "ffmpeg -i in.mov out.mp4", priority: low, count: 1, cpu: { pattern: steady, percent: 50 }, restart: always, restart_delay_seconds: 0 }
  - { id: holder, name: "redis-server", priority: critical, count: 1, memory: { pattern: steady, mb: 16 } }
`,
    );
    const { workload, events } = start(profile, { engine: 'sh' });
    await events.waitFor('started');
    expect(workload.engine).toBe('sh');
    // The shell names itself first thing, a moment after its start.
    for (const process of workload.processes()) await expect.poll(() => psNames(process.pid)?.comm).toBe(process.comm);
    await events.waitFor('sample', (event) => event.processes.some((row) => row.kind === 'busy' && row.cpuPercent > 5), 10_000);
    await events.waitFor('sample', (event) => event.processes.some((row) => row.kind === 'holder' && row.pssBytes > 14 * 2 ** 20), 10_000);
    expect(() => workload.chaos({ action: 'cpu-spike', kind: 'busy', percent: 90, seconds: 1 })).toThrow(/needs the perl engine/);
    const killed = workload.chaos({ action: 'kill', priority: 'low' });
    await events.waitFor('restarted', (event) => event.previous.pid === killed.targets[0]!.pid);
  });

  it('refuses a plan this machine cannot carry, before starting anything', async () => {
    const profile = await writeProfile(
      dirs.profilesDir,
      'huge',
      `id: huge
title: Huge
description: Too much memory.
processes: 1000
kinds:
  - { id: hog, name: "java -Xmx4g", priority: low, weight: 1, memory: { pattern: steady, mb: 4096 } }
`,
    );
    expect(() => new Workload({ profile, ledger: dirs.ledger })).toThrow(/may take \d+ MiB at its peak, more than half of the \d+ MiB this machine has available/);
    expect(() => new Workload({ profile, ledger: dirs.ledger, processes: 1001 })).toThrow(/1 to 1000 processes, got 1001/);
  });
});
