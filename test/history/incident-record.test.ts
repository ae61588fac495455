import { describe, expect, it } from 'vitest';
import { IncidentRecorder } from '../../src/history/incident-record.js';
import { makeIncident } from './fixtures/reports.js';

describe('IncidentRecorder', () => {
  it('builds the record from a simulation\'s events, with the most confident hypothesis on top', () => {
    const expected = makeIncident(1, 'host-a');
    const recorder = new IncidentRecorder('host-a');
    recorder.observe({ type: 'incident-opened', simulationId: expected.id, incidentId: 'inc-1', scenarioId: expected.scenarioId, severity: 'high', startedAt: expected.startedAt });
    recorder.observe({ type: 'metrics', elapsedSeconds: 1, points: [] });
    recorder.observe({ type: 'analysis-finished', source: 'built-in', hypotheses: [...expected.hypotheses].reverse(), actions: expected.actions });
    recorder.observe({ type: 'incident-finished', status: 'completed', completedAt: expected.finishedAt });
    const record = recorder.record();
    expect(record).toEqual({ ...expected, hypotheses: [...expected.hypotheses].reverse() });
  });

  it('records a simulation cut short as stopped, and nothing when it never opened', () => {
    expect(new IncidentRecorder('host-a').record()).toBeNull();
    const recorder = new IncidentRecorder('host-a');
    recorder.observe({ type: 'incident-opened', simulationId: 'sim-9', incidentId: 'inc-9', scenarioId: 'cpu-saturation', severity: 'low', startedAt: '2026-01-01T00:00:00.000Z' });
    const record = recorder.record(new Date('2026-01-01T00:01:00.000Z'));
    expect(record).toMatchObject({ id: 'sim-9', status: 'stopped', finishedAt: '2026-01-01T00:01:00.000Z', hypotheses: [], source: 'none' });
    expect(record?.topHypothesis).toBeUndefined();
  });
});
