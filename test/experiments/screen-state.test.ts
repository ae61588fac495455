import { describe, expect, it } from 'vitest';
import type { ExperimentEvent, FaultRecord, ProbeTick } from '../../src/experiments/types.js';
import { experimentReducer, gamedayReducer, initialExperimentView, MAX_ROUNDS } from '../../src/ui/state/experiment-state.js';

const probes = [{ name: 'health', kind: 'http', description: 'GET /health', measuresLatency: true }];
const summary = {
  id: 'x',
  title: 'X',
  description: 'x',
  risk: 'low' as const,
  severity: 1,
  tags: [],
  hypothesis: 'it answers',
  probeIntervalMs: 100,
  recoveryConsecutive: 2,
  recoveryWithinMs: 5000,
  checklist: { before: [], after: [] },
};
const started: ExperimentEvent = { type: 'experiment-started', runId: 'r', experiment: summary, probes, at: 0 };
const tick = (at: number, ok: boolean): ExperimentEvent => ({
  type: 'probe-tick',
  tick: { seq: at, at, ok, results: [{ probe: 'health', ok, latencyMs: 5, ...(ok ? { value: 200 } : {}), detail: '' }] } satisfies ProbeTick,
});
const fault = (extra: Partial<FaultRecord>): FaultRecord => ({
  step: 0,
  name: 'kill',
  kind: 'process_kill',
  description: 'SIGKILL',
  mode: 'instant',
  startedAt: 1000,
  deadlineAt: 6000,
  availability: null,
  probeAnswers: 0,
  errors: 0,
  latency: {},
  detection: [],
  ...extra,
});

describe('the experiment screen state', () => {
  it('marks rounds during a fault and until its recovery, and keeps the latency of answers only', () => {
    let state = experimentReducer(initialExperimentView('x'), started);
    state = experimentReducer(state, tick(900, true));
    state = experimentReducer(state, { type: 'fault-started', fault: fault({}) });
    state = experimentReducer(state, { type: 'fault-ended', fault: fault({ endedAt: 1010 }) });
    state = experimentReducer(state, tick(1100, false));
    state = experimentReducer(state, { type: 'fault-verdict', fault: fault({ endedAt: 1010, detectedAt: 1100, recoveredAt: 1300, verdict: 'recovered', timeToDetectMs: 100, timeToRecoverMs: 290 }) });
    state = experimentReducer(state, tick(1200, false));
    state = experimentReducer(state, tick(1300, true));
    expect(state.rounds.map((round) => round.mark)).toEqual([null, 'recovery', 'recovery', null]);
    expect(state.rounds.map((round) => round.latencyMs[0])).toEqual([5, null, null, 5]);
    expect(state.caption).toMatch(/^kill: DEVIATED AND RECOVERED: detected after 100 ms, recovered 290 ms after the fault ended/);
    expect(state.tone).toBe('warn');
    for (let at = 2000; at < 2000 + MAX_ROUNDS + 10; at += 1) state = experimentReducer(state, tick(at, true));
    expect(state.rounds).toHaveLength(MAX_ROUNDS);
  });

  it('a gameday starts a fresh view for each experiment and keeps the results before it', () => {
    let state = gamedayReducer(initialExperimentView('gameday'), { type: 'gameday-started', id: 'g', at: 0, endsAt: 60_000, candidates: ['x'] });
    state = gamedayReducer(state, { type: 'experiment', index: 0, event: started });
    state = gamedayReducer(state, { type: 'experiment', index: 0, event: tick(10, true) });
    state = gamedayReducer(state, { type: 'waiting', at: 20, untilAt: 30, message: 'recovering for 0.01 s before the next experiment' });
    expect(state.caption).toBe('Recovering for 0.01 s before the next experiment');
    state = gamedayReducer(state, { type: 'experiment', index: 1, event: started });
    expect(state.rounds).toEqual([]);
    expect(state.gameday).toMatchObject({ index: 1, endsAt: 60_000 });
    expect(state.timeline.some((item) => item.message.startsWith('gameday started'))).toBe(true);
  });
});
