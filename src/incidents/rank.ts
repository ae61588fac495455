import type { Hypothesis } from './types.js';

/**
 * What counts as anomalous and what ranks first, defined once for the simulation, the analyzers,
 * the incident API and the console.
 */

/** A metric is anomalous from three standard deviations on, as in the original. */
export const ANOMALY_SIGMA = 3;

export function isAnomalousSigma(sigma: number): boolean {
  return Math.abs(sigma) >= ANOMALY_SIGMA;
}

/** Most confident first; between equals, the one with more evidence. Never sorts in place. */
export function byConfidence<T extends Pick<Hypothesis, 'confidence' | 'evidence'>>(hypotheses: readonly T[]): T[] {
  return [...hypotheses].sort((a, b) => b.confidence - a.confidence || b.evidence.length - a.evidence.length);
}
