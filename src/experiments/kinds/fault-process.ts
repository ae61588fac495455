import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { readProcessStat } from '../../drills/proc.js';
import { SERVICE_ID, SIGNALS } from './common.js';
import type { FaultKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('process_kill'),
    /** A service this experiment started: its current instance is killed. */
    service: SERVICE_ID.optional(),
    /** A pid file: the process it names is killed (never a process found by name). */
    pid_file: z.string().min(1).max(4096).optional(),
    signal: z.enum(SIGNALS).default('SIGKILL'),
  })
  .refine((spec) => (spec.service === undefined) !== (spec.pid_file === undefined), {
    message: 'expected either service or pid_file',
    path: [],
  });

type ProcessKillSpec = z.infer<typeof schema>;

/** The pid a pid file names, refusing what must never be killed; a sentence on failure. */
export function pidFromFile(file: string): number {
  let text: string;
  try {
    if (statSync(file).size > 64) throw new Error('it is larger than a pid file (64 bytes)');
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the pid file ${file}: ${(error as Error).message}`);
  }
  const pid = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(pid)) throw new Error(`the pid file ${file} does not hold a pid: "${text.trim().slice(0, 20)}"`);
  if (pid <= 1 || pid === process.pid || pid === process.ppid) {
    throw new Error(`the pid file ${file} names pid ${pid}, which firedrill never kills (init, itself or its parent)`);
  }
  if (readProcessStat(pid) === null) throw new Error(`the pid file ${file} names pid ${pid}, which is not running`);
  return pid;
}

/** The name `ps` shows for a pid (its /proc comm), for the journal. */
function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** Kills one process once: a supervised service's instance, or the process a pid file names. */
export const processKillFault: FaultKind<ProcessKillSpec> = {
  kind: 'process_kill',
  schema: schema as unknown as z.ZodObject,
  mode: 'instant',
  risk: (spec) => (spec.service !== undefined ? 'low' : 'medium'),
  describe: (spec) => `${spec.signal} to ${spec.service !== undefined ? `the service "${spec.service}"` : `the process in ${spec.pid_file}`}`,
  serviceRefs: (spec) => (spec.service !== undefined ? [spec.service] : []),
  create(spec, context) {
    return {
      async start() {
        if (spec.service !== undefined) {
          const service = context.service(spec.service);
          if (!service.supervisor) throw new Error(`${service.label()} is not supervised by firedrill: kill it through a pid_file`);
          const pid = service.supervisor.kill(spec.signal);
          if (pid === null) throw new Error(`${service.label()} has no running process to kill`);
          context.progress(`sent ${spec.signal} to ${service.label()} (pid ${pid})`);
          return;
        }
        const pid = pidFromFile(spec.pid_file!);
        const name = processName(pid);
        process.kill(pid, spec.signal);
        context.progress(`sent ${spec.signal} to pid ${pid} (${name}) from ${spec.pid_file}`);
      },
      // A kill cannot be undone: recovering is the system's job, and what the experiment measures.
      stop: async () => undefined,
    };
  },
};
