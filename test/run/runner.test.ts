import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { runDrills, type RunDrillsOptions } from '../../src/drills/runner.js';
import type { Detection, Drill, DrillContext, DrillName, DrillOutcome, RunEvent, RunReport } from '../../src/drills/types.js';
import type { Detector } from '../../src/monitor/detector.js';
import { ScriptedSource } from './scripted-source.js';

const config = parseConfig({ monitor: { settle_timeout_seconds: 3 } });

function testDrill(name: DrillName, run: (context: DrillContext) => Promise<DrillOutcome>, preflight: () => Promise<string | null> = async () => null): Drill {
  return {
    name,
    title: `Test ${name}`,
    description: 'a drill for tests',
    defaultDurationSeconds: 1,
    riskWarning: () => null,
    preflight,
    run,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function collect(options: RunDrillsOptions): Promise<{ events: RunEvent[]; report: RunReport }> {
  const events: RunEvent[] = [];
  const run = runDrills(options);
  for (;;) {
    const next = await run.next();
    if (next.done) return { events, report: next.value };
    events.push(next.value);
  }
}

let source: ScriptedSource;
afterEach(() => source?.stop());

describe('runDrills with test drills', () => {
  it('attributes the monitor events to the drill that caused them and keeps going after failures', async () => {
    source = new ScriptedSource().start();
    let cpuBusy = false;
    source.reading = () => ({ cpuPercent: cpuBusy ? 95 : 10 });
    const drills = {
      cpu_spike: testDrill('cpu_spike', async (context) => {
        cpuBusy = true;
        context.progress('burning');
        await sleep(200);
        cpuBusy = false;
        return { success: true, measured: { cpuPercentPeak: 95 }, summary: 'CPU reached 95 %' };
      }),
      memory_pressure: testDrill('memory_pressure', async () => ({ success: false, measured: { memPercentPeak: 30 }, summary: 'memory stayed at 30 %', error: 'memory never crossed 80 %' })),
      disk_fill: testDrill('disk_fill', async () => {
        throw new Error('disk is on fire');
      }),
      service_restart: testDrill('service_restart', async (context) => {
        context.reportEvent({ type: 'service_stopped', at: new Date().toISOString(), value: 0, detail: 'canary stopped' });
        return { success: true, measured: { recoveredInMs: 12 }, summary: 'canary recovered' };
      }),
    };
    const { events, report } = await collect({
      drills,
      order: ['cpu_spike', 'memory_pressure', 'disk_fill', 'service_restart'],
      config,
      sampler: source,
      signal: new AbortController().signal,
      machine: 'test-machine',
    });

    expect(report.machine).toBe('test-machine');
    expect(report.results.map((result) => [result.test, result.success])).toEqual([
      ['cpu_spike', true],
      ['memory_pressure', false],
      ['disk_fill', false],
      ['service_restart', true],
    ]);
    const [cpu, memory, disk, service] = report.results;
    expect(cpu!.events.map((event) => event.type)).toEqual(['cpu_high']);
    expect(cpu!.eventsTriggered).toBe(1);
    expect(cpu!.measured).toEqual({ cpuPercentPeak: 95 });
    expect(memory!.error).toBe('memory never crossed 80 %');
    expect(memory!.eventsTriggered).toBe(0);
    expect(disk!.error).toBe('disk is on fire');
    expect(service!.events.map((event) => event.type)).toEqual(['service_stopped']);
    expect(report.summary).toEqual({ total: 4, passed: 2, failed: 2, eventsTriggered: 2 });

    const kinds = events.filter((event) => event.type !== 'sample').map((event) => event.type);
    expect(kinds[0]).toBe('run-started');
    expect(kinds.at(-1)).toBe('run-finished');
    expect(events).toContainEqual({ type: 'drill-progress', drill: 'cpu_spike', message: 'burning' });
    expect(events.find((event) => event.type === 'monitor-event')).toMatchObject({ drill: 'cpu_spike', event: { type: 'cpu_high' } });
    for (const result of report.results) {
      expect(Date.parse(result.completedAt)).toBeGreaterThanOrEqual(Date.parse(result.startedAt));
    }
  });

  it('counts an event seen shortly after the drill ended, while settling, for that drill', async () => {
    source = new ScriptedSource().start();
    let memoryHighUntil = 0;
    source.reading = () => ({ memPercent: Date.now() < memoryHighUntil ? 90 : 25 });
    const drills = {
      memory_pressure: testDrill('memory_pressure', async () => {
        // The monitor only sees the effect after the drill has returned.
        memoryHighUntil = Date.now() + 200;
        return { success: true, measured: {}, summary: 'allocated' };
      }),
      process_spawn: testDrill('process_spawn', async () => ({ success: true, measured: {}, summary: 'spawned' })),
    };
    const { events, report } = await collect({ drills, order: ['memory_pressure', 'process_spawn'], config, sampler: source, signal: new AbortController().signal });
    expect(report.results[0]!.events.map((event) => event.type)).toEqual(['memory_high']);
    expect(report.results[1]!.eventsTriggered).toBe(0);
    const settlingIndex = events.findIndex((event) => event.type === 'settling' && event.drill === 'memory_pressure');
    const eventIndex = events.findIndex((event) => event.type === 'monitor-event');
    expect(eventIndex).toBeGreaterThan(settlingIndex);
  });

  it('waits for the machine to come back near its baseline before the next drill, with no fixed sleep', async () => {
    source = new ScriptedSource().start();
    let hotReadingsLeft = 0;
    source.reading = () => {
      if (hotReadingsLeft > 0) {
        hotReadingsLeft -= 1;
        return { cpuPercent: 90 };
      }
      return { cpuPercent: 10 };
    };
    const drills = {
      cpu_spike: testDrill('cpu_spike', async () => {
        hotReadingsLeft = 6;
        return { success: true, measured: {}, summary: 'burned' };
      }),
      process_spawn: testDrill('process_spawn', async () => ({ success: true, measured: {}, summary: 'spawned' })),
    };
    const { events } = await collect({ drills, order: ['cpu_spike', 'process_spawn'], config, sampler: source, signal: new AbortController().signal });
    const secondStart = events.findIndex((event) => event.type === 'drill-started' && event.drill === 'process_spawn');
    const firstEnd = events.findIndex((event) => event.type === 'drill-finished');
    const readingsBetween = events
      .slice(0, secondStart)
      .filter((event): event is Extract<RunEvent, { type: 'sample' }> => event.type === 'sample')
      .map((event) => event.sample.cpuPercent);
    // The hot readings all came (and went) before process_spawn started.
    expect(readingsBetween.filter((cpu) => cpu === 90)).toHaveLength(6);
    expect(readingsBetween.at(-1)).toBe(10);
    expect(firstEnd).toBeLessThan(secondStart);
    const settled = events.find((event) => event.type === 'settling' && event.message.startsWith('Settled'));
    expect(settled).toBeDefined();
  });

  it('goes on after the settle timeout when the machine stays busy', async () => {
    source = new ScriptedSource().start();
    source.reading = () => ({ cpuPercent: source.samples.length > 3 ? 95 : 10 });
    const quick = parseConfig({ monitor: { settle_timeout_seconds: 0.3 } });
    const drills = {
      cpu_spike: testDrill('cpu_spike', async () => ({ success: true, measured: {}, summary: 'burned' })),
      process_spawn: testDrill('process_spawn', async () => ({ success: true, measured: {}, summary: 'spawned' })),
    };
    const { events, report } = await collect({ drills, order: ['cpu_spike', 'process_spawn'], config: quick, sampler: source, signal: new AbortController().signal });
    expect(report.results).toHaveLength(2);
    expect(events.some((event) => event.type === 'settling' && event.message.startsWith('Not back to baseline'))).toBe(true);
  });

  it('fails a drill whose preflight refuses, without running it', async () => {
    source = new ScriptedSource().start();
    let ran = false;
    const drills = {
      disk_fill: testDrill(
        'disk_fill',
        async () => {
          ran = true;
          return { success: true, measured: {}, summary: 'filled' };
        },
        async () => 'the disk is already 95 % full',
      ),
    };
    const { report } = await collect({ drills, order: ['disk_fill'], config, sampler: source, signal: new AbortController().signal });
    expect(ran).toBe(false);
    expect(report.results[0]).toMatchObject({ test: 'disk_fill', success: false, error: 'the disk is already 95 % full' });
    expect(report.results[0]!.summary).toContain('95 % full');
  });

  it('stops the running drill on abort, runs no further drill, and reports what finished', async () => {
    source = new ScriptedSource().start();
    const controller = new AbortController();
    let processSpawnStopped = false;
    let diskFillRan = false;
    const drills = {
      cpu_spike: testDrill('cpu_spike', async () => ({ success: true, measured: { cpuPercentPeak: 91 }, summary: 'burned' })),
      process_spawn: testDrill('process_spawn', async (context) => {
        await abortableSleep(30_000, context.signal);
        processSpawnStopped = context.signal.aborted;
        return { success: false, measured: {}, summary: 'stopped' };
      }),
      disk_fill: testDrill('disk_fill', async () => {
        diskFillRan = true;
        return { success: true, measured: {}, summary: 'filled' };
      }),
    };
    const events: RunEvent[] = [];
    const run = runDrills({ drills, order: ['cpu_spike', 'process_spawn', 'disk_fill'], config, sampler: source, signal: controller.signal });
    let report: RunReport | undefined;
    for (;;) {
      const next = await run.next();
      if (next.done) {
        report = next.value;
        break;
      }
      events.push(next.value);
      if (next.value.type === 'drill-started' && next.value.drill === 'process_spawn') controller.abort(new Error('SIGTERM'));
    }
    expect(processSpawnStopped).toBe(true);
    expect(diskFillRan).toBe(false);
    expect(report.results.map((result) => result.test)).toEqual(['cpu_spike']);
    expect(report.summary.total).toBe(1);
    expect(events.at(-1)).toMatchObject({ type: 'run-finished' });
  });

  it('stops the running drill when the consumer stops listening', async () => {
    source = new ScriptedSource().start();
    let stopped = false;
    const drills = {
      cpu_spike: testDrill('cpu_spike', async (context) => {
        await abortableSleep(30_000, context.signal);
        stopped = context.signal.aborted;
        return { success: false, measured: {}, summary: 'stopped' };
      }),
    };
    for await (const event of runDrills({ drills, order: ['cpu_spike'], config, sampler: source, signal: new AbortController().signal })) {
      if (event.type === 'drill-started') break;
    }
    expect(stopped).toBe(true);
  });

  it('asks each detector to watch the drill and reports its verdict', async () => {
    source = new ScriptedSource().start();
    const watched: string[] = [];
    const verdict: Detection = { source: 'prometheus', expected: 'NodeCpuBusy', detected: true, alerts: [], summary: 'detected by NodeCpuBusy after 1.0 s' };
    const detector: Detector = {
      source: 'prometheus',
      async watch(drill, _startedAt, _signal, onUpdate) {
        watched.push(drill);
        onUpdate({ ...verdict, detected: false, summary: 'waiting' });
        return {
          async finish() {
            await sleep(100);
            return verdict;
          },
        };
      },
    };
    const drills = { cpu_spike: testDrill('cpu_spike', async () => ({ success: true, measured: {}, summary: 'burned' })) };
    const { events, report } = await collect({ drills, order: ['cpu_spike'], config, sampler: source, detectors: [detector], signal: new AbortController().signal });
    expect(watched).toEqual(['cpu_spike']);
    expect(report.results[0]!.detection).toEqual([verdict]);
    const detections = events.filter((event) => event.type === 'detection');
    expect(detections.map((event) => (event.type === 'detection' ? event.detection.summary : ''))).toEqual(['waiting', verdict.summary]);
  });

  it('fails a drill whose expected alert did not fire, but not one whose monitoring could not be asked', async () => {
    source = new ScriptedSource().start();
    const verdicts: Record<string, Detection> = {
      cpu_spike: { source: 'alertmanager', expected: 'NodeCpuBusy', detected: false, alerts: [], summary: 'NodeCpuBusy did not fire within 30 s' },
      process_spawn: { source: 'alertmanager', expected: 'TooManyProcs', detected: false, alerts: [], summary: 'unreachable', error: 'connect ECONNREFUSED 127.0.0.1:9093' },
    };
    const detector: Detector = {
      source: 'alertmanager',
      async watch(drill) {
        return { finish: async () => verdicts[drill]! };
      },
    };
    const drills = {
      cpu_spike: testDrill('cpu_spike', async () => ({ success: true, measured: {}, summary: 'burned' })),
      process_spawn: testDrill('process_spawn', async () => ({ success: true, measured: {}, summary: 'spawned' })),
    };
    const { report } = await collect({ drills, order: ['cpu_spike', 'process_spawn'], config, sampler: source, detectors: [detector], signal: new AbortController().signal });
    expect(report.results[0]).toMatchObject({ success: false, error: 'alertmanager did not report NodeCpuBusy: NodeCpuBusy did not fire within 30 s' });
    expect(report.results[1]).toMatchObject({ success: true });
    expect(report.results[1]!.error).toBeUndefined();
  });
});
