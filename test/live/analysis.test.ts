import { describe, expect, it } from 'vitest';
import { rankHypotheses } from '../../src/analysis/builtin.js';
import { actionsForCategory } from '../../src/analysis/actions.js';
import type { Hypothesis } from '../../src/incidents/types.js';
import { judge } from '../../src/live/incident.js';
import { baselineOf, classifyPattern, liveScenario, type LiveReading } from '../../src/live/readings.js';
import type { ProcessInfo } from '../../src/monitor/processes.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const T0 = 1_800_000_000_000;

interface Moment {
  cpu?: number;
  memAvailable?: number;
  diskAvail?: number;
  probeUp?: boolean;
  processes: Partial<ProcessInfo>[];
}

/** Readings every second from T0, with a steady background of ordinary processes. */
function readings(moments: Moment[], offset = 0): LiveReading[] {
  return moments.map((moment, index) => {
    const at = T0 + (offset + index) * 1000;
    const background: Partial<ProcessInfo>[] = [
      { pid: 100, name: 'postgres', cpuPercent: 2, rssBytes: 300 * MiB, startTime: 10 },
      { pid: 101, name: 'nginx', cpuPercent: 1, rssBytes: 40 * MiB, startTime: 11 },
    ];
    const processes = [...background, ...moment.processes].map(
      (entry): ProcessInfo => ({
        pid: 0,
        ppid: 1,
        name: 'x',
        state: 'S',
        cpuPercent: 0,
        cpuSeconds: 0,
        rssBytes: 0,
        memPercent: 0,
        threads: 1,
        startTime: 0,
        startedAt: T0 - 3_600_000,
        ...entry,
      }),
    );
    return {
      at,
      sample: {
        at,
        cpuPercent: moment.cpu ?? 8,
        memTotalBytes: 16 * GiB,
        memUsedBytes: 16 * GiB - (moment.memAvailable ?? 12 * GiB),
        memPercent: 25,
        diskUsedBytes: 0,
        diskTotalBytes: 0,
        diskPercent: 30,
        processCount: 200,
      },
      processes: { at, processes, memTotalBytes: 16 * GiB },
      filesystem: { mountpoint: '/', availBytes: moment.diskAvail ?? 80 * GiB, sizeBytes: 250 * GiB },
      probe: moment.probeUp === undefined ? null : { name: 'checkout-api', url: 'http://127.0.0.1:4000/health', up: moment.probeUp },
    };
  });
}

const quiet = (extra: Partial<Moment> = {}, processes: Partial<ProcessInfo>[] = []) =>
  Array.from({ length: 5 }, (_, index) => ({ cpu: 8 + (index % 2), memAvailable: 12 * GiB + index * MiB, ...extra, processes }));

function scenarioOf(baseline: Moment[], fault: Moment[], recentFiles: { path: string; bytes: number; modifiedSecondsAgo: number }[] = []) {
  return liveScenario(
    {
      id: 'live-test',
      host: { hostname: 'web-1', cpus: 2, memTotalBytes: 16 * GiB },
      startedAt: T0,
      baselineReadings: readings(baseline),
      faultReadings: readings(fault, baseline.length),
      recentFiles,
    },
    (process) => ({ ...process, command: `/usr/bin/${process.name} --serve` }),
  );
}

const runaway = { pid: 4242, name: 'report-builder', startTime: 999, startedAt: T0 + 5000 };

