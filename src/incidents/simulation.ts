import { randomBytes, randomUUID } from 'node:crypto';
import { currentSigma, valueAt } from './metric-series.js';
import { byConfidence, isAnomalousSigma } from './rank.js';
import type { AnalysisEvent, Analyzer, Hypothesis, IncidentEvent, IncidentReport, MetricPoint, RecommendedAction, Scenario } from './types.js';

/**
 * The in-process simulation engine: plays a scenario's metrics forward in scenario time (metric
 * injection), opens the incident, starts the analyzer once an anomaly is visible and interleaves
 * its events with the metric ticks, which keep coming while the analysis streams. The console, the
 * headless `incident` command and the incident API all drive this same generator.
 */

export interface SimulationOptions {
  scenario: Scenario;
  analyzer: Analyzer;
  knownRootCauses: string[];
  /** Scenario seconds per real second (default 30: a 300 s scenario plays in 10 s). */
  speed?: number;
  /** Real time between metric ticks, in ms (default 500); shortened so that every run has at least MIN_TICKS ticks. */
  tickMs?: number;
  signal: AbortSignal;
  simulationId?: string;
  /** The noise source of the metric series; pass seededRandom(n) for a replayable run. */
  random?: () => number;
}

export const DEFAULT_SPEED = 30;
export const DEFAULT_TICK_MS = 500;
/** Every run shows the metrics moving, however fast it is played. */
export const MIN_TICKS = 10;
/** Ticks shown before the analysis may start, so that the anomaly is seen building up first. */
const TICKS_BEFORE_ANALYSIS = 2;

export function newSimulationId(): string {
  return `sim_${randomBytes(4).toString('hex')}`;
}

type AnalysisState = 'waiting' | 'running' | 'finished' | 'failed';

