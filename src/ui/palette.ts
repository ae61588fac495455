import { ANOMALY_SIGMA, isAnomalousSigma } from '../incidents/rank.js';
import type { RiskLevel, Severity } from '../incidents/types.js';

/**
 * The chalk that Ink 6.8 bundles (5.x) ignores NO_COLOR (https://no-color.org), so colors are
 * dropped here when it is set; every colored word is also written out, so nothing is lost.
 */
export function colorsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.NO_COLOR;
}

export function paint(color: string): string | undefined {
  return colorsEnabled() ? color : undefined;
}

const SEVERITY_COLORS: Record<Severity, string> = { critical: 'red', high: 'redBright', medium: 'yellow', low: 'green' };
const RISK_COLORS: Record<RiskLevel, string> = { high: 'red', medium: 'yellow', low: 'green' };

export function severityColor(severity: Severity): string | undefined {
  return paint(SEVERITY_COLORS[severity]);
}

export function riskColor(risk: RiskLevel): string | undefined {
  return paint(RISK_COLORS[risk]);
}

/** Anomalous (|sigma| >= ANOMALY_SIGMA) in red, getting there in yellow. */
export function sigmaColor(sigma: number | undefined): string | undefined {
  if (sigma === undefined) return undefined;
  const size = Math.abs(sigma);
  return paint(isAnomalousSigma(sigma) ? 'red' : size >= ANOMALY_SIGMA - 1 ? 'yellow' : 'green');
}

export function confidenceColor(confidence: number): string | undefined {
  return paint(confidence >= 0.7 ? 'green' : confidence >= 0.4 ? 'yellow' : 'gray');
}

/** How a line should read: neutral, good news, a warning, bad news. */
export type Tone = 'info' | 'good' | 'warn' | 'bad';
const TONE_COLORS: Record<Tone, string> = { info: 'cyan', good: 'green', warn: 'yellow', bad: 'red' };

export function toneColor(tone: Tone): string | undefined {
  return paint(TONE_COLORS[tone]);
}

/** A gauge of this machine: green, yellow from 75 %, red from 90 %. */
export function gaugeColor(percent: number): string | undefined {
  return paint(percent >= 90 ? 'red' : percent >= 75 ? 'yellow' : 'green');
}
