/**
 * The contract between the five local event drills, the runner that sequences them, the reports,
 * the history stores and the console. Plain data only: everything here is serialisable to JSON.
 */

export const DRILL_NAMES = [
  'cpu_spike',
  'memory_pressure',
  'disk_fill',
  'service_restart',
  'process_spawn',
] as const;

export type DrillName = (typeof DRILL_NAMES)[number];

export function isDrillName(value: string): value is DrillName {
  return (DRILL_NAMES as readonly string[]).includes(value);
}

/** One reading of the machine, taken by the monitor's sampler (at most once a second). */
export interface SystemSample {
  /** Epoch milliseconds. */
  at: number;
  cpuPercent: number;
  memUsedBytes: number;
  memTotalBytes: number;
  memPercent: number;
  diskUsedBytes: number;
  diskTotalBytes: number;
  diskPercent: number;
  processCount: number;
}

export const MONITOR_EVENT_TYPES = [
  'cpu_high',
  'memory_high',
  'disk_high',
  'service_stopped',
  'service_started',
  'processes_spawned',
] as const;

export type MonitorEventType = (typeof MONITOR_EVENT_TYPES)[number];

/** A threshold crossing noticed by the built-in monitor (or a service transition seen by a drill). */
export interface MonitorEvent {
  type: MonitorEventType;
  /** ISO 8601. */
  at: string;
  /** The reading that crossed the threshold (percent, or a count for processes_spawned). */
  value: number;
  threshold?: number;
  detail?: string;
}

/** Values a drill measured; keys depend on the drill (cpuPercentPeak, memRiseBytes, ...). */
export type Measured = Record<string, number | string | boolean | null>;

/** One alert seen by the user's own monitoring (Prometheus or Alertmanager) during a drill. */
export interface DetectedAlert {
  name: string;
  labels: Record<string, string>;
  /** ISO 8601 time the alert was first seen firing. */
  firedAt: string;
  /** From drill start to firing. */
  timeToDetectMs: number;
  resolvedAt?: string;
  /** From drill end to the alert clearing; absent when it had not cleared within the window. */
  timeToResolveMs?: number;
}

/** What the user's own monitoring said about one drill (issue: Prometheus / Alertmanager verification). */
export interface Detection {
  source: 'prometheus' | 'alertmanager';
  /** The expectation from the config (alert name or matchers), when there was one. */
  expected?: string;
  /** True when the expected alert fired in time, or, without an expectation, when any alert started firing. */
  detected: boolean;
  alerts: DetectedAlert[];
  /** A human sentence: "detected by NodeCpuBusy after 2.4 s, resolved 1.1 s after the drill". */
  summary: string;
  /** Monitoring unreachable or answering garbage: the drill's own result still stands. */
  error?: string;
}

export interface DrillResult {
  test: DrillName;
  success: boolean;
  eventsTriggered: number;
  /** The monitor events this drill caused. */
  events: MonitorEvent[];
  startedAt: string;
  completedAt: string;
  durationMs: number;
  measured: Measured;
  /** One line a person reads: "CPU reached 97.2 % (threshold 80 %)". */
  summary: string;
  error?: string;
  detection?: Detection[];
}

export interface RunSummary {
  total: number;
  passed: number;
  failed: number;
  eventsTriggered: number;
}

export interface RunReport {
  machine: string;
  runId: string;
  startedAt: string;
  finishedAt: string;
  results: DrillResult[];
  summary: RunSummary;
}

export function summarize(results: readonly DrillResult[]): RunSummary {
  const passed = results.filter((result) => result.success).length;
  return {
    total: results.length,
    passed,
    failed: results.length - passed,
    eventsTriggered: results.reduce((sum, result) => sum + result.eventsTriggered, 0),
  };
}

/** What the runner yields while a run is under way; the console and the headless report consume it. */
export type RunEvent =
  | { type: 'run-started'; runId: string; machine: string; startedAt: string; drills: DrillName[] }
  | { type: 'sample'; sample: SystemSample }
  | { type: 'drill-started'; drill: DrillName; startedAt: string }
  | { type: 'drill-progress'; drill: DrillName; message: string }
  | { type: 'monitor-event'; drill: DrillName | null; event: MonitorEvent }
  | { type: 'detection'; drill: DrillName; detection: Detection }
  | { type: 'drill-finished'; result: DrillResult }
  | { type: 'settling'; drill: DrillName; message: string }
  /** Something the user must know that is not a drill's verdict (the history could not be saved...). */
  | { type: 'notice'; level: 'info' | 'warn'; message: string }
  | { type: 'run-finished'; report: RunReport };

/** What the runner hands a drill. The drill measures its own effect; it never assumes it. */
export interface DrillContext {
  /** Aborted on Ctrl-C, SIGTERM, SIGHUP or q: stop at once, clean up, and return. */
  signal: AbortSignal;
  /** How long to hold the load (from --duration, the config, or the drill's default). */
  durationMs: number;
  /** A line for the console and the report ("allocated 3 of 10 chunks"). */
  progress(message: string): void;
  /** For transitions only the drill can see (service_stopped, service_started). */
  reportEvent(event: MonitorEvent): void;
}

export interface DrillOutcome {
  success: boolean;
  measured: Measured;
  summary: string;
  error?: string;
}

export interface Drill {
  name: DrillName;
  title: string;
  /** One line for the picker. */
  description: string;
  defaultDurationSeconds: number;
  /** Why this drill needs confirmation with this config (the console asks; headless needs --yes), or null. */
  riskWarning(): string | null;
  /** Refuses before doing anything when it cannot run safely (disk already full...): a clear sentence, or null. */
  preflight(): Promise<string | null>;
  run(context: DrillContext): Promise<DrillOutcome>;
}
