import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { FiredrillConfig } from '../config/config.js';
import { waitOrAbort } from '../drills/common.js';
import type { Ledger } from '../drills/ledger.js';
import { EventQueue } from '../drills/runner.js';
import type { Detection } from '../drills/types.js';
import type { MonitoringEndpoint } from '../monitor/alerts/http.js';
import type { DetectionWatch, Detector } from '../monitor/detector.js';
import type { MetricsSource } from '../monitor/sampler.js';
import type { FiredrillPaths } from '../paths.js';
import type { SupervisorEvent } from '../supervise/supervisor.js';
import { substitute } from './kinds/common.js';
import { ACTION_KINDS, FAULT_KINDS, kindNamed, PROBE_KINDS, SERVICE_KINDS } from './kinds/index.js';
import type { ExperimentService, Fault, KindContext } from './kinds/types.js';
import { FaultTracker, figuresOf, latencyByProbe, verdictText, worstVerdict } from './measures.js';
import { ProbeLoop, type NamedProbe } from './probe-loop.js';
import { percent, seconds } from './text.js';
import type { Experiment, ExperimentStep } from './schema.js';
import type {
  ExperimentEvent,
  ExperimentResult,
  ExperimentStatus,
  ExperimentSummary,
  FaultRecord,
  Phase,
  ProbeInfo,
  ProbeTick,
  RollbackRecord,
  TimelineEntry,
} from './types.js';

/**
 * Runs one chaos experiment for real and tells, as typed events, everything a person watching
 * would want to see: the services it starts (under the supervisor), the steady state before (it
 * must hold, or nothing is done), each fault with its time to detect and to recover and its
 * verdict, the rollbacks (always: at the end, after a failure, on abort), and the result with
 * MTTR, fault tolerance, availability and latency percentiles against the baseline.
 */

export interface RunExperimentOptions {
  experiment: Experiment;
  config: FiredrillConfig;
  paths: FiredrillPaths;
  ledger: Ledger;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C, q, SIGTERM: the fault in place is undone, the rollbacks run, the services stop. */
  signal: AbortSignal;
  /** The built-in monitor, for the console's gauges ('sample' events). */
  sampler?: MetricsSource;
  /** The user's monitoring: each fault is watched for the experiment's expected alert. */
  detectors?: Detector[];
  prometheus?: MonitoringEndpoint;
  /** Replaces every held fault's duration_seconds (tests, quick tries). */
  faultDurationSeconds?: number;
  machine?: string;
  runId?: string;
}

/** Rounds kept in the result (an hour at 0.1 s); older ones are dropped first. */
export const MAX_TICKS = 36_000;
const MAX_TIMELINE = 500;
/** Each rollback and each service stop gets at most this long after an abort. */
const CLEANUP_TIMEOUT_MS = 30_000;

export async function* runExperiment(options: RunExperimentOptions): AsyncGenerator<ExperimentEvent, ExperimentResult> {
  const queue = new EventQueue<ExperimentEvent>();
  const controller = new AbortController();
  const forwardAbort = () => controller.abort(options.signal.reason);
  if (options.signal.aborted) forwardAbort();
  else options.signal.addEventListener('abort', forwardAbort, { once: true });
  let finished = false;
  const work = new ExperimentRun(options, controller.signal, (event) => queue.push(event)).execute().finally(() => queue.close());
  try {
    for await (const event of queue) yield event;
    const result = await work;
    finished = true;
    return result;
  } finally {
    options.signal.removeEventListener('abort', forwardAbort);
    if (!finished) {
      controller.abort(new Error('the experiment was abandoned'));
      await work.catch(() => undefined);
    }
  }
}

export function summaryOf(experiment: Experiment): ExperimentSummary {
  return {
    id: experiment.id,
    title: experiment.title,
    description: experiment.description.trim(),
    risk: experiment.risk,
    severity: experiment.severity,
    tags: [...experiment.tags],
    ...(experiment.file !== undefined ? { file: experiment.file } : {}),
    hypothesis: experiment.steady_state.title,
    probeIntervalMs: experiment.probe_interval_seconds * 1000,
    recoveryConsecutive: experiment.recovery.consecutive,
    recoveryWithinMs: experiment.recovery.within_seconds * 1000,
    checklist: { before: [...experiment.checklist.before], after: [...experiment.checklist.after] },
  };
}

