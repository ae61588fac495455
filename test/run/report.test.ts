import { describe, expect, it } from 'vitest';
import type { DrillResult, RunEvent, RunReport } from '../../src/drills/types.js';
import { summarize } from '../../src/drills/types.js';
import { toJsonReport } from '../../src/report/json.js';
import { toJunitXml } from '../../src/report/junit.js';
import { formatTextReport, shouldUseColor, TextReporter } from '../../src/report/text.js';
import { findAll, parseXml } from './xml.js';

const passed: DrillResult = {
  test: 'cpu_spike',
  success: true,
  eventsTriggered: 1,
  events: [{ type: 'cpu_high', at: '2026-01-14T12:00:02.000Z', value: 95.2, threshold: 80, detail: 'CPU at 95.2 % (threshold 80 %)' }],
  startedAt: '2026-01-14T12:00:00.000Z',
  completedAt: '2026-01-14T12:00:05.000Z',
  durationMs: 5000,
  measured: { cpuPercentPeak: 95.2, workers: 2 },
  summary: 'CPU reached 95.2 % (threshold 80 %)',
};

const failed: DrillResult = {
  test: 'service_restart',
  success: false,
  eventsTriggered: 0,
  events: [],
  startedAt: '2026-01-14T12:00:06.000Z',
  completedAt: '2026-01-14T12:00:08.000Z',
  durationMs: 2000,
  measured: { healthyAfterMs: null },
  summary: 'canary <web> & "api" did not recover',
  error: 'health check said <500> & \'gave up\'\u0007',
  detection: [{ source: 'prometheus', expected: 'CanaryDown', detected: false, alerts: [], summary: 'CanaryDown did not fire within 30 s' }],
};

const report: RunReport = {
  machine: 'arcturus',
  runId: '123e4567-e89b-12d3-a456-426614174000',
  startedAt: '2026-01-14T12:00:00.000Z',
  finishedAt: '2026-01-14T12:00:10.000Z',
  results: [passed, failed],
  summary: summarize([passed, failed]),
};

describe('text report', () => {
  it('reads like the original: header, one block per drill, status, events, summary', () => {
    const text = formatTextReport(report, { color: false });
    expect(text).toContain('Machine: arcturus');
    expect(text).toContain('Run ID: 123e4567-e89b-12d3-a456-426614174000');
    expect(text).toContain('Started: 2026-01-14T12:00:00.000Z');
    expect(text).toContain('[TEST] CPU Spike');
    expect(text).toContain('[TEST] Service Restart');
    expect(text).toContain('Measured: cpuPercentPeak 95.2 %, workers 2');
    expect(text).toMatch(/CPU reached 95.2 %[\s\S]*Status: ✓ PASS\nEvents triggered: 1 \(cpu_high\)/);
    expect(text).toMatch(/Status: ✗ FAIL\nEvents triggered: 0/);
    expect(text).toContain('Detection (prometheus): CanaryDown did not fire within 30 s');
    expect(text).toMatch(/TEST SUMMARY\n=+\nTotal Tests: 2\nPassed: 1\nFailed: 1\nEvents Triggered: 1\n/);
    expect(text).not.toContain('\u001b[');
  });

  it('colours status only when asked to', () => {
    const coloured = formatTextReport(report, { color: true });
    expect(coloured).toContain('\u001b[32m✓ PASS\u001b[39m');
    expect(coloured).toContain('\u001b[31m✗ FAIL\u001b[39m');
  });

  it('uses colour on a terminal unless NO_COLOR is set, and never off a terminal', () => {
    const terminal = { isTTY: true } as unknown as NodeJS.WritableStream;
    const pipe = { isTTY: false } as unknown as NodeJS.WritableStream;
    expect(shouldUseColor(terminal, {})).toBe(true);
    expect(shouldUseColor(terminal, { NO_COLOR: '1' })).toBe(false);
    expect(shouldUseColor(pipe, {})).toBe(false);
  });

  it('streams lines as events come and says when a run was interrupted', () => {
    const reporter = new TextReporter({ color: false, titles: { cpu_spike: 'CPU spike' } });
    const events: RunEvent[] = [
      { type: 'run-started', runId: 'r1', machine: 'm1', startedAt: 't0', drills: ['cpu_spike'] },
      { type: 'sample', sample: { at: 0, cpuPercent: 1, memUsedBytes: 1, memTotalBytes: 2, memPercent: 50, diskUsedBytes: 1, diskTotalBytes: 2, diskPercent: 50, processCount: 9 } },
      { type: 'drill-started', drill: 'cpu_spike', startedAt: 't1' },
      { type: 'drill-progress', drill: 'cpu_spike', message: 'started 2 busy workers' },
    ];
    const lines = events.flatMap((event) => reporter.lines(event));
    expect(lines).toContain('[TEST] CPU spike');
    expect(lines).toContain('started 2 busy workers');
    expect(lines.join('\n')).not.toContain('processCount');
    expect(reporter.interruptedLines('SIGTERM').join('\n')).toContain('Interrupted (SIGTERM) during CPU spike');
  });

  it('prints at most one progress line per interval, and the latest held-back one before the result', () => {
    let clock = 0;
    const reporter = new TextReporter({ color: false, progressIntervalMs: 5000, now: () => clock });
    const progress = (at: number, message: string) => {
      clock = at;
      return reporter.lines({ type: 'drill-progress', drill: 'memory_pressure', message });
    };
    reporter.lines({ type: 'drill-started', drill: 'memory_pressure', startedAt: 't' });
    expect(progress(0, 'chunk 1')).toEqual(['chunk 1']);
    expect(progress(1000, 'chunk 2')).toEqual([]);
    expect(progress(2000, 'chunk 3')).toEqual([]);
    expect(progress(6000, 'chunk 4')).toEqual(['chunk 4']);
    expect(progress(7000, 'chunk 5')).toEqual([]);
    const finished = reporter.lines({ type: 'drill-finished', result: { ...passed, test: 'memory_pressure' } });
    expect(finished[0]).toBe('chunk 5');
    expect(finished).toContain('Status: ✓ PASS');
  });
});