describe('live readings as the analyzer sees them', () => {
  it('classifies the shape of a curve against its baseline', () => {
    const baseline = baselineOf([10, 11, 10, 9], 1);
    expect(classifyPattern([10, 11, 10, 10], baseline)).toBe('constant');
    expect(classifyPattern([80, 81, 80, 79, 80], baseline)).toBe('step');
    expect(classifyPattern([20, 30, 40, 50, 60, 70], baseline)).toBe('linear');
    expect(classifyPattern([80, 90, 30, 12], baseline)).toBe('spike');
  });

  it('floors the spread of a quiet baseline', () => {
    expect(baselineOf([5, 5, 5], 3)).toEqual({ mean: 5, sigma: 3 });
  });

  it('finds a runaway process by name and pid, and aims the actions at it', () => {
    const fault = Array.from({ length: 5 }, () => ({ cpu: 58, processes: [{ ...runaway, cpuPercent: 99, rssBytes: 45 * MiB }] }));
    const scenario = scenarioOf(quiet(), fault);
    const [top] = rankHypotheses(scenario);
    expect(top?.category).toBe('cpu_spike');
    expect(top?.description).toBe('Runaway process report-builder (pid 4242) keeps 99 % of a core busy on web-1');
    expect(top?.evidence.map((item) => item.signal)).toContain('processes_started_since_baseline');
    expect(actionsForCategory('cpu_spike', scenario)[0]).toMatchObject({ type: 'stop_process', target: 'report-builder (pid 4242)' });
    expect(judge({ category: 'cpu_spike', culprit: 'report-builder' }, rankHypotheses(scenario)).matched).toBe(true);
  });

  it('finds a running process whose memory starts to grow in a straight line, not one that is loading', () => {
    const cache = { pid: 77, name: 'session-cache', startTime: 500, cpuPercent: 3 };
    const fault = Array.from({ length: 6 }, (_, index) => ({
      memAvailable: 12 * GiB - (index + 1) * 96 * MiB,
      processes: [
        { ...cache, rssBytes: (index + 1) * 64 * MiB + 40 * MiB },
        // A compiler that started meanwhile grows faster still, as programs do while they load.
        { pid: 90, name: 'tsc', startTime: 900, startedAt: T0 + 6000, cpuPercent: 20, rssBytes: (index + 1) * 100 * MiB },
      ],
    }));
    const [top] = rankHypotheses(scenarioOf(quiet({}, [{ ...cache, rssBytes: 40 * MiB }]), fault));
    expect(top?.category).toBe('memory_leak');
    expect(top?.description).toContain('session-cache (pid 77)');
  });

  it('does not take rising available memory for a leak', () => {
    const fault = Array.from({ length: 6 }, (_, index) => ({ memAvailable: 12 * GiB + (index + 1) * 200 * MiB, processes: [] }));
    expect(rankHypotheses(scenarioOf(quiet(), fault)).map((hypothesis) => hypothesis.category)).not.toContain('memory_leak');
  });

  it('finds the file that fills a filesystem', () => {
    const fault = Array.from({ length: 6 }, (_, index) => ({ diskAvail: 80 * GiB - (index + 1) * 100 * MiB, processes: [] }));
    const file = '/tmp/firedrill-live-disk-1-0123456789ab.tmp';
    const scenario = scenarioOf(quiet(), fault, [{ path: file, bytes: 600 * MiB, modifiedSecondsAgo: 0 }]);
    const [top] = rankHypotheses(scenario);
    expect(top?.category).toBe('disk_exhaustion');
    expect(top?.description).toBe('firedrill-live-disk-1-0123456789ab.tmp is filling the / filesystem of web-1');
    expect(top?.evidence.some((item) => item.observation.includes('account for the'))).toBe(true);
    expect(actionsForCategory('disk_exhaustion', scenario).map((action) => action.target)).toEqual([file, file]);
  });

  it('finds a service that went down and whose process is gone', () => {
    const service = { pid: 300, name: 'checkout-api', startTime: 50, cpuPercent: 1, rssBytes: 50 * MiB };
    const fault = Array.from({ length: 3 }, () => ({ probeUp: false, processes: [] }));
    const [top] = rankHypotheses(scenarioOf(quiet({ probeUp: true }, [service]), fault));
    expect(top?.category).toBe('service_down');
    expect(top?.description).toBe('checkout-api is down on web-1: its health check fails and its process is gone');
  });

  it('reads the metrics, not the incident id or name', () => {
    const fault = Array.from({ length: 5 }, () => ({ cpu: 58, processes: [{ ...runaway, cpuPercent: 99, rssBytes: 45 * MiB }] }));
    const scenario = scenarioOf(quiet(), fault);
    const scrubbed = { ...scenario, id: 'x', name: 'x', description: 'x' };
    expect(rankHypotheses(scrubbed)).toEqual(rankHypotheses(scenario));
  });
});

describe('the verdict on an analysis', () => {
  const hypothesis = (category: string, description: string, confidence: number): Hypothesis => ({ category, description, confidence, evidence: [], reasoning: '' });

  it('needs the right category and the culprit named by the top hypothesis', () => {
    const expected = { category: 'cpu_spike', culprit: 'report-builder' };
    expect(judge(expected, [hypothesis('cpu_spike', 'Runaway process report-builder (pid 1)', 0.8)])).toMatchObject({ matched: true });
    expect(judge(expected, [hypothesis('cpu_spike', 'Runaway process esbuild (pid 2)', 0.8)])).toMatchObject({ categoryMatched: true, culpritNamed: false, matched: false });
    expect(judge(expected, [hypothesis('memory_leak', 'x', 0.9), hypothesis('cpu_spike', 'report-builder', 0.5)])).toMatchObject({ matched: false, top: { category: 'memory_leak' } });
    expect(judge(expected, [])).toMatchObject({ matched: false, top: null });
  });
});
