import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { httpHealthy } from '../drills/services.js';
import { readDisk } from '../drills/proc.js';
import type { SystemSample } from '../drills/types.js';
import type { AnalysisEvent, Analyzer, Hypothesis, IncidentEvent } from '../incidents/types.js';
import { ProcessReader, topProcesses, type ProcessWithCommand } from '../monitor/processes.js';
import { readSystemSample, SystemSampler } from '../monitor/sampler.js';
import type { ExpectedRootCause, FaultTarget, LiveFault } from './faults.js';
import {
  baselineFor,
  baselineOf,
  liveScenario,
  metricPoint,
  mountpointOf,
  nodeMetricSpecs,
  recentLargeFiles,
  type Baseline,
  type LiveReading,
  type MetricSpec,
} from './readings.js';

/**
 * The live incident: a real fault on this machine, diagnosed from real readings. It takes a
 * baseline, starts the fault, samples the machine (the sampler the gauges use) and the process
 * table every interval, notices the anomaly as a monitor would (a node metric three sigmas off for
 * a few readings in a row), then hands the analyzer (built-in or LLM) the readings as a scenario
 * and streams its answer while the readings go on. It says whether the top hypothesis names the
 * fault it started. The fault ends when someone removes it (the process killed, the file deleted,
 * the service restarted: the incident is resolved), when `holdSeconds` have passed, or on abort.
 *
 * It yields IncidentEvents, so that the incident panels show it unchanged, plus a few events of its own.
 */

export type LivePhase = 'preparing' | 'baseline' | 'fault' | 'analysing' | 'holding' | 'recovering' | 'finished';

export interface Verdict {
  expected: ExpectedRootCause;
  top: Pick<Hypothesis, 'category' | 'description' | 'confidence'> | null;
  /** The top hypothesis has the expected category. */
  categoryMatched: boolean;
  /** The top hypothesis (description or evidence) names the culprit: the process, the file, the service. */
  culpritNamed: boolean;
  matched: boolean;
}

export type LiveIncidentEvent =
  | IncidentEvent
  | { type: 'live-phase'; phase: LivePhase; at: string }
  /** The busiest processes of the latest reading (by CPU and by memory, merged), with their command lines. */
  | { type: 'processes'; at: number; processes: ProcessWithCommand[] }
  | { type: 'fault'; state: 'prepared' | 'started' | 'resolved' | 'ended'; title: string; description: string; target: FaultTarget | null }
  /** The first reading that a monitor watching these metrics would have alerted on. */
  | { type: 'detected'; afterSeconds: number; metric: string; sigma: number }
  | { type: 'verdict'; verdict: Verdict };

export interface LiveIncidentOptions {
  fault: LiveFault;
  analyzer: Analyzer;
  knownRootCauses: string[];
  signal: AbortSignal;
  /** Between readings; default 1000 ms (the monitor's interval). */
  sampleMs?: number;
  /** Readings before the fault starts; default 5 s. */
  baselineSeconds?: number;
  /** Readings in a row beyond three sigmas before the anomaly counts as detected; default 2. */
  confirmReadings?: number;
  /** Readings after detection before the analysis starts (so that a curve has a shape); default 2. */
  settleReadings?: number;
  /** The analysis starts by then even without a detection; default 20 s after the fault started. */
  detectWithinSeconds?: number;
  /** firedrill ends the fault itself this long after it started (time while paused not counted); default 60 s. */
  holdSeconds?: number;
  /** After the fault ends, readings go on until the node metrics are back near their baseline, at most this long; default 10 s. */
  recoverWithinSeconds?: number;
  /** Rows in each `processes` event; default 8. */
  processRows?: number;
}

const ANOMALY_SIGMA = 3;

export function newLiveIncidentId(): string {
  return `live_${randomBytes(4).toString('hex')}`;
}

/** True when the top hypothesis of the analysis names the known root cause. */
export function judge(expected: ExpectedRootCause, hypotheses: readonly Hypothesis[]): Verdict {
  const top = [...hypotheses].sort((a, b) => b.confidence - a.confidence)[0] ?? null;
  const categoryMatched = top?.category === expected.category;
  const text = top ? [top.description, top.reasoning, ...top.evidence.map((item) => `${item.signal} ${item.observation}`)].join('\n') : '';
  const culpritNamed = expected.culprit !== '' && text.includes(expected.culprit);
  return {
    expected,
    top: top ? { category: top.category, description: top.description, confidence: top.confidence } : null,
    categoryMatched,
    culpritNamed,
    matched: categoryMatched && culpritNamed,
  };
}

