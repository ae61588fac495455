import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import type { MonitorEvent, SystemSample } from '../../src/drills/types.js';
import { nextSample, readSystemSample, SystemSampler } from '../../src/monitor/sampler.js';
import { processRiseFor, thresholdsFromConfig, ThresholdWatcher } from '../../src/monitor/thresholds.js';
import { QUIET } from './scripted-source.js';

const sample = (values: Partial<SystemSample>, at = Date.now()): SystemSample => ({ ...QUIET, at, ...values });

describe('ThresholdWatcher', () => {
  const watcher = () => new ThresholdWatcher(thresholdsFromConfig(defaultConfig().monitor, 3));

  it('reports one cpu_high per crossing and re-arms only once CPU is clearly back below', () => {
    const monitor = watcher();
    const events = [10, 85, 95, 78, 90, 60, 88].flatMap((cpuPercent) => monitor.observe(sample({ cpuPercent })));
    expect(events.map((event) => [event.type, event.value, event.threshold])).toEqual([
      ['cpu_high', 85, 80],
      ['cpu_high', 88, 80],
    ]);
    expect(events[0]!.detail).toContain('CPU at 85.0 %');
  });

  it('watches memory and disk independently, with their own thresholds', () => {
    const monitor = watcher();
    const events = [
      sample({ memPercent: 81 }),
      sample({ memPercent: 82, diskPercent: 89 }),
      sample({ memPercent: 82, diskPercent: 91 }),
      sample({ memPercent: 50, diskPercent: 92 }),
      sample({ memPercent: 81, diskPercent: 92 }),
    ].flatMap((reading) => monitor.observe(reading));
    expect(events.map((event) => `${event.type}:${event.value}`)).toEqual(['memory_high:81', 'disk_high:91', 'memory_high:81']);
  });

  it('reports processes_spawned when the count rises by the threshold over the baseline', () => {
    const monitor = watcher();
    monitor.setProcessBaseline(100);
    const seen = (counts: number[]) =>
      counts.flatMap((processCount) => monitor.observe(sample({ processCount }))).map((event: MonitorEvent) => event.value);
    expect(seen([100, 101, 103, 104, 102])).toEqual([3]);
    expect(seen([101, 103])).toEqual([3]);
    // A new baseline (the next drill) measures from there.
    monitor.setProcessBaseline(103);
    expect(seen([105, 106])).toEqual([3]);
  });

  it('sizes the process rise to half of what process_spawn starts', () => {
    expect(processRiseFor(1)).toBe(1);
    expect(processRiseFor(3)).toBe(2);
    expect(processRiseFor(20)).toBe(10);
  });
});

describe('SystemSampler', () => {
  it('samples through the reader, keeps history, and delivers to subscribers until they leave', async () => {
    let cpuPercent = 0;
    const sampler = new SystemSampler({
      diskPath: os.tmpdir(),
      intervalMs: 10,
      read: async () => sample({ cpuPercent: (cpuPercent += 10) }),
    });
    const delivered: number[] = [];
    const listener = (reading: SystemSample) => delivered.push(reading.cpuPercent);
    sampler.subscribe(listener);
    sampler.start();
    try {
      const monitor = new ThresholdWatcher(thresholdsFromConfig(defaultConfig().monitor, 5));
      const events: MonitorEvent[] = [];
      const stopWatching = sampler.subscribe((reading) => events.push(...monitor.observe(reading)));
      while ((sampler.latest()?.cpuPercent ?? 0) < 90) await nextSample(sampler);
      stopWatching();
      expect(events.map((event) => event.type)).toEqual(['cpu_high']);
      expect(events[0]!.value).toBe(90);
      sampler.unsubscribe(listener);
      const countAtLeave = delivered.length;
      await nextSample(sampler);
      expect(delivered.length).toBe(countAtLeave);
      expect(delivered.slice(0, 3)).toEqual([10, 20, 30]);
      expect(sampler.history(60).map((reading) => reading.cpuPercent).slice(0, 3)).toEqual([10, 20, 30]);
    } finally {
      sampler.stop();
    }
    const afterStop = cpuPercent;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(cpuPercent).toBe(afterStop);
  });

  it('keeps sampling after a failed reading and reports the error', async () => {
    let calls = 0;
    const errors: string[] = [];
    const sampler = new SystemSampler({
      diskPath: os.tmpdir(),
      intervalMs: 5,
      read: async () => {
        calls += 1;
        if (calls === 1) throw new Error('proc unreadable');
        return sample({ cpuPercent: 42 });
      },
      onError: (error) => errors.push(error.message),
    }).start();
    try {
      expect((await nextSample(sampler)).cpuPercent).toBe(42);
      expect(errors).toEqual(['proc unreadable']);
    } finally {
      sampler.stop();
    }
  });

  it('reads this machine: percentages in range, memory and disk sizes, a process count', async () => {
    const read = readSystemSample(os.tmpdir());
    const reading = await read();
    for (const percent of [reading.cpuPercent, reading.memPercent, reading.diskPercent]) {
      expect(percent).toBeGreaterThanOrEqual(0);
      expect(percent).toBeLessThanOrEqual(100);
    }
    expect(reading.memTotalBytes).toBe(os.totalmem());
    expect(reading.memUsedBytes).toBeGreaterThan(0);
    expect(reading.diskTotalBytes).toBeGreaterThan(reading.diskUsedBytes);
    expect(reading.processCount).toBeGreaterThan(1);
  });
});

describe('readSystemSample', () => {
  it('watches the filesystem of a directory that does not exist yet through its nearest parent', async () => {
    const reading = await readSystemSample(`${os.tmpdir()}/firedrill-not-created-yet/deeper`)();
    const parent = await readSystemSample(os.tmpdir())();
    expect(reading.diskTotalBytes).toBe(parent.diskTotalBytes);
  });
});
