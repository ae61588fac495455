import type { ProcessSample, WorkloadEvent, WorkloadSummary, WorkloadTotals } from '../../workloads/types.js';
import type { EngineSignal } from '../hooks/use-engine.js';
import type { TimelineItem } from '../panels/Timeline.js';

/**
 * What the workload screen shows, folded from the engine's events (pure: tested without Ink).
 * Samples replace the process list; churn, deaths, restarts and chaos go to the timeline.
 */

export interface WorkloadView {
  phase: 'starting' | 'running' | 'stopping' | 'finished' | 'failed';
  profile: string;
  requested: number;
  workloadId?: string;
  engine?: string;
  started: number;
  startMs?: number;
  totals?: WorkloadTotals;
  /** The latest sample's processes, busiest first. */
  processes: ProcessSample[];
  /** The workload's CPU (percent of a core) over the last minute of samples. */
  cpuHistory: number[];
  timeline: TimelineItem[];
  summary?: WorkloadSummary;
  /** Why it failed or how it ended. */
  reason?: string;
}

const TIMELINE_KEPT = 50;
const HISTORY_KEPT = 60;

export function initialWorkloadView(profile: string, requested: number): WorkloadView {
  return { phase: 'starting', profile, requested, started: 0, processes: [], cpuHistory: [], timeline: [] };
}

function note(state: WorkloadView, item: TimelineItem): TimelineItem[] {
  return [...state.timeline, item].slice(-TIMELINE_KEPT);
}

export function workloadReducer(state: WorkloadView, event: WorkloadEvent | EngineSignal): WorkloadView {
  const now = Date.now();
  switch (event.type) {
    case 'starting':
      return { ...state, workloadId: event.workloadId, engine: event.engine, requested: event.processes };
    case 'progress':
      return { ...state, started: event.started };
    case 'started':
      return {
        ...state,
        phase: state.phase === 'starting' ? 'running' : state.phase,
        started: event.processes,
        startMs: event.elapsedMs,
        timeline: note(state, { at: now, message: `${event.processes} processes started in ${(event.elapsedMs / 1000).toFixed(1)} s` }),
      };
    case 'sample':
      return { ...state, totals: event.totals, processes: event.processes, cpuHistory: [...state.cpuHistory, event.totals.cpuPercent].slice(-HISTORY_KEPT) };
    case 'churned':
      return {
        ...state,
        timeline: note(state, { at: now, message: `churn: ${event.ended.name} (${event.ended.pid}) ended${event.started ? `, ${event.started.pid} started` : ''}${event.reason === 'burst' ? ' (burst)' : ''}` }),
      };
    case 'died': {
      const how = event.signal ? `killed by ${event.signal}` : `exited ${event.code}`;
      return {
        ...state,
        timeline: note(state, {
          at: now,
          message: `${event.process.name} (${event.process.pid}) ${how}${event.cause === 'lifetime' ? '' : ` (${event.cause})`}${event.restart ? ', restarting' : ''}`,
          tone: event.cause === 'lifetime' && event.code === 0 ? 'info' : 'warn',
        }),
      };
    }
    case 'restarted':
      return { ...state, timeline: note(state, { at: now, message: `restarted ${event.process.name} as ${event.process.pid}`, tone: 'good' }) };
    case 'chaos':
      return { ...state, timeline: note(state, { at: now, message: `chaos: ${event.result.message}`, tone: 'bad' }) };
    case 'notice':
      return { ...state, timeline: note(state, { at: now, message: event.message, tone: 'warn' }) };
    case 'finished':
      return { ...state, phase: event.status, summary: event.summary, reason: event.reason, processes: [] };
    case 'engine-stopped':
      return state.phase === 'finished' || state.phase === 'failed' ? state : { ...state, phase: 'stopping' };
    case 'engine-failed':
      return { ...state, phase: 'failed', reason: event.message };
    case 'engine-ended':
      return state;
  }
}
