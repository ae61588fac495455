import { describe, expect, it } from 'vitest';
import { currentSigma, metricSeries, ONSET_FRACTION, seededRandom, sigmaUnit, valueAt } from '../../src/incidents/metric-series.js';
import type { MetricPattern, ScenarioMetric } from '../../src/incidents/types.js';

// random() = 0.5 adds no noise: (0.5 * 2 - 1) * amplitude = 0.
const noNoise = () => 0.5;
const metric = (pattern: MetricPattern, extra: Partial<ScenarioMetric> = {}): ScenarioMetric => ({
  name: 'latency_seconds',
  value: 10,
  baseline: 1,
  deviationSigma: 6,
  pattern,
  unit: 'seconds',
  ...extra,
});

describe('metric series', () => {
  it('constant: at the incident value throughout', () => {
    expect(metricSeries(metric('constant'), 100, 11, noNoise)).toEqual(Array(11).fill(10));
  });

  it('linear: from the baseline to the value in a straight line', () => {
    const series = metricSeries(metric('linear'), 100, 11, noNoise);
    expect(series[0]).toBe(1);
    expect(series[5]).toBeCloseTo(5.5, 9);
    expect(series[10]).toBe(10);
    for (let index = 1; index < series.length; index += 1) expect(series[index]! - series[index - 1]!).toBeCloseTo(0.9, 9);
  });

  it('step: at the baseline until the onset, then at the value', () => {
    const onset = ONSET_FRACTION * 100;
    expect(valueAt(metric('step'), onset - 1, 100, noNoise)).toBe(1);
    expect(valueAt(metric('step'), onset, 100, noNoise)).toBe(10);
    expect(valueAt(metric('step'), 100, 100, noNoise)).toBe(10);
  });

  it('spike: flat, then a fast rise to the value, where it stays', () => {
    const series = metricSeries(metric('spike'), 100, 101, noNoise);
    const onset = ONSET_FRACTION * 100;
    expect(series.slice(0, onset + 1).every((value) => value === 1)).toBe(true);
    const peakAt = series.findIndex((value) => value === 10);
    expect(peakAt).toBeGreaterThan(onset);
    expect(peakAt).toBeLessThan(onset + 15);
    expect(series.slice(peakAt).every((value) => value === 10)).toBe(true);
    for (let index = onset + 1; index <= peakAt; index += 1) expect(series[index]!).toBeGreaterThan(series[index - 1]!);
  });

  it('oscillating: waves between most of the way and the value, ending at the value', () => {
    const series = metricSeries(metric('oscillating'), 100, 101, noNoise);
    const afterRamp = series.slice(ONSET_FRACTION * 100);
    expect(Math.max(...afterRamp)).toBeCloseTo(10, 6);
    expect(Math.min(...afterRamp)).toBeGreaterThanOrEqual(1 + 0.6 * 9 - 1e-9);
    expect(Math.min(...afterRamp)).toBeLessThan(1 + 0.65 * 9);
    let turns = 0;
    for (let index = 2; index < afterRamp.length; index += 1) {
      if (Math.sign(afterRamp[index]! - afterRamp[index - 1]!) !== Math.sign(afterRamp[index - 1]! - afterRamp[index - 2]!)) turns += 1;
    }
    expect(turns).toBeGreaterThanOrEqual(4);
    expect(series[100]).toBeCloseTo(10, 9);
  });

  it('falls as well as rises (negative sigma)', () => {
    const dropping = metric('linear', { value: 50, baseline: 800, deviationSigma: -6 });
    expect(currentSigma(dropping, valueAt(dropping, 100, 100, noNoise))).toBeCloseTo(-6, 9);
    expect(valueAt(dropping, 50, 100, noNoise)).toBe(425);
  });

  it('adds noise of at most a quarter sigma, replayable from a seed', () => {
    const m = metric('linear');
    const one = metricSeries(m, 100, 50, seededRandom(42));
    const again = metricSeries(m, 100, 50, seededRandom(42));
    const other = metricSeries(m, 100, 50, seededRandom(43));
    expect(one).toEqual(again);
    expect(one).not.toEqual(other);
    const clean = metricSeries(m, 100, 50, noNoise);
    const sigma = sigmaUnit(m);
    expect(sigma).toBeCloseTo(1.5, 9);
    for (const [index, value] of one.entries()) expect(Math.abs(value - clean[index]!)).toBeLessThanOrEqual(0.25 * sigma + 1e-9);
    expect(one.some((value, index) => value !== clean[index])).toBe(true);
  });

  it('keeps values possible for their unit', () => {
    const maxRandom = () => 0.999999;
    const minRandom = () => 0;
    expect(valueAt(metric('constant', { value: 99.9, baseline: 40, unit: '%' }), 0, 100, maxRandom)).toBeLessThanOrEqual(100);
    expect(valueAt(metric('step', { value: 40, baseline: 0, unit: 'count' }), 0, 100, minRandom)).toBe(0);
    expect(Number.isInteger(valueAt(metric('linear', { value: 45, baseline: 0, unit: 'count' }), 33, 100, seededRandom(1)))).toBe(true);
    expect(valueAt(metric('step', { value: 1, baseline: 0, unit: 'bool', deviationSigma: 5 }), 50, 100, maxRandom)).toBe(1);
  });
});