/** The name a probe goes by: its own, or "http 1". */
export function probeName(probe: { kind: string; name?: string }, index: number): string {
  return probe.name ?? `${probe.kind} ${index + 1}`;
}

class ExperimentRun {
  private readonly experiment: Experiment;
  private readonly summary: ExperimentSummary;
  private readonly runId: string;
  private readonly services = new Map<string, ExperimentService>();
  private readonly serviceListeners: (() => void)[] = [];
  private probes: NamedProbe[] = [];
  private readonly probeInfo: ProbeInfo[];
  private loop: ProbeLoop | undefined;
  private readonly ticks: ProbeTick[] = [];
  private ticksDropped = 0;
  private readonly baselineTicks: ProbeTick[] = [];
  private readonly methodTicks: ProbeTick[] = [];
  private phase: Phase = 'services';
  private readonly trackers: FaultTracker[] = [];
  private readonly activeTrackers = new Set<FaultTracker>();
  private activeFault: Fault | undefined;
  private readonly timeline: TimelineEntry[] = [];
  private readonly rollbacks: RollbackRecord[] = [];
  private readonly detections: Promise<void>[] = [];
  /** Woken on every round, for whoever waits on the probes. */
  private readonly wakers = new Set<() => void>();
  private status: ExperimentStatus = 'completed';
  private error: string | undefined;
  private before: ExperimentResult['steadyStateBefore'] = { held: false, rounds: 0, failures: 0, detail: 'not checked' };
  private after: ExperimentResult['steadyStateAfter'] = null;

  constructor(
    private readonly options: RunExperimentOptions,
    private readonly signal: AbortSignal,
    private readonly emit: (event: ExperimentEvent) => void,
  ) {
    this.experiment = options.experiment;
    this.summary = summaryOf(this.experiment);
    this.runId = options.runId ?? randomUUID();
    this.probeInfo = this.experiment.steady_state.probes.map((spec, index) => {
      const kind = kindNamed(PROBE_KINDS, spec.kind);
      return { name: probeName(spec, index), kind: spec.kind, description: kind.describe(spec as never), measuresLatency: kind.measuresLatency };
    });
  }

  async execute(): Promise<ExperimentResult> {
    const startedAt = Date.now();
    this.emit({ type: 'experiment-started', runId: this.runId, experiment: this.summary, probes: this.probeInfo, at: startedAt });
    const unsubscribe = this.options.sampler?.subscribe((sample) => this.emit({ type: 'sample', sample }));
    try {
      await this.startServices();
      this.createProbes();
      if (await this.checkBefore()) await this.runMethod();
    } catch (error) {
      if (!this.signal.aborted) {
        this.status = 'failed';
        this.error = (error as Error).message;
        this.notice('warn', `stopped: ${this.error}`);
      }
    } finally {
      if (this.signal.aborted) this.status = 'interrupted';
      await this.cleanUp();
      unsubscribe?.();
    }
    const result = this.result(startedAt);
    this.setPhase('done', result.summary);
    this.emit({ type: 'experiment-finished', result });
    return result;
  }

  // ---- context for the kinds -----------------------------------------------------------------

  private context(): KindContext {
    return {
      signal: this.signal,
      ledger: this.options.ledger,
      paths: this.options.paths,
      config: this.options.config,
      env: this.options.env,
      ...(this.options.prometheus ? { prometheus: this.options.prometheus } : {}),
      service: (id) => {
        const service = this.services.get(id);
        if (!service) throw new Error(`the service "${id}" is not running`);
        return service;
      },
      resolve: (text) => substitute(text, (id, key) => this.services.get(id)?.endpoints()[key] ?? ''),
      progress: (message) => {
        this.note('progress', message);
        this.emit({ type: 'progress', message, at: Date.now() });
      },
    };
  }

  // ---- phases ----------------------------------------------------------------------------------

