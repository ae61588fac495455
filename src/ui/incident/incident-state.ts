import { byConfidence } from '../../incidents/rank.js';
import type { EngineSignal } from '../hooks/use-engine.js';
import type {
  AnalysisSource,
  Hypothesis,
  IncidentEvent,
  RecommendedAction,
  Scenario,
  Severity,
} from '../../incidents/types.js';

/** How many recent values each metric keeps for its sparkline. */
export const METRIC_HISTORY_LENGTH = 32;
/** Older timeline entries and notices drop off: the screen only ever shows the last few. */
export const TIMELINE_LENGTH = 50;
export const NOTICE_LENGTH = 20;

export interface MetricView {
  name: string;
  unit: string;
  baseline: number;
  /** Where the scenario takes the metric; undefined for a metric only the stream knows. */
  target: number | undefined;
  /** Undefined until the first metrics tick. */
  current: number | undefined;
  /** Current deviation from the baseline in standard deviations; undefined when it cannot be known. */
  sigma: number | undefined;
  history: number[];
  /**
   * One standard deviation in the metric's unit, derived from the scenario's final value and its
   * declared sigma: the stream only carries values and baselines.
   */
  sigmaUnit: number | undefined;
}

export interface StreamingHypothesis {
  index: number;
  text: string;
}

