import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { FiredrillConfig } from '../config/config.js';
import type { DetectionWatch, Detector } from '../monitor/detector.js';
import type { MetricsSource } from '../monitor/sampler.js';
import { median } from '../stats.js';
import { processRiseFor, thresholdsFromConfig, ThresholdWatcher } from '../monitor/thresholds.js';
import {
  summarize,
  type Detection,
  type Drill,
  type DrillName,
  type DrillOutcome,
  type DrillResult,
  type MonitorEvent,
  type MonitorEventType,
  type RunEvent,
  type RunReport,
  type SystemSample,
} from './types.js';

/**
 * Runs drills one after the other and tells, as typed events, everything a person watching would
 * want to see. Between drills there is no blind sleep: the runner waits until the drill's effect was
 * seen (its monitor event, the user's monitoring) and the machine is back near where it started.
 */

export interface RunDrillsOptions {
  drills: Partial<Record<DrillName, Drill>>;
  order: DrillName[];
  /** --duration: overrides every drill's configured duration, in seconds. */
  durationSeconds?: number;
  config: FiredrillConfig;
  sampler: MetricsSource;
  detectors?: Detector[];
  signal: AbortSignal;
  /** Default: os.hostname(). */
  machine?: string;
  /** Clock for the timestamps in events and the report (waiting always uses real time). */
  now?: () => number;
  runId?: string;
}

/** The monitor event that shows a drill had the effect it aims at. */
export const EXPECTED_EVENT: Record<DrillName, MonitorEventType> = {
  cpu_spike: 'cpu_high',
  memory_pressure: 'memory_high',
  disk_fill: 'disk_high',
  service_restart: 'service_stopped',
  process_spawn: 'processes_spawned',
};

/** "Back near its baseline": CPU within this many points of the pre-run level. */
export const SETTLE_CPU_POINTS = 15;
/** ... and memory use within this many points. */
export const SETTLE_MEMORY_POINTS = 5;
/** A drill that ignores its abort signal is given this long before the run goes on without it. */
const ABORT_GRACE_MS = 1200;
/** How long to wait for the very first sample before running without a baseline. */
const FIRST_SAMPLE_TIMEOUT_MS = 5000;

export async function* runDrills(options: RunDrillsOptions): AsyncGenerator<RunEvent, RunReport> {
  const queue = new EventQueue<RunEvent>();
  // Aborted by the caller's signal, or when the consumer stops iterating early.
  const controller = new AbortController();
  const forwardAbort = () => controller.abort(options.signal.reason);
  if (options.signal.aborted) forwardAbort();
  else options.signal.addEventListener('abort', forwardAbort, { once: true });

  let finished = false;
  const work = new Run(options, controller.signal, (event) => queue.push(event)).execute().finally(() => queue.close());
  try {
    for await (const event of queue) yield event;
    const report = await work;
    finished = true;
    return report;
  } finally {
    options.signal.removeEventListener('abort', forwardAbort);
    if (!finished) {
      controller.abort(new Error('the run was abandoned'));
      await work.catch(() => undefined);
    }
  }
}

interface DrillInProgress {
  name: DrillName;
  events: MonitorEvent[];
}

