/** A scripted console: two drills whose run the test controls, a fixed sample feed. */
import type { DrillName, RunEvent, RunReport, SystemSample } from '../../src/drills/types.js';
import { summarize } from '../../src/drills/types.js';
import type { ConsoleServices, SampleFeed } from '../../src/ui/services.js';

export function sample(at: number, cpuPercent: number): SystemSample {
  return {
    at,
    cpuPercent,
    memUsedBytes: 4 * 2 ** 30,
    memTotalBytes: 16 * 2 ** 30,
    memPercent: 25,
    diskUsedBytes: 50 * 2 ** 30,
    diskTotalBytes: 100 * 2 ** 30,
    diskPercent: 50,
    processCount: 123,
  };
}

/** Holds the scripted load until done or aborted; cleaning up after an abort takes a moment. */
async function holdLoad(ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      setTimeout(resolve, 300);
    });
  });
}

export function feed(samples: SystemSample[]): SampleFeed {
  return { recent: () => samples, subscribe: () => () => {} };
}

export function services(overrides: Partial<ConsoleServices> = {}): ConsoleServices & { aborted: string[] } {
  const aborted: string[] = [];
  return {
    aborted,
    machine: 'testbox',
    drills: [
      { name: 'cpu_spike', title: 'CPU spike', description: 'one busy worker per core', riskWarning: null },
      { name: 'disk_fill', title: 'Disk fill', description: 'writes a temporary file', riskWarning: 'writes a 1 GiB file in /tmp' },
    ],
    samples: feed([sample(1, 10), sample(2, 55), sample(3, 97.5)]),
    async *runDrills(drills: DrillName[], signal: AbortSignal): AsyncGenerator<RunEvent, RunReport> {
      const startedAt = new Date().toISOString();
      yield { type: 'run-started', runId: 'run-1', machine: 'testbox', startedAt, drills };
      const results = [];
      try {
        for (const drill of drills) {
          yield { type: 'drill-started', drill, startedAt: new Date().toISOString() };
          yield { type: 'drill-progress', drill, message: 'loading the machine' };
          await holdLoad(drill === 'disk_fill' ? 60_000 : 50, signal);
          if (signal.aborted) break;
          const result = {
            test: drill,
            success: true,
            eventsTriggered: 1,
            events: [{ type: 'cpu_high' as const, at: new Date().toISOString(), value: 97.5 }],
            startedAt,
            completedAt: new Date().toISOString(),
            durationMs: 50,
            measured: { cpuPercentPeak: 97.5 },
            summary: 'CPU reached 97.5 % (threshold 80 %)',
          };
          results.push(result);
          yield { type: 'drill-finished', result };
        }
      } finally {
        if (signal.aborted) aborted.push(drills.join(','));
      }
      const report = { machine: 'testbox', runId: 'run-1', startedAt, finishedAt: new Date().toISOString(), results, summary: summarize(results) };
      yield { type: 'run-finished', report };
      return report;
    },
    loadScenarios: async () => ({ scenarios: [], errors: [] }),
    incidentEvents: async function* () {},
    incidentEngine: 'in-process',
    ...overrides,
  };
}
