import type { Detection, DrillName, DrillResult, MonitorEvent, RunEvent, RunReport } from '../../drills/types.js';
import type { EngineSignal } from '../hooks/use-engine.js';

/** What the run screen shows, folded from the runner's events. Pure: tested without Ink. */
export type DrillLineStatus = 'waiting' | 'running' | 'settling' | 'passed' | 'failed';

export interface DrillLine {
  drill: DrillName;
  status: DrillLineStatus;
  /** Epoch ms the drill started, for the elapsed time while it runs. */
  startedAtMs?: number;
  /** The latest progress line while running, the result's summary once finished. */
  message?: string;
  events: MonitorEvent[];
  detections: Detection[];
  result?: DrillResult;
}

export interface RunState {
  phase: 'starting' | 'running' | 'finished' | 'aborted' | 'failed';
  runId?: string;
  machine?: string;
  lines: DrillLine[];
  report?: RunReport;
  error?: string;
  notices: string[];
}

export type RunAction = RunEvent | EngineSignal;

export function initialRunState(drills: readonly DrillName[]): RunState {
  return { phase: 'starting', notices: [], lines: drills.map((drill) => ({ drill, status: 'waiting', events: [], detections: [] })) };
}

function updateLine(state: RunState, drill: DrillName, update: (line: DrillLine) => DrillLine): RunState {
  return { ...state, lines: state.lines.map((line) => (line.drill === drill ? update(line) : line)) };
}

export function runReducer(state: RunState, action: RunAction): RunState {
  switch (action.type) {
    case 'run-started':
      return { ...state, phase: 'running', runId: action.runId, machine: action.machine };
    case 'sample':
      return state;
    case 'drill-started':
      return updateLine(state, action.drill, (line) => ({
        ...line,
        status: 'running',
        startedAtMs: Date.parse(action.startedAt),
        message: undefined,
      }));
    case 'drill-progress':
      return updateLine(state, action.drill, (line) => ({ ...line, message: action.message }));
    case 'monitor-event':
      if (action.drill === null) return state;
      return updateLine(state, action.drill, (line) => ({ ...line, events: [...line.events, action.event] }));
    case 'detection':
      return updateLine(state, action.drill, (line) => ({
        ...line,
        detections: [...line.detections.filter((detection) => detection.source !== action.detection.source), action.detection],
      }));
    case 'settling':
      return updateLine(state, action.drill, (line) =>
        line.status === 'running' ? { ...line, status: 'settling', message: action.message } : line,
      );
    case 'drill-finished': {
      const { result } = action;
      return updateLine(state, result.test, (line) => ({
        ...line,
        status: result.success ? 'passed' : 'failed',
        message: result.error && !result.success ? `${result.summary}${result.summary.includes(result.error) ? '' : ` (${result.error})`}` : result.summary,
        events: result.events,
        detections: result.detection ?? line.detections,
        result,
      }));
    }
    case 'notice':
      return { ...state, notices: [...state.notices, action.message] };
    case 'run-finished':
      return { ...state, phase: state.phase === 'aborted' ? 'aborted' : 'finished', report: action.report };
    case 'engine-stopped':
      return { ...state, phase: 'aborted' };
    case 'engine-failed':
      return { ...state, phase: 'failed', error: action.message };
    case 'engine-ended':
      return state;
    default: {
      const unhandled: never = action;
      return unhandled;
    }
  }
}
