import { describe, expect, it } from 'vitest';
import type { Hypothesis, IncidentEvent, RecommendedAction } from '../../src/incidents/types.js';
import {
  incidentReducer,
  initialIncidentState,
  METRIC_HISTORY_LENGTH,
  type IncidentScreenEvent,
  type IncidentState,
} from '../../src/ui/incident/incident-state.js';
import { metric, scenario } from './fixtures.js';

const LEAK = scenario({
  id: 'memory_leak',
  name: 'Gradual Memory Leak',
  severity: 'critical',
  metrics: [metric({ name: 'memory_usage_percent', value: 95, baseline: 25, deviationSigma: 5, unit: '%' }), metric({ name: 'flat', value: 1, baseline: 1, deviationSigma: 0 })],
});

function hypothesis(category: string, confidence: number): Hypothesis {
  return { description: `${category} explains it`, category, confidence, evidence: [{ signal: 'memory_usage_percent', observation: 'grew', relevance: 0.9 }], reasoning: 'because' };
}

const RESTART: RecommendedAction = { type: 'restart_pod', target: 'payment-service', riskLevel: 'medium', blastRadius: 'one pod', rationale: 'frees memory', requiresApproval: true };

function fold(events: IncidentScreenEvent[], state: IncidentState = initialIncidentState(LEAK)): IncidentState {
  return events.reduce(incidentReducer, state);
}

