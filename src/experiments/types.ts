import type { Detection, SystemSample } from '../drills/types.js';
import type { SupervisorEvent } from '../supervise/supervisor.js';
import type { Risk } from './kinds/types.js';

/**
 * What the experiment engine yields while it runs and returns at the end: the contract between
 * the engine, the console, the headless command, the journal, JUnit, the HTML report and history.
 * Plain data only (serialisable to JSON). Times are epoch milliseconds unless named ...Ms.
 */

/** held: steady state kept; recovered: deviated and came back in time; not-recovered: not back within recovery.within_seconds. */
export type Verdict = 'held' | 'recovered' | 'not-recovered';

/**
 * completed: the method ran to its end (or stopped after a fault that did not recover);
 * not-started: the steady state did not hold before the method; failed: something could not be
 * done (a service did not start, a fault could not act); interrupted: Ctrl-C, q, SIGTERM.
 */
export type ExperimentStatus = 'completed' | 'not-started' | 'failed' | 'interrupted';

export type Phase = 'services' | 'baseline' | 'method' | 'recovery' | 'monitoring' | 'rollbacks' | 'done';

export interface ProbeInfo {
  name: string;
  kind: string;
  description: string;
  measuresLatency: boolean;
}

/** One probe's answer within a round. */
export interface ProbeSample {
  probe: string;
  ok: boolean;
  latencyMs: number;
  value?: number;
  detail: string;
}

/** One round: every probe sent at `at`; ok when all were within tolerance. */
export interface ProbeTick {
  seq: number;
  at: number;
  ok: boolean;
  results: ProbeSample[];
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface FaultRecord {
  /** The method step it came from. */
  step: number;
  name: string;
  kind: string;
  description: string;
  mode: 'held' | 'instant';
  startedAt: number;
  endedAt?: number;
  /** startedAt + recovery.within_seconds. */
  deadlineAt: number;
  /** When the first out-of-tolerance round of the deviation was sent. */
  detectedAt?: number;
  timeToDetectMs?: number;
  /** When the first of the N rounds in a row within tolerance was sent. */
  recoveredAt?: number;
  /** From the fault's end to recoveredAt (0 when it was back before the fault ended). */
  timeToRecoverMs?: number;
  /** From detectedAt to recoveredAt: how long the steady state was lost. */
  outageMs?: number;
  verdict?: Verdict;
  /** Share of probe answers within tolerance from the fault's start to its verdict (null: no answer). */
  availability: number | null;
  probeAnswers: number;
  errors: number;
  /** Per latency probe, during the fault (start to verdict). */
  latency: Record<string, Percentiles | null>;
  /** What the user's monitoring said (Prometheus / Alertmanager), when configured. */
  detection: Detection[];
  /** The fault could not act, or broke while held. */
  problem?: string;
}

export interface ExperimentFigures {
  faults: number;
  held: number;
  recovered: number;
  notRecovered: number;
  /**
   * Mean time to restore: from the first out-of-tolerance round to the recovery, over the faults
   * that deviated and came back (in time or late).
   */
  mttrMs: number | null;
  /** Mean time to detect over the faults that deviated. */
  mttdMs: number | null;
  /** Share of faults during which the steady state held. */
  faultTolerance: number | null;
  /** Share of probe answers within tolerance from the first fault to the last verdict. */
  availability: number | null;
  probeAnswers: number;
  errors: number;
}

export interface TimelineEntry {
  at: number;
  kind: 'phase' | 'service' | 'fault' | 'rollback' | 'notice' | 'progress';
  text: string;
}

export interface RollbackRecord {
  name: string;
  ok: boolean;
  detail: string;
  at: number;
}

export interface ExperimentSummary {
  id: string;
  title: string;
  description: string;
  risk: Risk;
  severity: number;
  tags: string[];
  file?: string;
  hypothesis: string;
  probeIntervalMs: number;
  recoveryConsecutive: number;
  recoveryWithinMs: number;
  checklist: { before: string[]; after: string[] };
}

export interface ExperimentResult {
  runId: string;
  machine: string;
  experiment: ExperimentSummary;
  startedAt: number;
  finishedAt: number;
  status: ExperimentStatus;
  /** The worst fault verdict (null when no fault ran). */
  verdict: Verdict | null;
  /** One line a person reads. */
  summary: string;
  error?: string;
  steadyStateBefore: { held: boolean; rounds: number; failures: number; detail: string };
  steadyStateAfter: { held: boolean; detail: string } | null;
  probes: ProbeInfo[];
  /** Per latency probe, during the steady-state check before the method. */
  baseline: Record<string, Percentiles | null>;
  faults: FaultRecord[];
  figures: ExperimentFigures;
  rollbacks: RollbackRecord[];
  services: { id: string; label: string; restarts: number }[];
  timeline: TimelineEntry[];
  /** Every probe round, oldest first (at most MAX_TICKS; `ticksDropped` says how many older ones were left out). */
  ticks: ProbeTick[];
  ticksDropped: number;
}

export type ExperimentEvent =
  | { type: 'experiment-started'; runId: string; experiment: ExperimentSummary; probes: ProbeInfo[]; at: number }
  | { type: 'phase'; phase: Phase; at: number; message: string }
  | { type: 'service'; service: string; event: SupervisorEvent }
  | { type: 'probe-tick'; tick: ProbeTick }
  | { type: 'steady-state'; when: 'before' | 'after'; held: boolean; detail: string; at: number }
  | { type: 'fault-started'; fault: FaultRecord }
  | { type: 'fault-detected'; fault: FaultRecord }
  | { type: 'fault-ended'; fault: FaultRecord }
  | { type: 'fault-verdict'; fault: FaultRecord }
  | { type: 'detection'; step: number; detection: Detection }
  | { type: 'progress'; message: string; at: number }
  | { type: 'sample'; sample: SystemSample }
  | { type: 'rollback'; rollback: RollbackRecord }
  | { type: 'notice'; level: 'info' | 'warn'; message: string; at: number }
  | { type: 'experiment-finished'; result: ExperimentResult };
