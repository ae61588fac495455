import { z } from 'zod';

/**
 * What a live fault is, as narratives, training exercises and experiments write it (snake_case
 * keys, like every firedrill file). Every number and name is bounded: a file cannot ask for a
 * fault that outlasts a demo or fills a machine (the drills' own guards apply on top).
 */

/** A name as `ps` shows it: /proc/PID/comm holds at most 15 characters. */
const processName = z
  .string()
  .min(1)
  .max(15)
  .regex(/^[a-z][a-z0-9._-]*$/, 'a process name: lowercase letters, digits, ".", "_" or "-", starting with a letter');

export const LIVE_FAULT_KINDS = ['runaway_cpu', 'memory_leak', 'disk_filling', 'service_down'] as const;
export type LiveFaultKind = (typeof LIVE_FAULT_KINDS)[number];

export const liveFaultSpecSchema = z.discriminatedUnion('fault', [
  z.strictObject({
    fault: z.literal('runaway_cpu'),
    process_name: processName.default('report-builder'),
    /** Busy threads in the one process (each keeps a core busy); default 1. */
    threads: z.number().int().min(1).max(64).default(1),
  }),
  z.strictObject({
    fault: z.literal('memory_leak'),
    process_name: processName.default('session-cache'),
    rate_mb_per_second: z.number().min(1).max(512).default(32),
    /** The leak stops growing here (it is held until the fault ends). */
    limit_mb: z.number().int().min(16).max(8192).default(512),
  }),
  z.strictObject({
    fault: z.literal('disk_filling'),
    rate_mb_per_second: z.number().min(1).max(512).default(64),
    size_mb: z.number().int().min(16).max(16384).default(1024),
    /** Default: drills.disk_fill.directory (the OS temp dir). */
    directory: z.string().min(1).max(4096).optional(),
  }),
  z.strictObject({
    fault: z.literal('service_down'),
    /** The canary service's process name. */
    process_name: processName.default('checkout-api'),
  }),
]);

export type LiveFaultSpec = z.infer<typeof liveFaultSpecSchema>;
