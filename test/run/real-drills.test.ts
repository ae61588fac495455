import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareRun, type PreparedRun } from '../../src/drills/prepare.js';
import { parseConfig } from '../../src/config/config.js';
import { readLedger } from '../../src/drills/ledger.js';
import { DrillLockError } from '../../src/drills/lock.js';
import { runDrills } from '../../src/drills/runner.js';
import type { RunEvent, RunReport } from '../../src/drills/types.js';
import { resolvePaths } from '../../src/paths.js';

let dataDir: string;
let prepared: PreparedRun | undefined;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'firedrill-run-test-'));
});

afterEach(async () => {
  prepared?.release();
  prepared = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

describe('runDrills with the real drills', () => {
  it('runs process_spawn and cpu_spike, sees their effect, and leaves nothing behind', async () => {
    // Ten processes held for three readings: other processes starting and ending on a busy
    // machine must not hide the rise (the monitor counts every process on the machine).
    const config = parseConfig({
      drills: { process_spawn: { count: 10, duration: 3 }, cpu_spike: { duration: 2 } },
      monitor: { settle_timeout_seconds: 10 },
    });
    const paths = resolvePaths({ dataDir, configFile: path.join(dataDir, 'absent.yaml') }, {});
    prepared = await prepareRun({ config, paths });
    await expect(prepareRun({ config, paths })).rejects.toBeInstanceOf(DrillLockError);

    const events: RunEvent[] = [];
    const run = runDrills({
      drills: prepared.drills,
      order: ['process_spawn', 'cpu_spike'],
      config,
      sampler: prepared.sampler,
      signal: new AbortController().signal,
    });
    let report: RunReport;
    // Whether cpu_spike's workers really work: each is sampled while the drill holds its load. A busy
    // worker is running or waiting for a core (state R) however loaded the machine is; an idle one
    // sleeps (S). The machine-wide percentages alone would credit other load on a busy machine.
    let workerPids: number[] = [];
    const workerStates: string[] = [];
    for (;;) {
      const next = await run.next();
      if (next.done) {
        report = next.value;
        break;
      }
      const event = next.value;
      if (event.type === 'drill-progress' && event.drill === 'cpu_spike') {
        if (workerPids.length === 0) {
          workerPids = (await readLedger(paths)).flatMap((entry) => (entry.kind === 'process' && entry.command === 'cpu_spike worker' ? [entry.pid] : []));
        }
        for (const pid of workerPids) workerStates.push(processState(pid));
      }
      events.push(event);
    }

    expect(report.results.map((result) => result.test)).toEqual(['process_spawn', 'cpu_spike']);
    const [spawn, cpu] = report.results;
    expect(spawn).toMatchObject({ success: true, measured: { requested: 10, seen: 10, remaining: 0 } });
    expect(spawn!.events.map((event) => event.type)).toContain('processes_spawned');
    for (const result of report.results) {
      expect(result.eventsTriggered).toBe(result.events.length);
      expect(result.summary).not.toBe('');
      expect(result.durationMs).toBeGreaterThan(0);
    }
    const workers = os.availableParallelism();
    expect(cpu).toMatchObject({ success: true, measured: { workers, thresholdPercent: 80 } });
    expect(cpu!.measured.cpuPercentPeak).toBeGreaterThanOrEqual(80);
    expect(cpu!.measured.secondsToThreshold).toBeLessThanOrEqual(2);
    expect(workerPids).toHaveLength(workers);
    expect(workerStates.length).toBeGreaterThanOrEqual(workers * 2);
    const running = workerStates.filter((state) => state === 'R').length;
    expect(running / workerStates.length, `worker states ${workerStates.join('')}`).toBeGreaterThanOrEqual(0.8);
    expect(events.some((event) => event.type === 'sample')).toBe(true);
    expect(events.filter((event) => event.type === 'drill-progress').length).toBeGreaterThan(0);
    expect(report.summary.total).toBe(2);

    expect(await readLedger(paths)).toEqual([]);
    prepared.release();
    prepared = await prepareRun({ config, paths });
  });
});

/** A process's state letter from /proc/PID/stat (R running or runnable, S sleeping, ...; '-' once gone). */
function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return '-';
  }
}
