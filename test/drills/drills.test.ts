import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { liveChildPids } from '../../src/drills/emergency.js';
import { readLedger } from '../../src/drills/ledger.js';
import { isSameProcessAlive, readDisk, readMemory, readResidentBytes } from '../../src/drills/proc.js';
import { createDrills } from '../../src/drills/registry.js';
import { httpHealthy } from '../../src/drills/services.js';
import { DRILL_NAMES, type DrillOutcome } from '../../src/drills/types.js';
import { waitFor } from '../helpers/cli.js';
import { drillsConfig, firedrillFiles, recordingContext, scratch } from './helpers.js';

const MiB = 1024 * 1024;

/**
 * Waits (at most 5 s) until used memory holds still for half a second. On VMs with free page
 * reporting (virtio-balloon, as here) memory freed by an earlier test leaves and rejoins MemFree in
 * 64 MB batches for a couple of seconds: a baseline taken then is off by as much. The runner
 * settles between drills in the same way.
 */
async function memorySettled(): Promise<void> {
  const deadline = Date.now() + 5000;
  let previous = (await readMemory()).usedBytes;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const current = (await readMemory()).usedBytes;
    if (Math.abs(current - previous) < 8 * MiB) return;
    previous = current;
  }
}

let dirs: Awaited<ReturnType<typeof scratch>>;
beforeEach(async () => {
  dirs = await scratch();
});
afterEach(async () => {
  expect(liveChildPids()).toEqual([]);
  expect(await readLedger(dirs.paths)).toEqual([]);
  await dirs.dispose();
});

describe('the drill registry', () => {
  it('offers the five drills, each with a title, a one-line description and a default duration', () => {
    const drills = createDrills(drillsConfig(), dirs.paths);
    expect(Object.keys(drills).sort()).toEqual([...DRILL_NAMES].sort());
    for (const name of DRILL_NAMES) {
      expect(drills[name].name).toBe(name);
      expect(drills[name].description).not.toContain('\n');
      expect(drills[name].defaultDurationSeconds).toBeGreaterThan(0);
    }
    expect(drills.disk_fill.riskWarning()).toMatch(/writes 1\.0 GiB/);
    expect(drills.memory_pressure.riskWarning()).toBeNull();
    const greedy = createDrills(drillsConfig((config) => (config.memory_pressure.percent_of_available = 60)), dirs.paths);
    expect(greedy.memory_pressure.riskWarning()).toMatch(/60 % of the available memory/);
  });

  it('memory_pressure warns above half the available memory and refuses to leave under 10 % available', async () => {
    const memory = await readMemory();
    const big = Math.round((memory.availableBytes * 0.7) / MiB);
    const drills = createDrills(drillsConfig((config) => (config.memory_pressure.size_mb = big)), dirs.paths);
    expect(drills.memory_pressure.riskWarning()).toMatch(new RegExp(`^memory_pressure allocates ${big} MB, \\d+ %, of the available memory`));
    const tooBig = createDrills(drillsConfig((config) => (config.memory_pressure.size_mb = Math.ceil(memory.totalBytes / MiB))), dirs.paths);
    expect(await tooBig.memory_pressure.preflight()).toMatch(/^memory_pressure would allocate .* and leave 0 B available \(under 10 % of .*\): lower drills\.memory_pressure\.size_mb$/);
    const outcome = await tooBig.memory_pressure.run(recordingContext(100));
    expect(outcome.success).toBe(false);
    expect(outcome.error).toMatch(/^memory_pressure would allocate/);
  });
});

describe('memory_pressure', () => {
  it('makes 128 MB resident in a child, then gives it back', async () => {
    const drills = createDrills(drillsConfig((config) => (config.memory_pressure.size_mb = 128)), dirs.paths);
    let allocator: { pid: number; startTime: number; residentBytes: number | null } | undefined;
    const context = recordingContext(500, undefined, (message) => {
      if (!message.startsWith('holding')) return;
      void readLedger(dirs.paths).then(([entry]) => {
        if (entry?.kind === 'process') allocator = { pid: entry.pid, startTime: entry.startTime, residentBytes: readResidentBytes(entry.pid) };
      });
    });
    await memorySettled();
    const outcome = await drills.memory_pressure.run(context);
    expect(outcome.success, outcome.summary).toBe(true);
    expect(outcome.measured.targetBytes).toBe(128 * MiB);
    expect(outcome.measured.allocatedBytes).toBe(128 * MiB);
    expect(Math.max(Number(outcome.measured.memRiseBytes), Number(outcome.measured.anonRiseBytes))).toBeGreaterThanOrEqual(0.9 * 128 * MiB);
    expect(outcome.summary).toMatch(/^memory use rose by .* \(MemAvailable\) and .* \(AnonPages\) for a 128\.0 MiB target/);
    expect(outcome.measured.allocatorRssBytes).toBeGreaterThanOrEqual(128 * MiB);
    expect(context.messages).toContain('allocated 2 of 2 chunks (128.0 MiB of 128.0 MiB)');
    // Released: the allocator that held the pages is gone, and the machine's anonymous memory fell
    // (by half the target at least: other programs on a shared machine come and go meanwhile).
    expect(allocator?.residentBytes).toBeGreaterThanOrEqual(128 * MiB);
    expect(isSameProcessAlive(allocator?.pid ?? 0, allocator?.startTime ?? 0)).toBe(false);
    expect(outcome.measured.anonReleasedBytes).toBeGreaterThanOrEqual(0.5 * 128 * MiB);
    expect(typeof outcome.measured.memReleasedBytes).toBe('number');
    expect(context.messages.at(-1)).toBe('released 128.0 MiB');
  });
});

