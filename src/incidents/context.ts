/**
 * Typed readers for the free-form `context` of a scenario file. Every reader is lenient: a context
 * entry in another shape is skipped, never an error, because context is informative only.
 */

export interface ContextDeployment {
  version: string;
  minutesAgo: number | undefined;
  changes: string[];
}

export interface ContextChange {
  kind: string;
  minutesAgo: number | undefined;
  description: string;
  flag?: string;
}

export interface ContextAlert {
  source: string;
  minutesAgo: number | undefined;
  message: string;
}

export interface ContextDependency {
  name: string;
  type: string;
  timeoutSeconds: number | undefined;
}

export interface ContextWorkload {
  name: string;
  kind: string;
  startedMinutesAgo: number | undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function minutesAgo(entry: Record<string, unknown>): number | undefined {
  return number(entry.minutes_ago) ?? (number(entry.hours_ago) !== undefined ? number(entry.hours_ago)! * 60 : undefined);
}

export function recentDeployments(context: Record<string, unknown>): ContextDeployment[] {
  return records(context.recent_deployments).map((entry) => ({
    version: text(entry.version) || 'unnamed version',
    minutesAgo: minutesAgo(entry),
    changes: Array.isArray(entry.changes) ? entry.changes.map(text) : [],
  }));
}

export function recentChanges(context: Record<string, unknown>): ContextChange[] {
  return records(context.recent_changes).map((entry) => ({
    kind: text(entry.kind),
    minutesAgo: minutesAgo(entry),
    description: text(entry.description),
    ...(typeof entry.flag === 'string' ? { flag: entry.flag } : {}),
  }));
}

/** Business events (a campaign, a sale, a launch). */
export function recentEvents(context: Record<string, unknown>): ContextChange[] {
  return records(context.recent_events).map((entry) => ({
    kind: text(entry.kind),
    minutesAgo: minutesAgo(entry),
    description: text(entry.description),
  }));
}

export function recentAlerts(context: Record<string, unknown>): ContextAlert[] {
  return records(context.recent_alerts).map((entry) => ({
    source: text(entry.source),
    minutesAgo: minutesAgo(entry),
    message: text(entry.message),
  }));
}

export function dependencies(context: Record<string, unknown>): ContextDependency[] {
  return records(context.dependencies).map((entry) => ({
    name: text(entry.name),
    type: text(entry.type),
    timeoutSeconds: number(entry.timeout_seconds),
  }));
}

export function coLocatedWorkloads(context: Record<string, unknown>): ContextWorkload[] {
  return records(context.co_located_workloads).map((entry) => ({
    name: text(entry.name),
    kind: text(entry.kind),
    startedMinutesAgo: number(entry.started_minutes_ago),
  }));
}

/** "20 min ago", "6 h ago", "3 days ago". */
export function describeAgo(minutes: number | undefined): string {
  if (minutes === undefined) return 'recently';
  if (minutes < 90) return `${Math.round(minutes)} min ago`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h ago`;
  return `${Math.round(minutes / 1440)} days ago`;
}

export function within(minutes: number | undefined, limit: number): boolean {
  return minutes !== undefined && minutes >= 0 && minutes <= limit;
}