describe('JSON report', () => {
  it('has exactly the documented fields', () => {
    const json = JSON.parse(JSON.stringify(toJsonReport(report))) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['finishedAt', 'machine', 'results', 'runId', 'startedAt', 'summary']);
    expect(json.summary).toEqual({ total: 2, passed: 1, failed: 1, eventsTriggered: 1 });
    const [first, second] = json.results as Array<Record<string, unknown>>;
    expect(Object.keys(first!).sort()).toEqual(['completedAt', 'events', 'eventsTriggered', 'measured', 'startedAt', 'success', 'summary', 'test']);
    expect(first).toMatchObject({ test: 'cpu_spike', success: true, eventsTriggered: 1, measured: { cpuPercentPeak: 95.2, workers: 2 } });
    expect(second).toMatchObject({ test: 'service_restart', success: false, error: failed.error, detection: failed.detection });
  });
});

describe('JUnit report', () => {
  it('is well-formed XML with a testcase per drill, a failure with its message, and the measured values', () => {
    const xml = toJunitXml(report);
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    const [suite] = findAll(root, 'testsuite');
    expect(suite!.attributes).toMatchObject({ tests: '2', failures: '1', hostname: 'arcturus', id: report.runId });
    const cases = findAll(suite!, 'testcase');
    expect(cases.map((testcase) => testcase.attributes.name)).toEqual(['cpu_spike', 'service_restart']);
    expect(findAll(cases[0]!, 'failure')).toHaveLength(0);
    expect(findAll(cases[0]!, 'system-out')[0]!.text).toContain('measured: cpuPercentPeak 95.2 %, workers 2');
    const [failure] = findAll(cases[1]!, 'failure');
    // Escaped on the way in, intact on the way out; the bell character XML cannot hold is dropped.
    expect(failure!.attributes.message).toBe("health check said <500> & 'gave up'");
    expect(failure!.text).toBe('canary <web> & "api" did not recover');
    expect(findAll(cases[1]!, 'system-out')[0]!.text).toContain('detection (prometheus): CanaryDown did not fire within 30 s');
  });
});
