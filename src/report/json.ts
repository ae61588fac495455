import type { Detection, DrillName, Measured, MonitorEvent, RunReport, RunSummary } from '../drills/types.js';

/**
 * The machine-readable report of `firedrill run --json`: one object, stable field names, the
 * original's per-test fields in camelCase plus what a person needs to act (summary, events, detection).
 */

export interface JsonDrillResult {
  test: DrillName;
  success: boolean;
  eventsTriggered: number;
  startedAt: string;
  completedAt: string;
  measured: Measured;
  error?: string;
  summary: string;
  events: MonitorEvent[];
  detection?: Detection[];
}

export interface JsonRunReport {
  machine: string;
  runId: string;
  startedAt: string;
  finishedAt: string;
  results: JsonDrillResult[];
  summary: RunSummary;
}

export function toJsonReport(report: RunReport): JsonRunReport {
  return {
    machine: report.machine,
    runId: report.runId,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    results: report.results.map((result) => {
      const json: JsonDrillResult = {
        test: result.test,
        success: result.success,
        eventsTriggered: result.eventsTriggered,
        startedAt: result.startedAt,
        completedAt: result.completedAt,
        measured: { ...result.measured },
        summary: result.summary,
        events: result.events.map((event) => ({ ...event })),
      };
      if (result.error !== undefined) json.error = result.error;
      if (result.detection !== undefined) json.detection = result.detection;
      return json;
    }),
    summary: { ...report.summary },
  };
}