describe('cpu_spike', () => {
  it('loads every core until the whole machine passes the threshold, then ends its workers', async () => {
    const drills = createDrills(drillsConfig((config) => (config.cpu_spike.threshold_percent = 75)), dirs.paths);
    let workers: { pid: number; startTime: number }[] = [];
    const context = recordingContext(2000, undefined, (message) => {
      if (message.startsWith('started'))
        void readLedger(dirs.paths).then((entries) => (workers = entries.flatMap((entry) => (entry.kind === 'process' ? [entry] : []))));
    });
    const outcome = await drills.cpu_spike.run(context);
    expect(outcome.success, outcome.summary).toBe(true);
    expect(outcome.measured.cpuPercentPeak).toBeGreaterThanOrEqual(75);
    expect(outcome.measured.secondsToThreshold).toBeGreaterThan(0);
    expect(outcome.measured.workers).toBeGreaterThan(0);
    expect(outcome.summary).toMatch(/CPU reached .* % \(threshold 75 %\)/);
    expect(workers.length).toBe(outcome.measured.workers);
    for (const worker of workers) expect(isSameProcessAlive(worker.pid, worker.startTime)).toBe(false);
  });
});

describe('disk_fill', () => {
  it('writes a 32 MB file, sees the disk rise by as much, and deletes it', async () => {
    const drills = createDrills(
      drillsConfig((config) => {
        config.disk_fill.size_mb = 32;
        config.disk_fill.directory = dirs.fillDir;
      }),
      dirs.paths,
    );
    expect(await drills.disk_fill.preflight()).toBeNull();
    let heldFile: { name: string; size: number } | undefined;
    const context = recordingContext(300, undefined, (message) => {
      if (!message.startsWith('holding')) return;
      void firedrillFiles(dirs.fillDir).then(async ([name]) => {
        if (name) heldFile = { name, size: (await stat(path.join(dirs.fillDir, name))).size };
      });
    });
    const outcome = await drills.disk_fill.run(context);
    expect(outcome.success, outcome.summary).toBe(true);
    expect(outcome.measured.fileBytes).toBe(32 * MiB);
    expect(Math.abs(Number(outcome.measured.diskRiseBytes) - 32 * MiB)).toBeLessThanOrEqual(16 * MiB);
    expect(outcome.measured.directory).toBe(dirs.fillDir);
    expect(heldFile?.name).toMatch(/^firedrill-disk-fill-\d+-[0-9a-f]{12}\.tmp$/);
    expect(heldFile?.size).toBe(32 * MiB);
    expect(await firedrillFiles(dirs.fillDir)).toEqual([]);
  });

  it('refuses, writing nothing, when the file would leave less than 10 % free', async () => {
    const disk = await readDisk(dirs.fillDir);
    const drills = createDrills(
      drillsConfig((config) => {
        config.disk_fill.size_mb = Math.ceil(disk.availableBytes / MiB) + 1024;
        config.disk_fill.directory = dirs.fillDir;
      }),
      dirs.paths,
    );
    const refusal = await drills.disk_fill.preflight();
    expect(refusal).toMatch(new RegExp(`^writing .* to ${dirs.fillDir} would leave 0 B free \\(under 10 % of .*\\): lower drills\\.disk_fill\\.size_mb$`));
    const outcome = await drills.disk_fill.run(recordingContext(100));
    expect(outcome.success).toBe(false);
    expect(outcome.error).toBe(refusal);
    expect(await firedrillFiles(dirs.fillDir)).toEqual([]);
  });
});