export async function* runSimulation(options: SimulationOptions): AsyncGenerator<IncidentEvent, void> {
  const { scenario, analyzer, signal } = options;
  const speed = options.speed ?? DEFAULT_SPEED;
  const random = options.random ?? Math.random;
  const tickMs = options.tickMs ?? DEFAULT_TICK_MS;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, got ${speed}`);
  if (!(tickMs > 0)) throw new RangeError(`tickMs must be a positive number, got ${tickMs}`);
  if (!(scenario.durationSeconds > 0)) throw new RangeError(`scenario ${scenario.id} has no duration`);
  const duration = scenario.durationSeconds;
  const stepSeconds = Math.min((speed * tickMs) / 1000, duration / MIN_TICKS);
  const tickDelayMs = (stepSeconds / speed) * 1000;
  const lastTick = Math.ceil(duration / stepSeconds - 1e-9);

  const queue: IncidentEvent[] = [];
  let wake: (() => void) | undefined;
  const push = (event: IncidentEvent) => {
    queue.push(event);
    wake?.();
  };
  const analysisController = new AbortController();
  const stopAnalysis = () => analysisController.abort(signal.reason);
  signal.addEventListener('abort', stopAnalysis, { once: true });
  // An object, not a let: the analysis task changes it behind TypeScript's back.
  const progress: { analysis: AnalysisState } = { analysis: 'waiting' };
  let analysisError: string | undefined;
  let result: Extract<AnalysisEvent, { type: 'analysis-finished' }> | undefined;
  let hypothesesSeen = 0;

  const now = () => new Date().toISOString();
  const timeline = (message: string): IncidentEvent => ({ type: 'timeline', at: now(), message });

  const startAnalysis = () => {
    progress.analysis = 'running';
    push(timeline(`analysis started (${analyzer.source})`));
    void (async () => {
      try {
        for await (const event of analyzer.analyze({ scenario, knownRootCauses: options.knownRootCauses }, analysisController.signal)) {
          if (analysisController.signal.aborted) break;
          push(event);
          if (event.type === 'analysis-finished') result = event;
        }
        if (result) progress.analysis = 'finished';
        else {
          progress.analysis = 'failed';
          analysisError ??= 'the analyzer ended without a result';
        }
      } catch (error) {
        progress.analysis = 'failed';
        analysisError = error instanceof Error ? error.message : String(error);
      } finally {
        wake?.();
      }
    })();
  };

  const incidentId = randomUUID();
  const startedAt = now();
  let tick = 0;
  let nextTickAt = Date.now();
  let anomalySeen = false;
  try {
    yield {
      type: 'incident-opened',
      simulationId: options.simulationId ?? newSimulationId(),
      incidentId,
      scenarioId: scenario.id,
      severity: scenario.severity,
      startedAt,
    };
    yield timeline(`simulation started: injecting ${scenario.metrics.length} metrics into ${scenario.service} at ${speed}x speed`);

    for (;;) {
      if (signal.aborted) break;
      while (queue.length > 0) {
        const event = queue.shift()!;
        yield event;
        if (event.type === 'hypothesis') {
          hypothesesSeen += 1;
          yield timeline(`hypothesis ${hypothesesSeen}: ${event.hypothesis.description} (${Math.round(event.hypothesis.confidence * 100)}%)`);
        } else if (event.type === 'analysis-finished') {
          yield timeline(describeActions(event));
        }
        if (signal.aborted) break;
      }
      if (signal.aborted) break;

      const metricsDone = tick > lastTick;
      if (metricsDone && progress.analysis === 'waiting') {
        yield timeline('no metric crossed three standard deviations: analysing anyway');
        startAnalysis();
        continue;
      }
      if (metricsDone && (progress.analysis === 'finished' || progress.analysis === 'failed') && queue.length === 0) break;

      if (!metricsDone && Date.now() >= nextTickAt) {
        const elapsedSeconds = Math.min(duration, tick * stepSeconds);
        const points: MetricPoint[] = scenario.metrics.map((metric) => ({
          name: metric.name,
          value: valueAt(metric, elapsedSeconds, duration, random),
          baseline: metric.baseline,
          unit: metric.unit,
        }));
        yield { type: 'metrics', elapsedSeconds, points };
        if (!anomalySeen) {
          const anomaly = firstAnomaly(scenario, points);
          if (anomaly) {
            anomalySeen = true;
            yield timeline(`anomaly detected after ${Math.round(elapsedSeconds)} s: ${anomaly.name} at ${anomaly.sigma.toFixed(1)}σ from its baseline`);
            yield timeline(`incident opened: ${scenario.name} (${scenario.severity})`);
          }
        }
        if (anomalySeen && progress.analysis === 'waiting' && tick >= TICKS_BEFORE_ANALYSIS) startAnalysis();
        tick += 1;
        // A consumer that fell behind gets the next tick at once, not a burst of the ticks it missed.
        nextTickAt = Math.max(nextTickAt + tickDelayMs, Date.now());
        continue;
      }
      await waitForWork(metricsDone ? undefined : nextTickAt - Date.now());
    }

    if (signal.aborted) {
      yield timeline('simulation stopped before it finished');
      yield { type: 'incident-finished', status: 'stopped', completedAt: now() };
      return;
    }
    if (progress.analysis === 'failed') {
      yield timeline(`analysis failed: ${analysisError}`);
      yield { type: 'incident-finished', status: 'failed', completedAt: now(), error: analysisError ?? 'analysis failed' };
      return;
    }
    const top = result?.hypotheses[0];
    yield timeline(top ? `resolved: root cause ${top.category} (${Math.round(top.confidence * 100)}%); ${approvalState(result!.actions)}` : 'resolved without a hypothesis');
    yield { type: 'incident-finished', status: 'completed', completedAt: now() };
  } finally {
    signal.removeEventListener('abort', stopAnalysis);
    analysisController.abort(new Error('simulation ended'));
  }

  function waitForWork(timeoutMs: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        wake = undefined;
        resolve();
      };
      wake = done;
      signal.addEventListener('abort', done, { once: true });
      if (timeoutMs !== undefined) timer = setTimeout(done, Math.max(0, timeoutMs));
      if (queue.length > 0 || signal.aborted) done();
    });
  }
}

function firstAnomaly(scenario: Scenario, points: MetricPoint[]): { name: string; sigma: number } | undefined {
  let found: { name: string; sigma: number } | undefined;
  scenario.metrics.forEach((metric, index) => {
    if (!isAnomalousSigma(metric.deviationSigma)) return;
    const sigma = currentSigma(metric, points[index]!.value);
    if (isAnomalousSigma(sigma) && (!found || Math.abs(sigma) > Math.abs(found.sigma))) found = { name: metric.name, sigma };
  });
  return found;
}

/** Only actions that need approval are said to await it. */
function approvalState(actions: readonly RecommendedAction[]): string {
  const waiting = actions.filter((action) => action.requiresApproval).length;
  if (actions.length === 0) return 'no action recommended';
  if (waiting === 0) return 'no action needs approval';
  return actions.length === 1 ? 'the action awaits approval' : `${waiting} of ${actions.length} actions await approval`;
}

function describeActions(result: Extract<AnalysisEvent, { type: 'analysis-finished' }>): string {
  if (result.actions.length === 0) return 'no action recommended';
  const approvals = result.actions.filter((action) => action.requiresApproval).length;
  const types = result.actions.map((action) => action.type).join(', ');
  return `actions recommended: ${types}${approvals > 0 ? ` (${approvals} need approval)` : ''}`;
}

/** The `--json` report of a finished simulation: hypotheses by confidence, highest first. */
export function collectIncidentReport(events: Iterable<IncidentEvent>): IncidentReport {
  let scenario = '';
  let severity: IncidentReport['severity'] = 'low';
  let source = '';
  let finished: Extract<IncidentEvent, { type: 'analysis-finished' }> | undefined;
  const streamed: Hypothesis[] = [];
  const actions: IncidentReport['actions'] = [];
  for (const event of events) {
    switch (event.type) {
      case 'incident-opened':
        scenario = event.scenarioId;
        severity = event.severity;
        break;
      case 'source':
        source = event.source;
        break;
      case 'hypothesis':
        streamed.push(event.hypothesis);
        break;
      case 'action':
        actions.push(event.action);
        break;
      case 'analysis-finished':
        finished = event;
        break;
      default:
        break;
    }
  }
  const hypotheses = byConfidence(finished?.hypotheses ?? streamed);
  return {
    scenario,
    source: finished?.source ?? source,
    severity,
    hypotheses,
    actions: finished?.actions ?? actions,
  };
}
