import { z } from 'zod';
import { CPU_PATTERNS, MEMORY_PATTERNS, PRIORITIES, RESTART_POLICIES, type ProcessKind, type WorkloadProfile } from './types.js';

/**
 * The workload profile file format (workloads/*.yaml, snake_case keys as the scenario files).
 * Every number, name and list has a bound: a profile can never ask for more than this machine
 * can be made to carry by mistake (the engine also checks the memory it would take).
 */

/** The most processes one workload may run (the issue's "up to 1,000"). */
export const MAX_PROCESSES = 1000;
export const MAX_KINDS = 64;
/** One simulated process may hold at most this much at its peak. */
export const MAX_PROCESS_MB = 4096;
export const MAX_CHURN_PER_MINUTE = 6000;
export const MAX_LIFETIME_SECONDS = 86_400;
export const MAX_OPEN_FILES = 256;
/** Profile files bigger than this are refused unread. */
export const MAX_PROFILE_BYTES = 256 * 1024;

const id = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z][a-z0-9-]*$/, 'expected lowercase letters, digits and -, starting with a letter');

/** Printable text only: these strings end up in the terminal, in `ps` and in Prometheus labels. */
const PRINTABLE = /^[^\p{Cc}\u202a-\u202e\u2066-\u2069]*$/u;

const printable = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(PRINTABLE, 'expected printable text (no control characters, no bidirectional overrides)');

const kindSchema = z
  .strictObject({
    id,
    name: printable(160),
    comm: z
      .string()
      .min(1)
      .max(15)
      .regex(/^[^\p{Cc}\u202a-\u202e\u2066-\u2069/]*$/u, 'expected printable text without / (the kernel keeps 15 bytes)')
      .optional(),
    priority: z.enum(PRIORITIES),
    count: z.number().int().min(0).max(MAX_PROCESSES).optional(),
    weight: z.number().min(0).max(1000).optional(),
    cpu: z
      .strictObject({ pattern: z.enum(CPU_PATTERNS), percent: z.number().min(0).max(100) })
      .default({ pattern: 'steady', percent: 0 }),
    memory: z
      .strictObject({ pattern: z.enum(MEMORY_PATTERNS), mb: z.number().min(0).max(MAX_PROCESS_MB) })
      .default({ pattern: 'steady', mb: 0 }),
    lifetime: z
      .strictObject({
        min_seconds: z.number().min(1).max(MAX_LIFETIME_SECONDS),
        max_seconds: z.number().min(1).max(MAX_LIFETIME_SECONDS),
      })
      .refine((value) => value.min_seconds <= value.max_seconds, { message: 'expected min_seconds <= max_seconds' })
      .optional(),
    exit_code: z.number().int().min(0).max(255).default(0),
    restart: z.enum(RESTART_POLICIES).default('never'),
    restart_delay_seconds: z.number().min(0).max(600).default(1),
    open_files: z.number().int().min(0).max(MAX_OPEN_FILES).default(0),
    nice: z.number().int().min(0).max(19).optional(),
    ramp_seconds: z.number().min(1).max(MAX_LIFETIME_SECONDS).default(60),
  })
  .refine((kind) => (kind.count === undefined) !== (kind.weight === undefined), {
    message: 'expected exactly one of count (a fixed number) or weight (a share of the rest)',
  });

export const profileFileSchema = z
  .strictObject({
    id,
    title: printable(80),
    description: printable(400),
    processes: z.number().int().min(1).max(MAX_PROCESSES),
    churn_per_minute: z.number().min(0).max(MAX_CHURN_PER_MINUTE).default(0),
    kinds: z.array(kindSchema).min(1).max(MAX_KINDS),
  })
  .superRefine((profile, context) => {
    const seen = new Set<string>();
    profile.kinds.forEach((kind, index) => {
      if (seen.has(kind.id)) context.addIssue({ code: 'custom', path: ['kinds', index, 'id'], message: 'expected an id no other kind of this profile has' });
      seen.add(kind.id);
    });
    if (!profile.kinds.some((kind) => (kind.weight ?? 0) > 0 || (kind.count ?? 0) > 0)) {
      context.addIssue({ code: 'custom', path: ['kinds'], message: 'expected at least one kind with a count or weight above 0' });
    }
  });

export type ProfileFile = z.infer<typeof profileFileSchema>;

/** The executable name a command line suggests: "nginx: worker process" -> nginx, "/usr/bin/python3 x.py" -> python3. */
export function commFromName(name: string): string {
  const first = name.split(/[\s:]/)[0] ?? name;
  const base = first.slice(first.lastIndexOf('/') + 1) || first;
  return base.replace(/\{n\}/g, '').slice(0, 15) || 'worker';
}

export function profileFromFile(file: ProfileFile, path: string): WorkloadProfile {
  const kinds: ProcessKind[] = file.kinds.map((kind) => ({
    id: kind.id,
    name: kind.name,
    comm: kind.comm ?? commFromName(kind.name),
    priority: kind.priority,
    ...(kind.count === undefined ? {} : { count: kind.count }),
    ...(kind.weight === undefined ? {} : { weight: kind.weight }),
    cpu: kind.cpu,
    memory: kind.memory,
    ...(kind.lifetime ? { lifetime: { minSeconds: kind.lifetime.min_seconds, maxSeconds: kind.lifetime.max_seconds } } : {}),
    exitCode: kind.exit_code,
    restart: kind.restart,
    restartDelaySeconds: kind.restart_delay_seconds,
    openFiles: kind.open_files,
    nice: kind.nice ?? (kind.priority === 'low' ? 10 : 0),
    rampSeconds: kind.ramp_seconds,
  }));
  return {
    id: file.id,
    title: file.title,
    description: file.description.trim(),
    processes: file.processes,
    churnPerMinute: file.churn_per_minute,
    kinds,
    file: path,
  };
}

/**
 * How many processes of each kind for a total: fixed counts first, the rest shared by weight
 * (largest remainders), so the counts always add up to the total.
 */
export function planCounts(profile: WorkloadProfile, total: number): Map<string, number> {
  const counts = new Map<string, number>();
  const fixed = profile.kinds.reduce((sum, kind) => sum + (kind.count ?? 0), 0);
  if (fixed > total) {
    throw new Error(`profile "${profile.id}" needs at least ${fixed} processes (its fixed counts), got ${total}`);
  }
  const weighted = profile.kinds.filter((kind) => kind.count === undefined);
  const weightSum = weighted.reduce((sum, kind) => sum + (kind.weight ?? 0), 0);
  const rest = total - fixed;
  if (rest > 0 && weightSum === 0) {
    throw new Error(`profile "${profile.id}" has fixed counts adding up to ${fixed} and no weights to share the other ${rest} processes`);
  }
  for (const kind of profile.kinds) if (kind.count !== undefined) counts.set(kind.id, kind.count);
  const shares = weighted.map((kind) => {
    const exact = weightSum === 0 ? 0 : (rest * (kind.weight ?? 0)) / weightSum;
    return { kind, floor: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let left = rest - shares.reduce((sum, share) => sum + share.floor, 0);
  for (const share of [...shares].sort((a, b) => b.remainder - a.remainder)) {
    const extra = left > 0 && (share.kind.weight ?? 0) > 0 ? 1 : 0;
    left -= extra;
    counts.set(share.kind.id, share.floor + extra);
  }
  return counts;
}