/** A queue the sampler and the analyzer push into and the generator drains, in order. */
class EventQueue<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  shift(): T | undefined {
    return this.items.shift();
  }

  /** Resolves when something is pushed, or after `ms`, or on abort. */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.items.length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

export async function* runLiveIncident(options: LiveIncidentOptions): AsyncGenerator<LiveIncidentEvent, void> {
  const { fault, analyzer, signal } = options;
  const sampleMs = options.sampleMs ?? 1000;
  const baselineMs = (options.baselineSeconds ?? 5) * 1000;
  const confirmReadings = options.confirmReadings ?? 2;
  const settleReadings = options.settleReadings ?? 2;
  const detectWithinMs = (options.detectWithinSeconds ?? 20) * 1000;
  const holdMs = (options.holdSeconds ?? 60) * 1000;
  const recoverWithinMs = (options.recoverWithinSeconds ?? 10) * 1000;
  const processRows = options.processRows ?? 8;
  const now = () => new Date().toISOString();
  const timeline = (message: string): IncidentEvent => ({ type: 'timeline', at: now(), message });
  const phase = (value: LivePhase): LiveIncidentEvent => ({ type: 'live-phase', phase: value, at: now() });
  const faultEvent = (state: Extract<LiveIncidentEvent, { type: 'fault' }>['state']): LiveIncidentEvent => ({
    type: 'fault',
    state,
    title: fault.title,
    description: fault.describe(),
    target: fault.target(),
  });

  const queue = new EventQueue<LiveIncidentEvent>();
  const processes = new ProcessReader();
  const watchedDirectory = fault.directory ?? os.tmpdir();
  const mountpoint = await mountpointOf(watchedDirectory);
  const host = { hostname: os.hostname(), cpus: os.availableParallelism(), memTotalBytes: os.totalmem() };
  const startedAt = Date.now();
  const baselineReadings: LiveReading[] = [];
  const faultReadings: LiveReading[] = [];
  let faultStartedAt: number | null = null;
  let inBaseline = true;
  let readingFailed: string | undefined;

  // Readings: one at a time, in order, each turned into a metrics and a processes event.
  const specs = (): MetricSpec[] => {
    const probe = fault.probe();
    return nodeMetricSpecs({ mountpoint, probe: probe?.name ?? null });
  };
  let baselines = new Map<string, Baseline>();
  const readSample = readSystemSample(watchedDirectory);
  const sampler = new SystemSampler({
    diskPath: watchedDirectory,
    intervalMs: sampleMs,
    keepSeconds: 120,
    read: readSample,
    onError: (error) => (readingFailed = error.message),
  });
  let chain = Promise.resolve();
  const onSample = (sample: SystemSample) => {
    chain = chain.then(async () => {
      const reading = await takeReading(sample);
      (inBaseline ? baselineReadings : faultReadings).push(reading);
      // Node metrics only: the processes have their own table (per-process metrics go to the analyzer).
      const points = specs()
        .map((spec) => metricPoint(spec, reading, baselines.get(spec.name) ?? (faultStartedAt === null ? undefined : baselineOf([], spec.noiseFloor))))
        .filter((point) => point !== null);
      queue.push({ type: 'metrics', elapsedSeconds: Math.round((reading.at - startedAt) / 100) / 10, points });
      const top = [...new Set([...topProcesses(reading.processes, 'cpu', processRows), ...topProcesses(reading.processes, 'memory', Math.ceil(processRows / 2))])]
        .slice(0, processRows + Math.ceil(processRows / 2))
        .map((process) => processes.withCommand(process));
      queue.push({ type: 'processes', at: reading.at, processes: top });
    }).catch((error: unknown) => {
      readingFailed = error instanceof Error ? error.message : String(error);
    });
  };
  const takeReading = async (sample: SystemSample): Promise<LiveReading> => {
    const probe = fault.probe();
    const [disk, up] = await Promise.all([readDisk(watchedDirectory).catch(() => null), probe ? httpHealthy(probe.url) : Promise.resolve(false)]);
    return {
      at: sample.at,
      sample,
      processes: processes.read(),
      filesystem: disk ? { mountpoint, availBytes: disk.availableBytes, sizeBytes: disk.totalBytes } : null,
      probe: probe ? { ...probe, up } : null,
    };
  };

  const analysisController = new AbortController();
  const stopAnalysis = () => analysisController.abort(signal.reason);
  signal.addEventListener('abort', stopAnalysis, { once: true });
  const progress: { analysis: 'waiting' | 'running' | 'done' } = { analysis: 'waiting' };
  const startAnalysis = async () => {
    progress.analysis = 'running';
    const recentFiles = await recentLargeFiles(watchedDirectory, Math.ceil((Date.now() - (faultStartedAt ?? startedAt)) / 1000) + 5);
    const scenario = liveScenario(
      { id: options.fault.kind, host, startedAt, baselineReadings, faultReadings, recentFiles },
      (process) => processes.withCommand(process),
    );
    queue.push(timeline(`analysis started (${analyzer.source}): ${scenario.metrics.length} metrics, ${faultReadings.length} readings since the fault`));
    let result: Extract<AnalysisEvent, { type: 'analysis-finished' }> | undefined;
    try {
      for await (const event of analyzer.analyze({ scenario, knownRootCauses: options.knownRootCauses }, analysisController.signal)) {
        if (analysisController.signal.aborted) break;
        queue.push(event);
        if (event.type === 'analysis-finished') result = event;
      }
      if (result) {
        const verdict = judge(fault.expected, result.hypotheses);
        queue.push({ type: 'verdict', verdict });
        queue.push(
          timeline(
            verdict.matched
              ? `the analyzer found the cause: ${fault.title}`
              : `the analyzer missed the cause (${fault.title}): its top hypothesis is ${verdict.top?.category ?? 'none'}`,
          ),
        );
      } else if (!analysisController.signal.aborted) {
        queue.push({ type: 'notice', level: 'error', message: 'the analyzer ended without a result' });
      }
    } catch (error) {
      queue.push({ type: 'notice', level: 'error', message: `the analysis failed: ${error instanceof Error ? error.message : String(error)}` });
    } finally {
      progress.analysis = 'done';
    }
  };

  let status: 'completed' | 'stopped' | 'failed' = 'completed';
  let failure: string | undefined;
  const drain = function* () {
    for (let event = queue.shift(); event !== undefined; event = queue.shift()) yield event;
  };

  async function* run(): AsyncGenerator<LiveIncidentEvent, void> {
    yield {
      type: 'incident-opened',
      simulationId: newLiveIncidentId(),
      incidentId: randomUUID(),
      scenarioId: `live:${fault.kind}`,
      severity: 'high',
      startedAt: new Date(startedAt).toISOString(),
    };
    yield phase('preparing');
    const refusal = await fault.preflight();
    if (refusal) throw new Error(refusal);
    await fault.prepare();
    if (fault.probe()) yield faultEvent('prepared');
    sampler.subscribe(onSample);
    sampler.start();

    yield phase('baseline');
    yield timeline(`taking a baseline of ${host.hostname} for ${Math.round(baselineMs / 1000)} s`);
    const baselineUntil = Date.now() + baselineMs;
    while (!signal.aborted && (Date.now() < baselineUntil || baselineReadings.length < 2)) {
      yield* drain();
      await queue.wait(Math.min(sampleMs, Math.max(0, baselineUntil - Date.now())), signal);
    }
    if (signal.aborted) return;
    await chain;
    yield* drain();
    inBaseline = false;
    if (baselineReadings.length === 0) throw new Error(`no reading of the machine came in ${Math.round(baselineMs / 1000)} s${readingFailed ? `: ${readingFailed}` : ''}`);
    baselines = new Map(specs().map((spec) => [spec.name, baselineFor(spec, baselineReadings)]));

    await fault.start();
    faultStartedAt = Date.now();
    yield phase('fault');
    yield faultEvent('started');

    let anomalousInARow = 0;
    let detectedAt: number | null = null;
    let readingsSinceDetection = 0;
    let seenReadings = 0;
    let pausedMs = 0;
    let pausedSince: number | null = null;
    let holding = false;
    for (;;) {
      yield* drain();
      if (signal.aborted) break;
      // One pass per new reading.
      if (faultReadings.length > seenReadings) {
        seenReadings = faultReadings.length;
        const reading = faultReadings.at(-1)!;
        const worst = specs()
          .map((spec) => {
            const value = spec.read(reading);
            const baseline = baselines.get(spec.name);
            return { name: spec.name, sigma: value === undefined || !baseline ? 0 : (value - baseline.mean) / baseline.sigma };
          })
          .sort((a, b) => Math.abs(b.sigma) - Math.abs(a.sigma))[0];
        if (detectedAt === null) {
          anomalousInARow = worst && Math.abs(worst.sigma) >= ANOMALY_SIGMA ? anomalousInARow + 1 : 0;
          if (worst && anomalousInARow >= confirmReadings) {
            detectedAt = reading.at;
            yield { type: 'detected', afterSeconds: Math.round((reading.at - faultStartedAt) / 100) / 10, metric: worst.name, sigma: Math.round(worst.sigma * 10) / 10 };
            yield timeline(`anomaly detected: ${worst.name} at ${Math.round(worst.sigma * 10) / 10}σ from its baseline`);
          }
        } else readingsSinceDetection += 1;
      }
      if (progress.analysis === 'waiting') {
        const late = Date.now() - faultStartedAt >= detectWithinMs;
        if ((detectedAt !== null && readingsSinceDetection >= settleReadings) || late) {
          if (detectedAt === null) yield timeline(`no node metric moved three sigmas in ${Math.round(detectWithinMs / 1000)} s: analysing anyway`);
          yield phase('analysing');
          void startAnalysis();
        }
      }
      if (progress.analysis === 'done' && !holding) {
        holding = true;
        yield phase('holding');
      }
      if (!(await fault.isPresent())) {
        yield faultEvent('resolved');
        yield timeline(`resolved: ${fault.title} is gone`);
        break;
      }
      if (fault.isPaused()) pausedSince ??= Date.now();
      else if (pausedSince !== null) {
        pausedMs += Date.now() - pausedSince;
        pausedSince = null;
      }
      const held = Date.now() - faultStartedAt - pausedMs - (pausedSince === null ? 0 : Date.now() - pausedSince);
      if (progress.analysis === 'done' && held >= holdMs) {
        await fault.end();
        yield faultEvent('ended');
        yield timeline(`firedrill ended the fault after ${Math.round((Date.now() - faultStartedAt) / 1000)} s`);
        break;
      }
      await queue.wait(sampleMs, signal);
    }
    if (signal.aborted) return;
    // Wait for the analysis, if it is still streaming, before watching the recovery.
    while (progress.analysis === 'running' && !signal.aborted) {
      yield* drain();
      await queue.wait(sampleMs, signal);
    }
    yield* drain();
    yield phase('recovering');
    const recoveryStartedAt = Date.now();
    const recoveredFrom = faultReadings.length;
    while (!signal.aborted && Date.now() - recoveryStartedAt < recoverWithinMs) {
      yield* drain();
      const reading = faultReadings.length > recoveredFrom ? faultReadings.at(-1) : undefined;
      if (reading && specs().every((spec) => withinBaseline(spec, reading, baselines.get(spec.name)))) {
        yield timeline(`back to baseline ${Math.round((reading.at - recoveryStartedAt) / 100) / 10} s after the fault ended`);
        break;
      }
      await queue.wait(sampleMs, signal);
    }
    if (readingFailed) yield { type: 'notice', level: 'warn', message: `a reading of the machine failed: ${readingFailed}` };
  }

  try {
    yield* run();
  } catch (error) {
    status = 'failed';
    failure = error instanceof Error ? error.message : String(error);
    yield { type: 'notice', level: 'error', message: `the live incident could not go on: ${failure}` };
  } finally {
    signal.removeEventListener('abort', stopAnalysis);
    analysisController.abort();
    sampler.stop();
    sampler.unsubscribe(onSample);
    await chain.catch(() => undefined);
    await fault.dispose();
    if (signal.aborted && status !== 'failed') status = 'stopped';
  }
  yield phase('finished');
  yield { type: 'incident-finished', status, completedAt: now(), ...(failure ? { error: failure } : {}) };
}

function withinBaseline(spec: MetricSpec, reading: LiveReading, baseline: Baseline | undefined): boolean {
  const value = spec.read(reading);
  if (value === undefined || !baseline) return true;
  return Math.abs(value - baseline.mean) / baseline.sigma < ANOMALY_SIGMA;
}
