import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { DrillName, RunEvent, RunReport, SystemSample } from '../../src/drills/types.js';
import { summarize } from '../../src/drills/types.js';
import { App } from '../../src/ui/App.js';
import type { ConsoleServices, SampleFeed } from '../../src/ui/services.js';
import { waitFor } from '../helpers/cli.js';
import { KEY, press, waitForFrame } from './render-helpers.js';

// The screens are tested here against a scripted run (the real drills are exercised in
// test/drills and test/run, and end to end in test/e2e through tmux).

function sample(at: number, cpuPercent: number): SystemSample {
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

function feed(samples: SystemSample[]): SampleFeed {
  return { recent: () => samples, subscribe: () => () => {} };
}

function services(overrides: Partial<ConsoleServices> = {}): ConsoleServices & { aborted: string[] } {
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

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('the console: drills', () => {
  it('picks a drill, shows live gauges, the drill line and the summary, and goes back with q', async () => {
    const app = render(<App services={services()} />);
    cleanup = app.unmount;
    await waitForFrame(app.lastFrame, ['firedrill', 'Local event drills']);
    await press(app.stdin, KEY.enter);
    await waitForFrame(app.lastFrame, ['Run all five', 'cpu_spike', 'one busy worker per core', 'disk_fill']);
    await press(app.stdin, KEY.down, KEY.enter);
    const frame = await waitForFrame(app.lastFrame, ['Summary: 1 total, 1 passed, 0 failed, 1 events triggered']);
    expect(frame).toContain('CPU');
    expect(frame).toContain('97.5 %');
    expect(frame).toContain('✓ cpu_spike');
    expect(frame).toContain('CPU reached 97.5 % (threshold 80 %)');
    expect(frame).toContain('1 event');
    await press(app.stdin, 'q');
    await waitForFrame(app.lastFrame, 'Run all five');
  });

  it('asks before a risky drill, and n goes back without running it', async () => {
    const app = render(<App services={services()} />);
    cleanup = app.unmount;
    await waitForFrame(app.lastFrame, 'Local event drills');
    await press(app.stdin, KEY.enter);
    await waitForFrame(app.lastFrame, 'Run all five');
    await press(app.stdin, KEY.down, KEY.down, KEY.enter);
    await waitForFrame(app.lastFrame, ['Before it starts', 'writes a 1 GiB file in /tmp', 'Run it?']);
    await press(app.stdin, 'n');
    await waitForFrame(app.lastFrame, 'Run all five');
  });

  it('q during a run stops the drill, waits for its cleanup, then goes back', async () => {
    const scripted = services();
    const app = render(<App services={scripted} />);
    cleanup = app.unmount;
    await waitForFrame(app.lastFrame, 'Local event drills');
    await press(app.stdin, KEY.enter);
    await waitForFrame(app.lastFrame, 'Run all five');
    await press(app.stdin, KEY.down, KEY.down, KEY.enter);
    await waitForFrame(app.lastFrame, 'Run it?');
    await press(app.stdin, 'y');
    await waitForFrame(app.lastFrame, ['▶ disk_fill', 'running', 'loading the machine']);
    await press(app.stdin, 'q');
    await waitForFrame(app.lastFrame, 'Stopping: ending the drill and cleaning up');
    await waitForFrame(app.lastFrame, 'Run all five');
    expect(scripted.aborted).toEqual(['disk_fill']);
  });

  it('Ctrl-C quits from any screen, aborting a drill that runs', async () => {
    const scripted = services();
    const app = render(<App services={scripted} />);
    cleanup = app.unmount;
    await waitForFrame(app.lastFrame, 'Local event drills');
    await press(app.stdin, KEY.enter);
    await waitForFrame(app.lastFrame, 'Run all five');
    await press(app.stdin, KEY.down, KEY.down, KEY.enter);
    await waitForFrame(app.lastFrame, 'Run it?');
    await press(app.stdin, 'y');
    await waitForFrame(app.lastFrame, '▶ disk_fill');
    await press(app.stdin, KEY.ctrlC);
    // The quitting frame lasts one tick before the app exits: look for it among every frame drawn.
    await waitForFrame(() => app.frames.join('\n'), 'Quitting: ending everything firedrill started');
    await waitFor(() => scripted.aborted.length > 0, 5_000, 'the run to be aborted');
    expect(scripted.aborted).toEqual(['disk_fill']);
  });
});
