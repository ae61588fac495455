/**
 * `firedrill history --detection`: did the user's own monitoring notice each drill, and how fast,
 * over the recent runs. Pure functions over the store's DetectionRecords, so the text and the JSON
 * say the same thing.
 */
import type { DetectedAlert, Detection } from '../drills/types.js';
import { median } from '../stats.js';
import type { DetectionRecord } from './store.js';

/** "not checked": the monitoring could not be asked (unreachable, garbage), so the drill proves nothing either way. */
export type DetectionVerdict = 'detected' | 'not detected' | 'not checked';

/** One verification of one drill by one source (a drill checked by Prometheus and Alertmanager gives two). */
export interface DetectionRow {
  runId: string;
  machine: string;
  /** When the drill started. */
  startedAt: string;
  drill: string;
  source: Detection['source'];
  verdict: DetectionVerdict;
  /** The alert the verdict rests on (the expected one if it fired, else the first to fire); null when none fired. */
  alert: string | null;
  timeToDetectMs: number | null;
  /** null when no alert fired, or when it had not cleared (see stillFiring). */
  timeToResolveMs: number | null;
  stillFiring: boolean;
  summary: string;
  error?: string;
}

/** One drill over the runs read. A run counts once per drill, whichever sources checked it. */
export interface DrillDetectionSummary {
  drill: string;
  /** Runs in which at least one source answered. */
  checked: number;
  /** Runs in which at least one source saw the drill. */
  detected: number;
  /** Over the detected runs, each run's fastest detection; null when none was detected. */
  medianTimeToDetectMs: number | null;
  worstTimeToDetectMs: number | null;
}

export interface DetectionReport {
  rows: DetectionRow[];
  perDrill: DrillDetectionSummary[];
}

function verdictOf(detection: Detection): DetectionVerdict {
  if (detection.detected) return 'detected';
  return detection.error === undefined ? 'not detected' : 'not checked';
}

/** The alert the detector judged by: the first to fire among those with the expected name (`NodeCpuBusy{severity="page"}`), else among all. */
function alertOf(detection: Detection): DetectedAlert | undefined {
  const expectedName = detection.expected?.split('{')[0] ?? '';
  const named = detection.alerts.filter((alert) => alert.name === expectedName);
  let first: DetectedAlert | undefined;
  for (const alert of named.length > 0 ? named : detection.alerts) {
    if (!first || alert.timeToDetectMs < first.timeToDetectMs) first = alert;
  }
  return first;
}

/** Rows in the store's order (newest run first), and a summary per drill in the order drills first appear. */
export function detectionReport(records: readonly DetectionRecord[]): DetectionReport {
  const rows: DetectionRow[] = [];
  const perDrill = new Map<string, { checked: number; detected: number; times: number[] }>();
  for (const record of records) {
    let checked = false;
    let fastest: number | undefined;
    for (const detection of record.detection) {
      const verdict = verdictOf(detection);
      const alert = alertOf(detection);
      const row: DetectionRow = {
        runId: record.runId,
        machine: record.machine,
        startedAt: record.startedAt,
        drill: record.drill,
        source: detection.source,
        verdict,
        alert: alert?.name ?? null,
        timeToDetectMs: alert?.timeToDetectMs ?? null,
        timeToResolveMs: alert?.timeToResolveMs ?? null,
        stillFiring: alert !== undefined && alert.timeToResolveMs === undefined,
        summary: detection.summary,
      };
      if (detection.error !== undefined) row.error = detection.error;
      rows.push(row);
      if (verdict !== 'not checked') checked = true;
      if (verdict === 'detected' && row.timeToDetectMs !== null) {
        fastest = Math.min(fastest ?? Infinity, row.timeToDetectMs);
      }
    }
    const drill = perDrill.get(record.drill) ?? { checked: 0, detected: 0, times: [] };
    perDrill.set(record.drill, drill);
    if (checked) drill.checked += 1;
    if (record.detection.some((detection) => detection.detected)) drill.detected += 1;
    if (fastest !== undefined) drill.times.push(fastest);
  }
  return {
    rows,
    perDrill: [...perDrill].map(([drill, { checked, detected, times }]) => ({
      drill,
      checked,
      detected,
      medianTimeToDetectMs: median(times),
      worstTimeToDetectMs: times.length === 0 ? null : Math.max(...times),
    })),
  };
}
