import { z } from 'zod';
import type { ManagedWorkload } from './manager.js';
import { MAX_PROCESSES } from './schema.js';
import { MAX_CHURN_BURST, MAX_LEAK_MB } from './workload.js';
import { CHAOS_ACTIONS, PRIORITIES, type Priority, type ChaosAction, type ChaosResult, type ChaosTrigger, type WorkloadEvent, type WorkloadProcess } from './types.js';

/**
 * What travels over the workload routes of `firedrill serve` (snake_case, as the incident API),
 * with the bounds of every field; the CLI's `workload chaos` builds the same bodies.
 */

export const WORKLOADS_PREFIX = '/api/v1/workloads';
export const MAX_DURATION_SECONDS = 86_400;

export const createWorkloadBodySchema = z.strictObject({
  profile: z.string().min(1).max(40),
  processes: z.number().int().min(1).max(MAX_PROCESSES).optional(),
  duration_seconds: z.number().positive().max(MAX_DURATION_SECONDS).optional(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  /** Default true: create and start in one call. */
  start: z.boolean().default(true),
});

const kindName = z.string().min(1).max(40);

export const chaosBodySchemas = {
  'cpu-spike': z.strictObject({
    kind: kindName,
    percent: z.number().min(1).max(100).default(90),
    seconds: z.number().min(1).max(300).default(30),
  }),
  'memory-leak': z.strictObject({
    kind: kindName.optional(),
    pid: z.number().int().positive().optional(),
    mb_per_second: z.number().min(0.25).max(MAX_LEAK_MB).default(8),
    max_mb: z.number().min(1).max(MAX_LEAK_MB).default(256),
  }),
  kill: z.strictObject({ priority: z.enum(PRIORITIES) }),
  'churn-burst': z.strictObject({ count: z.number().int().min(1).max(MAX_CHURN_BURST).default(10) }),
} as const satisfies Record<ChaosAction, z.ZodType>;

export function isChaosAction(value: string): value is ChaosAction {
  return (CHAOS_ACTIONS as readonly string[]).includes(value);
}

/** A validated body as the engine's trigger. */
export function chaosTrigger(action: ChaosAction, body: unknown): { trigger: ChaosTrigger } | { error: string } {
  const parsed = chaosBodySchemas[action].safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = [...issue.path.map(String), ...(issue.code === 'unrecognized_keys' ? [issue.keys[0]] : [])].join('.');
    return { error: `${field || 'body'}: ${issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message}` };
  }
  const data = parsed.data as Record<string, unknown>;
  switch (action) {
    case 'cpu-spike':
      return { trigger: { action, kind: data.kind as string, percent: data.percent as number, seconds: data.seconds as number } };
    case 'memory-leak':
      return {
        trigger: {
          action,
          ...(data.kind === undefined ? {} : { kind: data.kind as string }),
          ...(data.pid === undefined ? {} : { pid: data.pid as number }),
          mbPerSecond: data.mb_per_second as number,
          maxMb: data.max_mb as number,
        },
      };
    case 'kill':
      return { trigger: { action, priority: data.priority as Priority } };
    case 'churn-burst':
      return { trigger: { action, count: data.count as number } };
  }
}

function wireProcess(process: WorkloadProcess) {
  return { pid: process.pid, name: process.name, executable: process.comm, kind: process.kind, priority: process.priority };
}

export function toWireChaos(result: ChaosResult) {
  return { action: result.action, message: result.message, targets: result.targets.map(wireProcess) };
}

function wireEvent(event: WorkloadEvent) {
  switch (event.type) {
    case 'churned':
      return { type: event.type, reason: event.reason, ended: wireProcess(event.ended), started: event.started ? wireProcess(event.started) : null };
    case 'died':
      return { type: event.type, process: wireProcess(event.process), code: event.code, signal: event.signal, cause: event.cause, restart: event.restart };
    case 'restarted':
      return { type: event.type, previous: wireProcess(event.previous), process: wireProcess(event.process) };
    case 'chaos':
      return { type: event.type, ...toWireChaos(event.result) };
    case 'notice':
      return { type: event.type, message: event.message };
    default:
      return { type: event.type };
  }
}

/** A workload's status; `top` processes by CPU from the latest /proc sample. */
export function toWireWorkload(entry: ManagedWorkload, top = 10) {
  const { workload } = entry;
  const sample = workload.latestSample();
  const summary = entry.summary;
  return {
    workload_id: workload.id,
    profile: workload.profile.id,
    status: entry.status,
    engine: workload.engine,
    processes_requested: workload.requested,
    processes_alive: workload.processes().length,
    created_at: new Date(entry.createdAt).toISOString(),
    kinds: workload.plannedCounts(),
    totals: sample
      ? {
          processes: sample.totals.processes,
          cpu_percent: round(sample.totals.cpuPercent),
          rss_bytes: sample.totals.rssBytes,
          pss_bytes: sample.totals.pssBytes,
          firedrill_cpu_percent: round(sample.totals.ownCpuPercent),
        }
      : null,
    counts: workload.stats(),
    top_processes: (sample?.processes ?? []).slice(0, top).map((process) => ({
      ...wireProcess(process),
      cpu_percent: round(process.cpuPercent),
      rss_bytes: process.rssBytes,
      threads: process.threads,
    })),
    recent_events: workload.recentEvents().map(({ event }) => wireEvent(event)),
    reason: entry.reason,
    summary,
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
