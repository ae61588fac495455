import type { MetricPattern, ScenarioMetric } from './types.js';

/**
 * Metric injection: each scenario metric becomes a time series over the scenario's duration that
 * moves from its baseline to its incident value following its pattern, with a little noise so
 * that the gauges look alive. Noise comes from an injected random source so that runs can be
 * replayed exactly (seededRandom).
 */

/** Where the step and the spike begin, as a share of the duration. */
export const ONSET_FRACTION = 0.2;
/** How long a spike takes to reach its peak, as a share of the duration. */
const SPIKE_RISE_FRACTION = 0.08;
const OSCILLATION_CYCLES = 4;
/** Noise amplitude, in standard deviations of the metric. */
const NOISE_SIGMA = 0.25;

/** How far along the way from baseline (0) to the incident value (1) the pattern is at `fraction`. */
export function patternProgress(pattern: MetricPattern, fraction: number): number {
  const x = Math.min(1, Math.max(0, fraction));
  switch (pattern) {
    case 'constant':
      return 1;
    case 'linear':
      return x;
    case 'step':
      return x < ONSET_FRACTION ? 0 : 1;
    case 'spike': {
      if (x < ONSET_FRACTION) return 0;
      const rise = (x - ONSET_FRACTION) / SPIKE_RISE_FRACTION;
      return rise >= 1 ? 1 : rise * rise;
    }
    case 'oscillating': {
      // The swings grow to full size over the first fifth, then wave between 60 % and 100 %.
      const envelope = Math.min(1, x / ONSET_FRACTION);
      const wave = 0.8 + 0.2 * Math.cos(2 * Math.PI * OSCILLATION_CYCLES * x);
      return envelope * wave;
    }
    default: {
      const unknown: never = pattern;
      throw new Error(`unknown metric pattern ${String(unknown)}`);
    }
  }
}

/** One standard deviation of the metric, in its unit (the file gives the incident value's distance in sigmas). */
export function sigmaUnit(metric: ScenarioMetric): number {
  const distance = Math.abs(metric.value - metric.baseline);
  if (metric.deviationSigma !== 0 && distance > 0) return distance / Math.abs(metric.deviationSigma);
  return Math.max(Math.abs(metric.baseline) * 0.01, 1e-9);
}

/** How many sigmas a current value is away from the baseline (signed). */
export function currentSigma(metric: ScenarioMetric, value: number): number {
  return (value - metric.baseline) / sigmaUnit(metric);
}

/** The metric's value at a moment of the scenario; `random` returns [0, 1) like Math.random. */
export function valueAt(
  metric: ScenarioMetric,
  elapsedSeconds: number,
  durationSeconds: number,
  random: () => number = Math.random,
): number {
  const fraction = durationSeconds > 0 ? elapsedSeconds / durationSeconds : 1;
  const progress = patternProgress(metric.pattern, fraction);
  let value = metric.baseline + (metric.value - metric.baseline) * progress;
  if (metric.unit !== 'bool') value += (random() * 2 - 1) * NOISE_SIGMA * sigmaUnit(metric);
  return shapeForUnit(metric, value);
}

/** Keeps values physically possible: no negative counts, percentages within 0..100, whole counts. */
function shapeForUnit(metric: ScenarioMetric, value: number): number {
  let shaped = value;
  if (metric.baseline >= 0 && metric.value >= 0) shaped = Math.max(0, shaped);
  if (metric.unit === '%') shaped = Math.min(100, shaped);
  if (metric.unit === 'ratio') shaped = Math.min(1, shaped);
  if (metric.unit === 'count' || metric.unit === 'bool') shaped = Math.round(shaped);
  return shaped;
}

/** The whole series, `points` samples from 0 to the duration inclusive. */
export function metricSeries(metric: ScenarioMetric, durationSeconds: number, points: number, random: () => number = Math.random): number[] {
  const count = Math.max(2, Math.floor(points));
  return Array.from({ length: count }, (_, index) => valueAt(metric, (durationSeconds * index) / (count - 1), durationSeconds, random));
}

/** A small deterministic random source (mulberry32), for replayable runs and tests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