describe('service_restart', () => {
  it('takes the canary down, sees it down through its health check, brings it back, and stops it', async () => {
    const drills = createDrills(drillsConfig(), dirs.paths);
    const context = recordingContext(300);
    const outcome = await drills.service_restart.run(context);
    expect(outcome.success, outcome.summary).toBe(true);
    expect(outcome.measured).toMatchObject({ target: 'canary', wentDown: true, cameBack: true });
    expect(outcome.measured.downtimeMs).toBeGreaterThan(0);
    expect(outcome.measured.timeToHealthyMs).toBeGreaterThanOrEqual(0);
    expect(context.events.map((event) => event.type)).toEqual(['service_stopped', 'service_started']);
    const url = /on (127\.0\.0\.1:\d+)/.exec(context.messages[0] ?? '')?.[1];
    expect(url).toBeDefined();
    expect(await httpHealthy(`http://${url}/health`)).toBe(false);
  });

  it('refuses systemd clearly where systemd is not running', async () => {
    const drills = createDrills(
      drillsConfig((config) => {
        config.service_restart.target = 'systemd';
        config.service_restart.unit = 'nginx.service';
      }),
      dirs.paths,
    );
    expect(drills.service_restart.riskWarning()).toMatch(/nginx\.service/);
    const refusal = await drills.service_restart.preflight();
    const systemdRuns = await stat('/run/systemd/system').then(
      () => true,
      () => false,
    );
    if (systemdRuns) expect(refusal).toBeNull();
    else expect(refusal).toMatch(/^systemd is not running on this machine \(\/run\/systemd\/system is missing\)/);
  });

  it('drives a service through the configured shell commands', async () => {
    const flag = path.join(dirs.root, 'service-up');
    const drills = createDrills(
      drillsConfig((config) => {
        config.service_restart.target = 'command';
        config.service_restart.start = `touch '${flag}'`;
        config.service_restart.stop = `rm -f '${flag}'`;
        config.service_restart.health = `test -e '${flag}'`;
      }),
      dirs.paths,
    );
    await writeFile(flag, '');
    const outcome = await drills.service_restart.run(recordingContext(200));
    expect(outcome.success, outcome.summary).toBe(true);
    expect(outcome.measured).toMatchObject({ target: 'command', wentDown: true, cameBack: true });
    expect((await stat(flag)).isFile()).toBe(true);
  });
});

describe('service_restart, stopped while the service is down', () => {
  it('starts the user\'s service again before it returns', async () => {
    const flag = path.join(dirs.root, 'service-up');
    const drills = createDrills(
      drillsConfig((config) => {
        config.service_restart.target = 'command';
        config.service_restart.start = `touch '${flag}'`;
        config.service_restart.stop = `rm -f '${flag}'`;
        config.service_restart.health = `test -e '${flag}'`;
      }),
      dirs.paths,
    );
    await writeFile(flag, '');
    const controller = new AbortController();
    const context = recordingContext(60_000, controller.signal, (message) => {
      if (message.includes(' is down')) controller.abort();
    });
    const outcome = await drills.service_restart.run(context);
    expect(outcome.error).toBe('aborted');
    expect(outcome.measured).toMatchObject({ wentDown: true, cameBack: false });
    expect(context.messages.at(-1)).toMatch(/^starting .* again$/);
    expect((await stat(flag)).isFile()).toBe(true);
  });
});

describe('process_spawn', () => {
  it('starts 5 processes, sees each in the process table, and ends them all', async () => {
    const drills = createDrills(drillsConfig((config) => (config.process_spawn.count = 5)), dirs.paths);
    let recorded: { pid: number; startTime: number }[] = [];
    const context = recordingContext(300, undefined, (message) => {
      if (message.startsWith('started'))
        void readLedger(dirs.paths).then((entries) => (recorded = entries.flatMap((entry) => (entry.kind === 'process' ? [entry] : []))));
    });
    const outcome = await drills.process_spawn.run(context);
    expect(outcome.success, outcome.summary).toBe(true);
    expect(outcome.measured).toEqual({ requested: 5, seen: 5, remaining: 0 });
    expect(recorded).toHaveLength(5);
    for (const entry of recorded) expect(isSameProcessAlive(entry.pid, entry.startTime)).toBe(false);
  });
});

describe('abort', () => {
  it('stops every drill at once, leaving no child and no file behind', async () => {
    const drills = createDrills(
      drillsConfig((config) => {
        config.disk_fill.size_mb = 16;
        config.disk_fill.directory = dirs.fillDir;
        config.process_spawn.count = 3;
        config.memory_pressure.size_mb = 64;
      }),
      dirs.paths,
    );
    const controller = new AbortController();
    const names = ['cpu_spike', 'memory_pressure', 'disk_fill', 'service_restart', 'process_spawn'] as const;
    const results = new Map<string, DrillOutcome>();
    // Each drill is under way once it says it started (or holds, or took the service down).
    const started = names.map(
      (name) =>
        new Promise<void>((resolve) => {
          const context = recordingContext(60_000, controller.signal, (message) => {
            if (/^(started|holding|.* is down)/.test(message)) resolve();
          });
          void drills[name].run(context).then((outcome) => results.set(name, outcome));
        }),
    );
    await Promise.all(started);
    expect(liveChildPids().length).toBeGreaterThan(0);
    expect(await firedrillFiles(dirs.fillDir)).toHaveLength(1);
    controller.abort();
    await waitFor(() => results.size === names.length, 20_000, 'every drill to return');
    for (const name of names) {
      expect(results.get(name)?.success, name).toBe(false);
      expect(results.get(name)?.error, name).toBe('aborted');
    }
    expect(await firedrillFiles(dirs.fillDir)).toEqual([]);
  });
});