describe('incidentReducer', () => {
  it('starts from the scenario: its severity, its metrics without values, no source yet', () => {
    const state = initialIncidentState(LEAK);
    expect(state.status).toBe('connecting');
    expect(state.severity).toBe('critical');
    expect(state.source).toBeUndefined();
    expect(state.metrics.map((view) => [view.name, view.current])).toEqual([
      ['memory_usage_percent', undefined],
      ['flat', undefined],
    ]);
  });

  it('incident-opened: running, with the ids and the severity the engine derived', () => {
    const state = fold([{ type: 'incident-opened', simulationId: 'sim_0a1b2c3d', incidentId: 'inc-1', scenarioId: 'memory_leak', severity: 'high', startedAt: '2026-01-01T00:00:00Z' }]);
    expect(state).toMatchObject({ status: 'running', simulationId: 'sim_0a1b2c3d', incidentId: 'inc-1', severity: 'high' });
  });

  it('metrics: current value, sigma from the scenario spread, capped history, and unknown metrics appended', () => {
    const ticks: IncidentEvent[] = Array.from({ length: METRIC_HISTORY_LENGTH + 5 }, (_, tick) => ({
      type: 'metrics',
      elapsedSeconds: tick,
      points: [{ name: 'memory_usage_percent', value: 25 + tick, baseline: 25, unit: '%' }],
    }));
    const state = fold([...ticks, { type: 'metrics', elapsedSeconds: 99, points: [{ name: 'memory_usage_percent', value: 60, baseline: 25, unit: '%' }, { name: 'remote_only', value: 3, baseline: 1, unit: 'count' }] }]);
    const memory = state.metrics.find((view) => view.name === 'memory_usage_percent')!;
    // 95 - 25 = 70 is 5 sigma, so one sigma is 14: 60 is (60 - 25) / 14 = 2.5 sigma.
    expect(memory.current).toBe(60);
    expect(memory.sigma).toBeCloseTo(2.5);
    expect(memory.history).toHaveLength(METRIC_HISTORY_LENGTH);
    expect(memory.history.at(-1)).toBe(60);
    expect(state.elapsedSeconds).toBe(99);
    expect(state.status).toBe('running');
    const remote = state.metrics.find((view) => view.name === 'remote_only')!;
    expect(remote).toMatchObject({ current: 3, baseline: 1, sigma: undefined });
    expect(state.metrics.find((view) => view.name === 'flat')!.sigma).toBeUndefined();
  });

  it('timeline: entries in order', () => {
    const state = fold([
      { type: 'timeline', at: '2026-01-01T00:00:01Z', message: 'metrics injected' },
      { type: 'timeline', at: '2026-01-01T00:00:02Z', message: 'analysis started' },
    ]);
    expect(state.timeline.map((entry) => entry.message)).toEqual(['metrics injected', 'analysis started']);
  });

  it('hypothesis-text appends the streamed pieces per index, and the completed hypothesis replaces its text', () => {
    const streamed = fold([
      { type: 'hypothesis-text', index: 1, text: 'Second ' },
      { type: 'hypothesis-text', index: 0, text: 'The heap ' },
      { type: 'hypothesis-text', index: 0, text: 'keeps growing' },
    ]);
    expect(streamed.streaming).toEqual([
      { index: 0, text: 'The heap keeps growing' },
      { index: 1, text: 'Second ' },
    ]);
    const completed = incidentReducer(streamed, { type: 'hypothesis', index: 0, hypothesis: hypothesis('memory_leak', 0.7) });
    expect(completed.streaming).toEqual([{ index: 1, text: 'Second ' }]);
    expect(completed.hypotheses.map((item) => item.category)).toEqual(['memory_leak']);
  });

  it('hypotheses stay sorted by confidence, highest first, whatever order they arrive in', () => {
    const state = fold([
      { type: 'hypothesis', index: 0, hypothesis: hypothesis('cpu_spike', 0.4) },
      { type: 'hypothesis', index: 1, hypothesis: hypothesis('memory_leak', 0.9) },
      { type: 'hypothesis', index: 2, hypothesis: hypothesis('traffic_spike', 0.6) },
    ]);
    expect(state.hypotheses.map((item) => item.confidence)).toEqual([0.9, 0.6, 0.4]);
  });

  it('action, notice and source are recorded', () => {
    const state = fold([
      { type: 'action', action: RESTART },
      { type: 'notice', level: 'warn', message: 'The LLM is down: using the built-in analyzer.' },
      { type: 'source', source: 'built-in' },
    ]);
    expect(state.actions).toEqual([RESTART]);
    expect(state.notices).toEqual([{ level: 'warn', message: 'The LLM is down: using the built-in analyzer.' }]);
    expect(state.source).toBe('built-in');
  });

  it('analysis-finished: its lists replace what streamed (no duplicates), sorted, and texts still streaming are dropped', () => {
    const state = fold([
      { type: 'source', source: 'llama3.1:8b' },
      { type: 'hypothesis', index: 0, hypothesis: hypothesis('memory_leak', 0.5) },
      { type: 'action', action: RESTART },
      { type: 'hypothesis-text', index: 1, text: 'half-writ' },
      { type: 'analysis-finished', source: 'built-in', hypotheses: [hypothesis('memory_leak', 0.5), hypothesis('deployment_issue', 0.8)], actions: [RESTART] },
    ]);
    expect(state.analysisFinished).toBe(true);
    expect(state.source).toBe('built-in');
    expect(state.hypotheses.map((item) => item.category)).toEqual(['deployment_issue', 'memory_leak']);
    expect(state.actions).toHaveLength(1);
    expect(state.streaming).toEqual([]);
  });

  it('incident-finished: the final status and error', () => {
    expect(fold([{ type: 'incident-finished', status: 'completed', completedAt: '2026-01-01T00:01:00Z' }]).status).toBe('completed');
    const failed = fold([{ type: 'incident-finished', status: 'failed', completedAt: '2026-01-01T00:01:00Z', error: 'The scenario has no metrics.' }]);
    expect(failed).toMatchObject({ status: 'failed', error: 'The scenario has no metrics.' });
  });

  it('a broken stream fails the incident; a stream that just stops leaves it stopped, but never overrides a final status', () => {
    expect(fold([{ type: 'engine-failed', message: 'connect ECONNREFUSED 127.0.0.1:8000' }])).toMatchObject({ status: 'failed', error: 'connect ECONNREFUSED 127.0.0.1:8000' });
    expect(fold([{ type: 'metrics', elapsedSeconds: 1, points: [] }, { type: 'engine-ended' }]).status).toBe('stopped');
    expect(fold([{ type: 'incident-finished', status: 'completed', completedAt: 'x' }, { type: 'engine-ended' }]).status).toBe('completed');
  });

  it('does not change the state it was given', () => {
    const before = initialIncidentState(LEAK);
    const snapshot = structuredClone(before);
    fold([{ type: 'metrics', elapsedSeconds: 1, points: [{ name: 'memory_usage_percent', value: 50, baseline: 25, unit: '%' }] }, { type: 'hypothesis-text', index: 0, text: 'x' }], before);
    expect(before).toEqual(snapshot);
  });
});
