/**
 * The history store: every drill run, incident simulation and session (demo, experiment, gameday,
 * workload), kept per machine. Two stores
 * implement it (SQLite on this machine, Neo4j for a fleet); `openHistory` puts them together.
 * Plain data only, so that the headless commands and the console read the same rows.
 */
import type { Detection, RunReport } from '../drills/types.js';
import type { Hypothesis, RecommendedAction, Severity } from '../incidents/types.js';
import type { SessionQuery, SessionRecord, SessionSummary } from './sessions.js';

export type { FigureValue, JsonValue, SessionKind, SessionQuery, SessionRecord, SessionStatus, SessionSummary } from './sessions.js';

export type IncidentStatus = 'completed' | 'stopped' | 'failed';

/** One incident simulation as history keeps it. */
export interface IncidentRecord {
  id: string;
  machine: string;
  scenarioId: string;
  /** The analyzer that produced the hypotheses ("built-in", or the LLM model). */
  source: string;
  severity: Severity;
  startedAt: string;
  finishedAt: string;
  status: IncidentStatus;
  topHypothesis?: { description: string; category: string; confidence: number };
  hypotheses: Hypothesis[];
  actions: RecommendedAction[];
}

/** One line of `firedrill history`: a run without its drills' details. */
export interface RunSummaryRow {
  id: string;
  machine: string;
  startedAt: string;
  finishedAt: string;
  total: number;
  passed: number;
  failed: number;
  events: number;
}

/** A drill that failed, how often, and why it failed the last time. */
export interface FailureRow {
  drill: string;
  failures: number;
  lastFailedAt: string;
  /** The last failure's error, or its summary when it failed without an error. */
  lastReason: string;
}

/** One line of `firedrill compare`. */
export interface MachineRow {
  machine: string;
  runs: number;
  /** Mean of each run's passed / total, in percent; null without runs. */
  passRatePercent: number | null;
  events: number;
  lastRunAt: string | null;
}

export interface HistoryStats {
  runs: number;
  /** Mean of each run's passed / total, in percent (as the original computed it); null without runs. */
  averagePassRatePercent: number | null;
  events: number;
}

/** One slice of time in the pass-rate trend. Slices are equal in width, from the first run to the last. */
export interface TrendBucket {
  from: string;
  to: string;
  runs: number;
  /** null when no run fell in the slice. */
  passRatePercent: number | null;
}

/** One drill result that carried a monitoring verification (what the user's Prometheus / Alertmanager said). */
export interface DetectionRecord {
  runId: string;
  machine: string;
  /** When the run started. */
  runStartedAt: string;
  drill: string;
  /** When the drill started. */
  startedAt: string;
  detection: Detection[];
}

export interface PageQuery {
  machine?: string;
  limit: number;
  offset?: number;
}

export interface HistoryStore {
  saveRun(report: RunReport): Promise<void>;
  saveIncident(record: IncidentRecord): Promise<void>;
  /** Newest first. */
  listRuns(query: PageQuery): Promise<RunSummaryRow[]>;
  countRuns(machine?: string): Promise<number>;
  getRun(id: string): Promise<RunReport | null>;
  /** Most failures first. */
  failures(query: { machine?: string }): Promise<FailureRow[]>;
  /** One row per machine, by name. */
  compare(): Promise<MachineRow[]>;
  stats(machine?: string): Promise<HistoryStats>;
  passRateTrend(machine: string | undefined, buckets: number): Promise<TrendBucket[]>;
  /** Every machine with a run, an incident or a session, by name. */
  machines(): Promise<string[]>;
  /** Newest first. */
  listIncidents(query: PageQuery): Promise<IncidentRecord[]>;
  countIncidents(machine?: string): Promise<number>;
  /**
   * The drill results with a monitoring verification, from the `limit` newest runs that have one:
   * newest run first, drills in the order they ran.
   */
  detectionHistory(query: { machine?: string; limit: number }): Promise<DetectionRecord[]>;
  /** Saves (or replaces, by id) a session; refuses a record outside `sessionSchema` with InvalidSessionError. */
  saveSession(record: SessionRecord): Promise<void>;
  /** Newest first, without their detail. */
  listSessions(query: SessionQuery): Promise<SessionSummary[]>;
  countSessions(query?: { kind?: SessionQuery['kind']; machine?: string }): Promise<number>;
  getSession(id: string): Promise<SessionRecord | null>;
  close(): Promise<void>;
}

/** The hypothesis with the highest confidence, as an IncidentRecord keeps it. */
export function topHypothesisOf(hypotheses: readonly Hypothesis[]): IncidentRecord['topHypothesis'] {
  let best: Hypothesis | undefined;
  for (const hypothesis of hypotheses) {
    if (!best || hypothesis.confidence > best.confidence) best = hypothesis;
  }
  return best ? { description: best.description, category: best.category, confidence: best.confidence } : undefined;
}

/**
 * Splits [first, last] into `count` equal slices and places each point in one. Both stores use it so
 * that the trend means the same thing whichever answers.
 */
export function bucketTrend(
  points: ReadonlyArray<{ atMs: number; runs: number; passRateSum: number; ratedRuns: number }>,
  firstMs: number,
  lastMs: number,
  count: number,
): TrendBucket[] {
  const slices = Math.max(1, Math.floor(count));
  const width = Math.max(1, lastMs - firstMs + 1) / slices;
  const buckets = Array.from({ length: slices }, (_, index) => ({
    from: new Date(firstMs + Math.floor(index * width)).toISOString(),
    to: new Date(firstMs + Math.floor((index + 1) * width) - 1).toISOString(),
    runs: 0,
    rateSum: 0,
    rated: 0,
  }));
  for (const point of points) {
    const index = Math.min(slices - 1, Math.max(0, Math.floor((point.atMs - firstMs) / width)));
    const bucket = buckets[index]!;
    bucket.runs += point.runs;
    bucket.rateSum += point.passRateSum;
    bucket.rated += point.ratedRuns;
  }
  return buckets.map(({ from, to, runs, rateSum, rated }) => ({
    from,
    to,
    runs,
    passRatePercent: rated > 0 ? (rateSum / rated) * 100 : null,
  }));
}

/** The width of one trend slice in milliseconds, shared by the stores' queries. */
export function trendSliceMs(firstMs: number, lastMs: number, count: number): number {
  return Math.max(1, lastMs - firstMs + 1) / Math.max(1, Math.floor(count));
}
