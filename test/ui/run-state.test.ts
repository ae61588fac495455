import { describe, expect, it } from 'vitest';
import type { DrillResult } from '../../src/drills/types.js';
import { initialRunState, runReducer } from '../../src/ui/state/run-state.js';

const result = (overrides: Partial<DrillResult>): DrillResult => ({
  test: 'cpu_spike',
  success: true,
  eventsTriggered: 1,
  events: [{ type: 'cpu_high', at: '2026-11-23T12:00:01.000Z', value: 97 }],
  startedAt: '2026-11-23T12:00:00.000Z',
  completedAt: '2026-11-23T12:00:05.000Z',
  durationMs: 5000,
  measured: { cpuPercentPeak: 97 },
  summary: 'CPU reached 97.0 % (threshold 80 %)',
  ...overrides,
});

describe('run screen state', () => {
  it('moves each drill from waiting to running to its verdict', () => {
    let state = initialRunState(['cpu_spike', 'process_spawn']);
    expect(state.lines.map((line) => line.status)).toEqual(['waiting', 'waiting']);
    state = runReducer(state, { type: 'run-started', runId: 'r1', machine: 'box', startedAt: '2026-11-23T12:00:00.000Z', drills: ['cpu_spike', 'process_spawn'] });
    state = runReducer(state, { type: 'drill-started', drill: 'cpu_spike', startedAt: '2026-11-23T12:00:00.000Z' });
    state = runReducer(state, { type: 'drill-progress', drill: 'cpu_spike', message: '2 workers busy' });
    expect(state.lines[0]).toMatchObject({ status: 'running', message: '2 workers busy', startedAtMs: Date.parse('2026-11-23T12:00:00.000Z') });
    state = runReducer(state, { type: 'monitor-event', drill: 'cpu_spike', event: { type: 'cpu_high', at: '2026-11-23T12:00:01.000Z', value: 97 } });
    expect(state.lines[0]?.events).toHaveLength(1);
    state = runReducer(state, { type: 'drill-finished', result: result({}) });
    expect(state.lines[0]).toMatchObject({ status: 'passed', message: 'CPU reached 97.0 % (threshold 80 %)' });
    state = runReducer(state, { type: 'drill-started', drill: 'process_spawn', startedAt: '2026-11-23T12:00:06.000Z' });
    state = runReducer(state, {
      type: 'drill-finished',
      result: result({ test: 'process_spawn', success: false, summary: 'saw 3 of 5 children', error: 'children missing', eventsTriggered: 0, events: [] }),
    });
    expect(state.lines[1]).toMatchObject({ status: 'failed', message: 'saw 3 of 5 children (children missing)' });
  });

  it('keeps the latest detection per source and marks an aborted run', () => {
    let state = initialRunState(['cpu_spike']);
    const detection = { source: 'prometheus' as const, detected: false, alerts: [], summary: 'waiting' };
    state = runReducer(state, { type: 'detection', drill: 'cpu_spike', detection });
    state = runReducer(state, { type: 'detection', drill: 'cpu_spike', detection: { ...detection, detected: true, summary: 'detected by NodeCpuBusy after 2.4 s' } });
    expect(state.lines[0]?.detections).toEqual([{ ...detection, detected: true, summary: 'detected by NodeCpuBusy after 2.4 s' }]);
    state = runReducer(state, { type: 'engine-stopped' });
    state = runReducer(state, {
      type: 'run-finished',
      report: { machine: 'box', runId: 'r1', startedAt: 'a', finishedAt: 'b', results: [], summary: { total: 0, passed: 0, failed: 0, eventsTriggered: 0 } },
    });
    expect(state.phase).toBe('aborted');
  });
});