  private async startServices(): Promise<void> {
    if (this.experiment.services.length === 0) return;
    this.setPhase('services', `starting ${this.experiment.services.map((spec) => spec.id).join(', ')}`);
    const { service: _service, resolve: _resolve, ...context } = this.context();
    for (const spec of this.experiment.services) {
      const service = kindNamed(SERVICE_KINDS, spec.kind).create(spec as never, context);
      this.services.set(spec.id, service);
      if (service.supervisor) {
        this.serviceListeners.push(
          service.supervisor.on((event) => {
            this.emit({ type: 'service', service: spec.id, event });
            const text = describeSupervisorEvent(event);
            if (text) this.note('service', `${spec.id}: ${text}`);
          }),
        );
      }
      await service.start(this.signal);
      this.note('service', `${service.label()} is up`);
    }
  }

  private createProbes(): void {
    const context = this.context();
    this.probes = this.experiment.steady_state.probes.map((spec, index) => {
      const probe = kindNamed(PROBE_KINDS, spec.kind).create(spec as never, context);
      return { name: this.probeInfo[index]!.name, probe };
    });
    this.loop = new ProbeLoop(this.probes, this.experiment.probe_interval_seconds * 1000, (tick) => this.onTick(tick));
    this.loop.start();
  }

  private onTick(tick: ProbeTick): void {
    this.ticks.push(tick);
    if (this.ticks.length > MAX_TICKS) {
      this.ticks.shift();
      this.ticksDropped += 1;
    }
    if (this.phase === 'baseline') this.baselineTicks.push(tick);
    else if (this.phase === 'method' || this.phase === 'recovery') this.methodTicks.push(tick);
    this.emit({ type: 'probe-tick', tick });
    for (const tracker of this.activeTrackers) {
      if (tracker.observe(tick) === 'detected') {
        this.note('fault', `${tracker.record.name}: deviation detected after ${seconds(tracker.record.timeToDetectMs!)}`);
        this.emit({ type: 'fault-detected', fault: { ...tracker.record } });
      }
    }
    for (const waker of [...this.wakers]) waker();
  }

  /** The steady state before the method: baseline_seconds of rounds, none of them part of a deviation, the last one within tolerance. */
  private async checkBefore(): Promise<boolean> {
    const { steady_state: steady } = this.experiment;
    this.setPhase('baseline', `checking the steady state for ${steady.baseline_seconds} s: ${steady.title}`);
    if (!(await waitOrAbort(steady.baseline_seconds * 1000, this.signal))) return false;
    // The round sent last may still be on its way.
    await this.waitUntil(() => this.baselineTicks.length > 0, this.experiment.probe_interval_seconds * 1000 + 2000);
    const rounds = [...this.baselineTicks];
    let run = 0;
    let deviated = false;
    for (const tick of rounds) {
      run = tick.ok ? 0 : run + 1;
      if (run >= steady.deviation_after) deviated = true;
    }
    const failures = rounds.filter((tick) => !tick.ok).length;
    const last = rounds.at(-1);
    const held = rounds.length > 0 && !deviated && last!.ok;
    const firstFailure = rounds.find((tick) => !tick.ok)?.results.find((sample) => !sample.ok);
    const detail =
      rounds.length === 0
        ? 'no probe answered during the check'
        : held
          ? `${rounds.length} rounds, ${failures} out of tolerance`
          : `${failures} of ${rounds.length} rounds out of tolerance (${firstFailure ? `${firstFailure.probe}: ${firstFailure.detail}` : 'the last round failed'})`;
    this.before = { held, rounds: rounds.length, failures, detail };
    this.emit({ type: 'steady-state', when: 'before', held, detail, at: Date.now() });
    this.note('phase', `steady state before: ${held ? 'holds' : 'does NOT hold'} (${detail})`);
    if (!held) this.status = 'not-started';
    return held;
  }

