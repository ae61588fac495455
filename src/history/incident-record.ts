import type { IncidentEvent } from '../incidents/types.js';
import { topHypothesisOf, type IncidentRecord } from './store.js';

/**
 * Builds the IncidentRecord that history keeps from a simulation's events, as they stream by
 * (in-process or from the incident API): feed every event to `observe`, then ask `record()`.
 */
export class IncidentRecorder {
  private opened: Extract<IncidentEvent, { type: 'incident-opened' }> | undefined;
  private analysis: Extract<IncidentEvent, { type: 'analysis-finished' }> | undefined;
  private finished: Extract<IncidentEvent, { type: 'incident-finished' }> | undefined;

  constructor(private readonly machine: string) {}

  observe(event: IncidentEvent): void {
    if (event.type === 'incident-opened') this.opened = event;
    else if (event.type === 'analysis-finished') this.analysis = event;
    else if (event.type === 'incident-finished') this.finished = event;
  }

  /**
   * The record, or null when the simulation never opened. A simulation cut short (Ctrl-C, a dropped
   * stream) is recorded as stopped, with whatever analysis it had.
   */
  record(now: Date = new Date()): IncidentRecord | null {
    if (!this.opened) return null;
    const hypotheses = this.analysis?.hypotheses ?? [];
    const record: IncidentRecord = {
      id: this.opened.simulationId,
      machine: this.machine,
      scenarioId: this.opened.scenarioId,
      source: this.analysis?.source ?? 'none',
      severity: this.opened.severity,
      startedAt: this.opened.startedAt,
      finishedAt: this.finished?.completedAt ?? now.toISOString(),
      status: this.finished?.status ?? 'stopped',
      hypotheses,
      actions: this.analysis?.actions ?? [],
    };
    const top = topHypothesisOf(hypotheses);
    if (top) record.topHypothesis = top;
    return record;
  }
}