class Run {
  private readonly now: () => number;
  private readonly watcher: ThresholdWatcher;
  private current: DrillInProgress | null = null;
  /** Woken on every sample and every event, for whoever waits on the machine (settling). */
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly options: RunDrillsOptions,
    private readonly signal: AbortSignal,
    private readonly emit: (event: RunEvent) => void,
  ) {
    this.now = options.now ?? Date.now;
    this.watcher = new ThresholdWatcher(
      thresholdsFromConfig(options.config.monitor, processRiseFor(options.config.drills.process_spawn.count)),
    );
  }

  async execute(): Promise<RunReport> {
    const { options } = this;
    for (const name of options.order) {
      if (!options.drills[name]) throw new Error(`runDrills: no drill named "${name}" was given`);
    }
    const runId = options.runId ?? randomUUID();
    const machine = options.machine ?? os.hostname();
    const startedAt = this.iso();
    const results: DrillResult[] = [];
    this.emit({ type: 'run-started', runId, machine, startedAt, drills: [...options.order] });

    const unsubscribe = options.sampler.subscribe((sample) => this.onSample(sample));
    try {
      const baseline = await this.baseline();
      for (const name of options.order) {
        if (this.signal.aborted) break;
        const result = await this.runOne(options.drills[name]!, baseline);
        if (result) results.push(result);
      }
    } finally {
      unsubscribe();
      this.current = null;
    }

    const report: RunReport = { machine, runId, startedAt, finishedAt: this.iso(), results, summary: summarize(results) };
    this.emit({ type: 'run-finished', report });
    return report;
  }

  private onSample(sample: SystemSample): void {
    this.emit({ type: 'sample', sample });
    for (const event of this.watcher.observe(sample)) this.recordEvent(event);
    this.wake();
  }

  private recordEvent(event: MonitorEvent): void {
    this.current?.events.push(event);
    this.emit({ type: 'monitor-event', drill: this.current?.name ?? null, event });
    this.wake();
  }

  private wake(): void {
    for (const waker of [...this.wakers]) waker();
  }

  /** The machine before any drill: the mean of the last few seconds of samples. */
  private async baseline(): Promise<SystemSample | undefined> {
    const { sampler } = this.options;
    if (!sampler.latest()) {
      await this.waitUntil(() => sampler.latest() !== undefined, FIRST_SAMPLE_TIMEOUT_MS);
    }
    const recent = sampler.history(3);
    const samples = recent.length > 0 ? recent : [sampler.latest()].filter((sample) => sample !== undefined);
    if (samples.length === 0) return undefined;
    const mean = (read: (sample: SystemSample) => number) => samples.reduce((sum, sample) => sum + read(sample), 0) / samples.length;
    const last = samples.at(-1)!;
    return { ...last, cpuPercent: mean((sample) => sample.cpuPercent), memPercent: mean((sample) => sample.memPercent) };
  }

  /** Runs one drill and settles after it; undefined when the run was aborted while it ran. */
  private async runOne(drill: Drill, baseline: SystemSample | undefined): Promise<DrillResult | undefined> {
    const { options } = this;
    const name = drill.name;
    const startMs = this.now();
    const startedAt = new Date(startMs).toISOString();
    const state: DrillInProgress = { name, events: [] };
    this.current = state;
    // The median, so that one short-lived burst of other processes does not become the baseline.
    const processBaseline = median(options.sampler.history(3).map((sample) => sample.processCount));
    if (processBaseline !== null) this.watcher.setProcessBaseline(Math.round(processBaseline));
    this.emit({ type: 'drill-started', drill: name, startedAt });

    const refusal = await preflight(drill);
    if (refusal !== null) {
      const endMs = this.now();
      return this.finishDrill(state, startedAt, startMs, endMs, { success: false, measured: {}, summary: `Refused: ${refusal}`, error: refusal }, []);
    }

    const watches = await Promise.all(
      (options.detectors ?? []).map((detector) => this.watch(detector, name, startMs)),
    );
    const outcome = await this.runDrill(drill, state);
    const endMs = this.now();
    if (this.signal.aborted) {
      // The drill was interrupted: its verdict would be about a partial load, so it is left out.
      for (const { watch } of watches) void watch.finish(endMs).catch(() => undefined);
      this.current = null;
      return undefined;
    }

    const detections = Promise.all(
      watches.map(({ source, watch }) =>
        watch
          .finish(endMs)
          // The contract says finish() never rejects; a detector that does must not stall the run.
          .catch((error: unknown) => unwatchable(source, error))
          .then((detection) => {
            this.emit({ type: 'detection', drill: name, detection });
            return detection;
          }),
      ),
    );
    let detectionsDone = false;
    void detections.then(() => {
      detectionsDone = true;
      this.wake();
    });
    await this.settle(state, baseline);
    if (!detectionsDone && !this.signal.aborted) {
      this.emit({ type: 'settling', drill: name, message: 'Waiting for your monitoring to report on this drill...' });
      await this.waitUntil(() => detectionsDone);
    }
    return this.finishDrill(state, startedAt, startMs, endMs, outcome, detectionsDone ? await detections : []);
  }

  private finishDrill(
    state: DrillInProgress,
    startedAt: string,
    startMs: number,
    endMs: number,
    outcome: DrillOutcome,
    detection: Detection[],
  ): DrillResult {
    const result: DrillResult = {
      test: state.name,
      success: outcome.success,
      eventsTriggered: state.events.length,
      events: [...state.events],
      startedAt,
      completedAt: new Date(endMs).toISOString(),
      durationMs: Math.max(0, endMs - startMs),
      measured: outcome.measured,
      summary: outcome.summary,
    };
    if (outcome.error !== undefined) result.error = outcome.error;
    if (detection.length > 0) result.detection = detection;
    // An alert the user said must fire and that did not is the failure a fire drill exists to find.
    // Monitoring that could not be asked (error set) leaves the drill's own verdict standing.
    const missed = detection.filter((verdict) => verdict.expected !== undefined && !verdict.detected && verdict.error === undefined);
    if (missed.length > 0) {
      result.success = false;
      const sentence = missed.map((verdict) => `${verdict.source} did not report ${verdict.expected}: ${verdict.summary}`).join('; ');
      result.error = result.error === undefined ? sentence : `${result.error}; ${sentence}`;
    }
    this.current = null;
    this.emit({ type: 'drill-finished', result });
    return result;
  }

  private async runDrill(drill: Drill, state: DrillInProgress): Promise<DrillOutcome> {
    const { options } = this;
    const name = drill.name;
    const seconds =
      options.durationSeconds ?? options.config.drills[name].duration ?? options.config.drills.duration ?? drill.defaultDurationSeconds;
    const drillController = new AbortController();
    let graceTimer: NodeJS.Timeout | undefined;
    let giveUp: (error: Error) => void = () => undefined;
    const abortedAfterGrace = new Promise<never>((_, reject) => {
      giveUp = reject;
    });
    const forward = () => {
      drillController.abort(this.signal.reason);
      graceTimer = setTimeout(() => giveUp(new Error('the drill did not stop when asked')), ABORT_GRACE_MS);
    };
    if (this.signal.aborted) forward();
    else this.signal.addEventListener('abort', forward, { once: true });
    try {
      const running = drill.run({
        signal: drillController.signal,
        durationMs: seconds * 1000,
        progress: (message) => {
          if (this.current === state) this.emit({ type: 'drill-progress', drill: name, message });
        },
        reportEvent: (event) => {
          if (this.current === state) this.recordEvent(event);
        },
      });
      // A drill that gives up after the grace may still reject later: nobody is waiting for it then.
      running.catch(() => undefined);
      return await Promise.race([running, abortedAfterGrace]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { success: false, measured: {}, summary: `Failed: ${message}`, error: message };
    } finally {
      this.signal.removeEventListener('abort', forward);
      if (graceTimer) clearTimeout(graceTimer);
    }
  }

  private async watch(detector: Detector, drill: DrillName, startMs: number): Promise<{ source: Detection['source']; watch: DetectionWatch }> {
    const { source } = detector;
    try {
      const watch = await detector.watch(drill, startMs, this.signal, (detection) => {
        if (!this.signal.aborted) this.emit({ type: 'detection', drill, detection });
      });
      return { source, watch };
    } catch (error) {
      // Monitoring that cannot be watched is reported as such; the drill itself still runs.
      const detection = unwatchable(source, error);
      return { source, watch: { finish: async () => detection } };
    }
  }

  /**
   * Waits until the drill's expected event was seen (or the machine had two more readings to show
   * it), and CPU and memory are back near the pre-run baseline; at most monitor.settle_timeout_seconds.
   */
  private async settle(state: DrillInProgress, baseline: SystemSample | undefined): Promise<void> {
    const { sampler, config } = this.options;
    const expected = EXPECTED_EVENT[state.name];
    const cpuLimit = baseline ? Math.min(100, baseline.cpuPercent + SETTLE_CPU_POINTS) : 100;
    const memLimit = baseline ? Math.min(100, baseline.memPercent + SETTLE_MEMORY_POINTS) : 100;
    const timeoutMs = config.monitor.settle_timeout_seconds * 1000;
    const settleStart = Date.now();
    let samplesAfterEnd = 0;
    const countSample = () => {
      samplesAfterEnd += 1;
    };
    const unsubscribe = sampler.subscribe(countSample);
    this.emit({
      type: 'settling',
      drill: state.name,
      message: baseline
        ? `Settling: waiting for CPU <= ${cpuLimit.toFixed(0)} % and memory <= ${memLimit.toFixed(0)} % (at most ${config.monitor.settle_timeout_seconds} s)`
        : `Settling: waiting for the monitor's next readings (at most ${config.monitor.settle_timeout_seconds} s)`,
    });
    const settled = () => {
      const seen = state.events.some((event) => event.type === expected);
      if (samplesAfterEnd < (seen ? 1 : 2)) return false;
      const latest = sampler.latest();
      return latest !== undefined && latest.cpuPercent <= cpuLimit && latest.memPercent <= memLimit;
    };
    try {
      const ok = await this.waitUntil(settled, timeoutMs);
      if (this.signal.aborted) return;
      const waited = ((Date.now() - settleStart) / 1000).toFixed(1);
      const latest = sampler.latest();
      const reading = latest ? ` (CPU ${latest.cpuPercent.toFixed(0)} %, memory ${latest.memPercent.toFixed(0)} %)` : '';
      this.emit({
        type: 'settling',
        drill: state.name,
        message: ok ? `Settled after ${waited} s${reading}` : `Not back to baseline after ${waited} s${reading}: going on`,
      });
    } finally {
      unsubscribe();
    }
  }

  /** Resolves true once `check()` holds (re-checked on every sample and event), false on timeout or abort. */
  private waitUntil(check: () => boolean, timeoutMs?: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    if (this.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (value: boolean) => {
        this.wakers.delete(waker);
        this.signal.removeEventListener('abort', onAbort);
        if (timer) clearTimeout(timer);
        resolve(value);
      };
      const waker = () => {
        if (check()) done(true);
      };
      const onAbort = () => done(false);
      this.wakers.add(waker);
      this.signal.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) timer = setTimeout(() => done(check()), timeoutMs);
    });
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}

function unwatchable(source: Detection['source'], error: unknown): Detection {
  return {
    source,
    detected: false,
    alerts: [],
    summary: `${source} could not be watched`,
    error: error instanceof Error ? error.message : String(error),
  };
}

/** The drill's own refusal, or null; a preflight that throws refuses with its message. */
async function preflight(drill: Drill): Promise<string | null> {
  try {
    return await drill.preflight();
  } catch (error) {
    return `its safety check failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** A queue that one producer pushes to and one `for await` drains; ends when closed. */
export class EventQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: (() => void) | undefined;
  private closed = false;

  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    this.waiting?.();
  }

  close(): void {
    this.closed = true;
    this.waiting?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      while (this.items.length > 0) yield this.items.shift()!;
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        this.waiting = () => {
          this.waiting = undefined;
          resolve();
        };
      });
    }
  }
}