export interface Notice {
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface TimelineEntry {
  at: string;
  message: string;
}

export type IncidentStatus = 'connecting' | 'running' | 'completed' | 'stopped' | 'failed';

export interface IncidentState {
  status: IncidentStatus;
  simulationId: string | undefined;
  incidentId: string | undefined;
  severity: Severity;
  elapsedSeconds: number;
  /** Undefined until the engine says which analyzer runs. */
  source: AnalysisSource | undefined;
  metrics: MetricView[];
  timeline: TimelineEntry[];
  /** Texts of hypotheses still being written, by index. */
  streaming: StreamingHypothesis[];
  /** Completed hypotheses, highest confidence first. */
  hypotheses: Hypothesis[];
  actions: RecommendedAction[];
  notices: Notice[];
  analysisFinished: boolean;
  /** What the analyzer waits for, from the last analysis-waiting event; cleared by the next analysis event. */
  waiting: string | undefined;
  /** Why the incident failed or the stream broke, in one sentence. */
  error: string | undefined;
}

/**
 * What the screen folds: the engine's events plus the two ways a stream can end without an
 * `incident-finished` event (the connection breaks, or the source simply stops).
 */
export type IncidentScreenEvent =
  | IncidentEvent
  | EngineSignal;

function sigmaUnitOf(metric: Scenario['metrics'][number]): number | undefined {
  const distance = Math.abs(metric.value - metric.baseline);
  const sigma = Math.abs(metric.deviationSigma);
  return distance > 0 && sigma > 0 ? distance / sigma : undefined;
}

export function initialIncidentState(scenario: Pick<Scenario, 'severity' | 'metrics'>): IncidentState {
  return {
    status: 'connecting',
    simulationId: undefined,
    incidentId: undefined,
    severity: scenario.severity,
    elapsedSeconds: 0,
    source: undefined,
    metrics: scenario.metrics.map((metric) => ({
      name: metric.name,
      unit: metric.unit,
      baseline: metric.baseline,
      target: metric.value,
      current: undefined,
      sigma: undefined,
      history: [],
      sigmaUnit: sigmaUnitOf(metric),
    })),
    timeline: [],
    streaming: [],
    hypotheses: [],
    actions: [],
    notices: [],
    analysisFinished: false,
    waiting: undefined,
    error: undefined,
  };
}

function keepLast<T>(items: readonly T[], length: number): T[] {
  return items.length > length ? items.slice(items.length - length) : [...items];
}


function applyMetricPoints(metrics: readonly MetricView[], points: Extract<IncidentEvent, { type: 'metrics' }>['points']): MetricView[] {
  const next = [...metrics];
  for (const point of points) {
    const at = next.findIndex((metric) => metric.name === point.name);
    // A remote engine may stream a metric the local scenario copy does not declare: show it anyway.
    const previous: MetricView = at >= 0 ? next[at]! : { name: point.name, unit: point.unit, baseline: point.baseline, target: undefined, current: undefined, sigma: undefined, history: [], sigmaUnit: undefined };
    const updated: MetricView = {
      ...previous,
      unit: point.unit,
      baseline: point.baseline,
      current: point.value,
      // A live source knows its baseline's spread and says how far off it is; a scenario's copy gives the unit.
      sigma: point.deviationSigma ?? (previous.sigmaUnit === undefined ? undefined : (point.value - point.baseline) / previous.sigmaUnit),
      history: keepLast([...previous.history, point.value], METRIC_HISTORY_LENGTH),
    };
    if (at >= 0) next[at] = updated;
    else next.push(updated);
  }
  return next;
}

/**
 * The `text` of a `hypothesis-text` event is the next piece of the hypothesis being written
 * (a delta, as model tokens arrive), so pieces are appended.
 */
function appendStreamingText(streaming: readonly StreamingHypothesis[], index: number, text: string): StreamingHypothesis[] {
  const existing = streaming.find((entry) => entry.index === index);
  if (!existing) return [...streaming, { index, text }].sort((a, b) => a.index - b.index);
  return streaming.map((entry) => (entry.index === index ? { index, text: entry.text + text } : entry));
}

/** Events that do not end a wait: the metrics and the timeline keep coming while the analyzer waits. */
const KEEPS_WAITING: ReadonlySet<IncidentScreenEvent['type']> = new Set(['metrics', 'timeline', 'incident-opened']);

export function incidentReducer(previous: IncidentState, event: IncidentScreenEvent): IncidentState {
  const state = previous.waiting !== undefined && !KEEPS_WAITING.has(event.type) ? { ...previous, waiting: undefined } : previous;
  switch (event.type) {
    case 'analysis-waiting':
      return { ...state, waiting: event.message };
    case 'incident-opened':
      return {
        ...state,
        status: 'running',
        simulationId: event.simulationId,
        incidentId: event.incidentId,
        severity: event.severity,
      };
    case 'metrics':
      return {
        ...state,
        status: state.status === 'connecting' ? 'running' : state.status,
        elapsedSeconds: event.elapsedSeconds,
        metrics: applyMetricPoints(state.metrics, event.points),
      };
    case 'timeline':
      return { ...state, timeline: keepLast([...state.timeline, { at: event.at, message: event.message }], TIMELINE_LENGTH) };
    case 'hypothesis-text':
      return { ...state, streaming: appendStreamingText(state.streaming, event.index, event.text) };
    case 'hypothesis':
      return {
        ...state,
        streaming: state.streaming.filter((entry) => entry.index !== event.index),
        hypotheses: byConfidence([...state.hypotheses, event.hypothesis]),
      };
    case 'action':
      return { ...state, actions: [...state.actions, event.action] };
    case 'notice':
      return { ...state, notices: keepLast([...state.notices, { level: event.level, message: event.message }], NOTICE_LENGTH) };
    case 'source':
      return { ...state, source: event.source };
    case 'analysis-finished':
      // The final lists are authoritative: they replace what was streamed, without duplicates.
      return {
        ...state,
        source: event.source,
        streaming: [],
        hypotheses: byConfidence(event.hypotheses),
        actions: [...event.actions],
        analysisFinished: true,
      };
    case 'incident-finished':
      return { ...state, status: event.status, error: event.error ?? state.error, streaming: [] };
    case 'engine-failed':
      return { ...state, status: 'failed', error: event.message, streaming: [] };
    case 'engine-ended':
    case 'engine-stopped':
      // A source that stops without saying how the incident ended: the incident is over all the same.
      return state.status === 'connecting' || state.status === 'running' ? { ...state, status: 'stopped', streaming: [] } : state;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}