  private async runMethod(): Promise<void> {
    this.setPhase('method', `running ${this.experiment.method.length} step(s)`);
    for (const [index, step] of this.experiment.method.entries()) {
      if (this.signal.aborted) return;
      if (step.pause_seconds !== undefined) {
        this.setPhase('method', `pause for ${step.pause_seconds} s`);
        if (!(await waitOrAbort(step.pause_seconds * 1000, this.signal))) return;
        continue;
      }
      const record = await this.runFault(index, step);
      if (record.verdict === 'not-recovered') {
        const left = this.experiment.method.length - index - 1;
        if (left > 0) this.notice('warn', `${record.name} did not recover in time: the ${left} step(s) after it are skipped`);
        break;
      }
    }
    if (this.signal.aborted) return;
    const { consecutive } = this.experiment.recovery;
    const recent = this.methodTicks.slice(-consecutive);
    const held = recent.length > 0 && recent.every((tick) => tick.ok);
    const detail = held ? `the last ${recent.length} rounds were within tolerance` : 'the last rounds were out of tolerance';
    this.after = { held, detail };
    this.emit({ type: 'steady-state', when: 'after', held, detail, at: Date.now() });
  }

  private async runFault(index: number, step: ExperimentStep): Promise<FaultRecord> {
    const spec = step.fault!;
    const kind = kindNamed(FAULT_KINDS, spec.kind);
    const description = kind.describe(spec as never);
    const fault = kind.create(spec as never, this.context());
    const startedAt = Date.now();
    const tracker = new FaultTracker(
      { step: index, name: step.name ?? description, kind: spec.kind, description, mode: kind.mode, startedAt },
      {
        deviationAfter: this.experiment.steady_state.deviation_after,
        consecutive: this.experiment.recovery.consecutive,
        withinMs: this.experiment.recovery.within_seconds * 1000,
      },
    );
    const record = tracker.record;
    this.trackers.push(tracker);
    this.activeTrackers.add(tracker);
    const watches = await this.watchMonitoring(startedAt);
    this.setPhase('method', `fault: ${record.name}`);
    this.note('fault', `${record.name}: started (${description})`);
    this.emit({ type: 'fault-started', fault: { ...record } });
    this.activeFault = fault;
    let cutShort = false;
    try {
      await fault.start();
      if (kind.mode === 'held') {
        const seconds = this.options.faultDurationSeconds ?? step.duration_seconds ?? 0;
        await waitOrAbort(seconds * 1000, this.signal);
        const problem = fault.problem?.();
        if (problem) record.problem = problem;
      }
    } catch (error) {
      cutShort = true;
      record.problem = (error as Error).message;
      throw new Error(`${record.name}: ${record.problem}`);
    } finally {
      this.activeFault = undefined;
      await fault.stop().catch((error: Error) => {
        record.problem = record.problem ?? `could not be undone: ${error.message}`;
      });
      tracker.end(Date.now());
      this.note('fault', `${record.name}: ended`);
      this.emit({ type: 'fault-ended', fault: { ...record } });
      // A fault that could not act, or was stopped by an abort, gets no verdict: it measured nothing whole.
      if (cutShort || this.signal.aborted) this.finishTracker(tracker, watches, false);
    }
    if (this.signal.aborted) return record;
    this.setPhase('recovery', `waiting for the steady state after ${record.name}`);
    await this.awaitVerdict(tracker);
    this.finishTracker(tracker, watches);
    return record;
  }

  /** Waits for the tracker's verdict, giving up one recovery period after the deadline (or the fault's end). */
  private async awaitVerdict(tracker: FaultTracker): Promise<void> {
    const record = tracker.record;
    const withinMs = this.experiment.recovery.within_seconds * 1000;
    const giveUpAt = Math.max(record.deadlineAt, record.endedAt ?? record.deadlineAt) + withinMs;
    let warned = false;
    const check = () => {
      if (!warned && tracker.missedDeadline(Date.now())) {
        warned = true;
        this.notice('warn', `${record.name}: not recovered within ${seconds(withinMs)} of its start; still watching for ${seconds(withinMs)}`);
      }
      return tracker.decide() !== undefined;
    };
    const interval = setInterval(() => {
      for (const waker of [...this.wakers]) waker();
    }, 200);
    try {
      await this.waitUntil(check, Math.max(0, giveUpAt - Date.now()));
    } finally {
      clearInterval(interval);
    }
  }

