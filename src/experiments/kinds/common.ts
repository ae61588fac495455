import { z } from 'zod';
import { spawnChild, killChild } from '../../drills/children.js';

/** Shared pieces of the kinds' schemas: every string and number bounded. */

/** A service's id, as `${id.key}` and `service: id` refer to it. */
export const SERVICE_ID = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/, 'expected a lower-case name of letters, digits and _ (at most 32), starting with a letter');

/** A string that may hold `${service.key}` references, resolved once the services run. */
export const TEMPLATED = z.string().min(1).max(2000);

export const TIMEOUT_SECONDS = z.number().positive().max(60);

/** A shell command line (run by /bin/sh -c). */
export const SHELL_COMMAND = z.string().min(1).max(4000);

export const SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;

const REFERENCE = /\$\{([a-z][a-z0-9_]*)\.([a-z_]+)\}/g;

/** Every `${id.key}` in `text`. */
export function referencesIn(text: string): { id: string; key: string }[] {
  return [...text.matchAll(REFERENCE)].map((match) => ({ id: match[1]!, key: match[2]! }));
}

/** Replaces every `${id.key}` with lookup(id, key). */
export function substitute(text: string, lookup: (id: string, key: string) => string): string {
  return text.replace(REFERENCE, (_, id: string, key: string) => lookup(id, key));
}

export interface ShellRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The last few hundred characters of stdout and of stderr. */
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `/bin/sh -c command` under pdeathsig; killed at the timeout or when `signal` aborts. */
export async function runShell(command: string, timeoutMs: number, signal?: AbortSignal): Promise<ShellRun> {
  const started = performance.now();
  const child = await spawnChild('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.process.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout = (stdout + chunk).slice(-600);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void killChild(child);
  }, timeoutMs);
  const onAbort = () => void killChild(child);
  signal?.addEventListener('abort', onAbort, { once: true });
  const exit = await child.exited;
  clearTimeout(timer);
  signal?.removeEventListener('abort', onAbort);
  return { ...exit, timedOut, stdout: stdout.trim(), stderr: child.stderrTail(), ms: performance.now() - started };
}

/** "exit 1: no space left", "timed out after 5 s", "killed by SIGKILL". */
export function describeShellRun(run: ShellRun, timeoutMs: number): string {
  if (run.timedOut) return `timed out after ${timeoutMs / 1000} s`;
  if (run.code === null) return `killed by ${run.signal ?? 'a signal'}`;
  const last = (run.stderr || run.stdout).split('\n').pop()?.trim();
  return `exit ${run.code}${last ? `: ${last.slice(0, 120)}` : ''}`;
}
