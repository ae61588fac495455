import type { Evidence, Scenario, ScenarioMetric } from '../incidents/types.js';
import { isAnomalousSigma } from '../incidents/rank.js';
import { categoryBase } from './root-causes.js';

/**
 * Confidence is computed from the evidence, never asked of a model (the original's rule, kept as is
 * so that firedrill's numbers compare with its):
 *
 *   confidence = 0.4 * base(category) + 0.35 * evidence + 0.25 * anomaly, clamped to [0.01, 0.99]
 *   evidence   = 0.6 * mean(relevance) + min(0.15, 0.05 * distinct signal types) + min(0.10, 0.03 * evidence count)
 *   anomaly    = 0.7 * mean(anomaly confidence) + 0.3 * min(1, max |sigma| / 6)
 *
 * The original's topology boosts and learned adjustment are left out: firedrill has no topology
 * graph and no feedback history to learn from.
 */

/** The sigma at which an anomaly is taken as certain. */
const CERTAIN_SIGMA = 6;

export function isAnomalousMetric(metric: ScenarioMetric): boolean {
  return isAnomalousSigma(metric.deviationSigma);
}

/** How sure a detector is that one metric is anomalous: its distance in sigmas, out of 6. */
export function anomalyConfidence(metric: ScenarioMetric): number {
  return Math.min(1, Math.abs(metric.deviationSigma) / CERTAIN_SIGMA);
}

/**
 * The kind of signal an evidence item rests on: an explicit "kind:name" prefix ("log:...",
 * "trace:..."), else "metric" for one of the scenario's metrics, "context" for a context entry
 * (a deployment, an alert...), else "other".
 */
export function signalType(signal: string, scenario: Scenario): string {
  const prefixed = /^([a-z_]+):(?!\/\/)/i.exec(signal.trim());
  if (prefixed) return prefixed[1]!.toLowerCase();
  if (metricsNamedBy(signal, scenario).length > 0) return 'metric';
  const root = signal.trim().replace(/^context\./, '').split(/[.[\s]/)[0] ?? '';
  if (root !== '' && Object.hasOwn(scenario.context, root)) return 'context';
  return 'other';
}

/** The scenario metrics an evidence signal names (exactly, or as a part of a longer signal). */
export function metricsNamedBy(signal: string, scenario: Scenario): ScenarioMetric[] {
  const name = signal.trim().replace(/^[a-z_]+:(?!\/\/)/i, '').toLowerCase();
  if (name === '') return [];
  const exact = scenario.metrics.filter((metric) => metric.name.toLowerCase() === name);
  if (exact.length > 0) return exact;
  return scenario.metrics.filter((metric) => {
    const metricName = metric.name.toLowerCase();
    return name.includes(metricName) || (name.length >= 6 && metricName.includes(name));
  });
}

export function evidenceScore(evidence: readonly Evidence[], scenario: Scenario): number {
  if (evidence.length === 0) return 0;
  const meanRelevance = evidence.reduce((sum, item) => sum + clamp(item.relevance, 0, 1), 0) / evidence.length;
  const types = new Set(evidence.map((item) => signalType(item.signal, scenario))).size;
  return 0.6 * meanRelevance + Math.min(0.15, 0.05 * types) + Math.min(0.1, 0.03 * evidence.length);
}

/**
 * The anomalies the hypothesis rests on: the anomalous metrics its evidence names, or, when it names
 * none, every anomalous metric of the incident (what the original's detector would have handed in).
 */
export function anomalyScore(evidence: readonly Evidence[], scenario: Scenario): number {
  const cited = new Set(evidence.flatMap((item) => metricsNamedBy(item.signal, scenario)).filter(isAnomalousMetric));
  const anomalies = cited.size > 0 ? [...cited] : scenario.metrics.filter(isAnomalousMetric);
  if (anomalies.length === 0) return 0;
  const meanConfidence = anomalies.reduce((sum, metric) => sum + anomalyConfidence(metric), 0) / anomalies.length;
  const maxSigma = Math.max(...anomalies.map((metric) => Math.abs(metric.deviationSigma)));
  return 0.7 * meanConfidence + 0.3 * Math.min(1, maxSigma / CERTAIN_SIGMA);
}

export interface ConfidenceBreakdown {
  base: number;
  evidence: number;
  anomaly: number;
  confidence: number;
}

export function confidenceBreakdown(hypothesis: { category: string; evidence: readonly Evidence[] }, scenario: Scenario): ConfidenceBreakdown {
  const base = categoryBase(hypothesis.category);
  const evidence = evidenceScore(hypothesis.evidence, scenario);
  const anomaly = anomalyScore(hypothesis.evidence, scenario);
  const confidence = clamp(0.4 * base + 0.35 * evidence + 0.25 * anomaly, 0.01, 0.99);
  return { base, evidence, anomaly, confidence: Math.round(confidence * 1000) / 1000 };
}

/** The hypothesis's confidence, 0.01..0.99, rounded to three decimals. */
export function confidenceFor(hypothesis: { category: string; evidence: readonly Evidence[] }, scenario: Scenario): number {
  return confidenceBreakdown(hypothesis, scenario).confidence;
}

function clamp(value: number, low: number, high: number): number {
  if (!Number.isFinite(value)) return low;
  return Math.min(high, Math.max(low, value));
}