  private finishTracker(tracker: FaultTracker, watches: { source: Detection['source']; watch: DetectionWatch }[], conclude = true): void {
    if (!this.activeTrackers.delete(tracker)) return;
    const record = tracker.record;
    if (conclude) tracker.decide(true);
    else tracker.countAnswers();
    record.latency = latencyByProbe(tracker.rounds(), this.probeInfo);
    const detail =
      record.verdict === undefined
        ? `no verdict: ${record.problem ?? 'stopped before the end'}`
        : record.verdict === 'held'
        ? 'steady state held'
        : record.verdict === 'recovered'
          ? `detected after ${seconds(record.timeToDetectMs!)}, recovered ${seconds(record.timeToRecoverMs!)} after the fault ended`
          : record.recoveredAt !== undefined
            ? `recovered only ${seconds(record.recoveredAt - record.startedAt)} after the start (limit ${seconds(record.deadlineAt - record.startedAt)})`
            : 'did not recover';
    this.note('fault', `${record.name}: ${verdictText(record.verdict ?? null)} (${detail})`);
    this.emit({ type: 'fault-verdict', fault: { ...record } });
    const endedAt = record.endedAt ?? Date.now();
    for (const { source, watch } of watches) {
      this.detections.push(
        watch
          .finish(endedAt)
          .catch((error: unknown) => unwatchable(source, error))
          .then((detection) => {
            record.detection.push(detection);
            this.emit({ type: 'detection', step: record.step, detection });
          }),
      );
    }
  }

  private async watchMonitoring(startedAt: number): Promise<{ source: Detection['source']; watch: DetectionWatch }[]> {
    return Promise.all(
      (this.options.detectors ?? []).map(async (detector) => {
        try {
          const watch = await detector.watch(this.experiment.id, startedAt, this.signal, () => undefined);
          return { source: detector.source, watch };
        } catch (error) {
          const detection = unwatchable(detector.source, error);
          return { source: detector.source, watch: { finish: async () => detection } };
        }
      }),
    );
  }

  /** Undo, roll back, stop: always, whatever happened before. Each step is bounded. */
  private async cleanUp(): Promise<void> {
    const fault = this.activeFault;
    if (fault) await bounded(fault.stop(), CLEANUP_TIMEOUT_MS).catch(() => undefined);
    for (const tracker of [...this.activeTrackers]) {
      tracker.end(tracker.record.endedAt ?? Date.now());
      this.finishTracker(tracker, [], !this.signal.aborted);
    }
    if (this.detections.length > 0 && !this.signal.aborted) {
      this.setPhase('monitoring', 'waiting for your monitoring to report on the faults');
    }
    await Promise.all(this.detections);
    await this.loop?.stop();
    await this.runRollbacks();
    if (this.services.size > 0) {
      this.setPhase('rollbacks', `stopping ${[...this.services.keys()].join(', ')}`);
      for (const service of [...this.services.values()].reverse()) {
        await bounded(service.stop(), CLEANUP_TIMEOUT_MS).catch((error: Error) =>
          this.notice('warn', `could not stop ${service.label()}: ${error.message}`),
        );
      }
    }
    for (const off of this.serviceListeners) off();
    await Promise.all(this.probes.map(({ probe }) => probe.close?.().catch(() => undefined)));
  }

  private async runRollbacks(): Promise<void> {
    const { rollbacks } = this.experiment;
    if (rollbacks.length === 0) return;
    this.setPhase('rollbacks', `running ${rollbacks.length} rollback(s)`);
    const context = { ...this.context(), signal: AbortSignal.timeout(CLEANUP_TIMEOUT_MS) };
    for (const spec of rollbacks) {
      const kind = kindNamed(ACTION_KINDS, spec.kind);
      const name = kind.describe(spec as never);
      let record: RollbackRecord;
      try {
        const detail = await bounded(kind.create(spec as never, context).run(context.signal), CLEANUP_TIMEOUT_MS);
        record = { name, ok: true, detail, at: Date.now() };
      } catch (error) {
        record = { name, ok: false, detail: (error as Error).message, at: Date.now() };
      }
      this.rollbacks.push(record);
      this.note('rollback', `${name}: ${record.ok ? record.detail : `FAILED: ${record.detail}`}`);
      this.emit({ type: 'rollback', rollback: record });
    }
  }

  // ---- result ----------------------------------------------------------------------------------

  private result(startedAt: number): ExperimentResult {
    const faults = this.trackers.map((tracker) => tracker.record);
    const verdict = worstVerdict(faults.map((fault) => fault.verdict));
    const figures = figuresOf(faults, this.methodTicks);
    return {
      runId: this.runId,
      machine: this.options.machine ?? os.hostname(),
      experiment: this.summary,
      startedAt,
      finishedAt: Date.now(),
      status: this.status,
      verdict,
      summary: this.sentence(verdict, figures),
      ...(this.error !== undefined ? { error: this.error } : {}),
      steadyStateBefore: this.before,
      steadyStateAfter: this.after,
      probes: this.probeInfo,
      baseline: latencyByProbe(this.baselineTicks, this.probeInfo),
      faults,
      figures,
      rollbacks: this.rollbacks,
      services: [...this.services.values()].map((service) => ({
        id: service.id,
        label: service.label(),
        restarts: service.supervisor?.restarts() ?? 0,
      })),
      timeline: this.timeline,
      ticks: this.ticks,
      ticksDropped: this.ticksDropped,
    };
  }

  private sentence(verdict: ReturnType<typeof worstVerdict>, figures: ExperimentResult['figures']): string {
    const failedRollbacks = this.rollbacks.filter((rollback) => !rollback.ok).length;
    const tail = failedRollbacks > 0 ? `; ${failedRollbacks} rollback(s) FAILED` : '';
    switch (this.status) {
      case 'not-started':
        return `not started: the steady state did not hold before the method (${this.before.detail})${tail}`;
      case 'failed':
        return `failed: ${this.error ?? 'unknown error'}${tail}`;
      case 'interrupted':
        return `interrupted after ${figures.faults} fault(s)${tail}`;
      case 'completed': {
        const parts = [`${verdictText(verdict)}: ${figures.held} of ${figures.faults} fault(s) held`];
        if (figures.mttrMs !== null) parts.push(`MTTR ${seconds(figures.mttrMs)}`);
        if (figures.availability !== null) parts.push(`availability ${percent(figures.availability)}`);
        return parts.join(', ') + tail;
      }
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private setPhase(phase: Phase, message: string): void {
    this.phase = phase;
    this.note('phase', message);
    this.emit({ type: 'phase', phase, at: Date.now(), message });
  }

  private notice(level: 'info' | 'warn', message: string): void {
    this.note('notice', message);
    this.emit({ type: 'notice', level, message, at: Date.now() });
  }

  private note(kind: TimelineEntry['kind'], text: string): void {
    if (this.timeline.length < MAX_TIMELINE) this.timeline.push({ at: Date.now(), kind, text });
  }

  /** Resolves true once `check()` holds (re-checked on every round), false on timeout or abort. */
  private waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    if (this.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        this.wakers.delete(waker);
        this.signal.removeEventListener('abort', onAbort);
        clearTimeout(timer);
        resolve(value);
      };
      const waker = () => {
        if (check()) done(true);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(check()), timeoutMs);
      this.wakers.add(waker);
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function unwatchable(source: Detection['source'], error: unknown): Detection {
  return { source, detected: false, alerts: [], summary: `${source} could not be watched`, error: error instanceof Error ? error.message : String(error) };
}

function describeSupervisorEvent(event: SupervisorEvent): string | null {
  switch (event.type) {
    case 'started':
      return `started (pid ${event.pid})`;
    case 'ready':
      return `ready after ${seconds(event.startupMs)}`;
    case 'exited':
      return `exited (${event.signal ?? `code ${event.code}`})${event.unexpected ? '' : ', as asked'}`;
    case 'restart-scheduled':
      return `restart #${event.restarts} in ${seconds(event.inMs)}`;
    case 'unhealthy':
      return `failed its health check ${event.failures} times`;
    case 'start-limit-hit':
      return `start limit hit (${event.starts} starts within ${seconds(event.intervalMs)})`;
    case 'failed':
      return `failed: ${event.reason}`;
    case 'starting':
    case 'stopping':
    case 'stopped':
      return null;
  }
}
