import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

/**
 * Per-process figures straight from /proc, read synchronously: a thousand small reads of procfs
 * take a few milliseconds, and a synchronous read never queues behind the libuv pool.
 */

export interface ProcStat {
  state: string;
  /** User and system CPU seconds since the process started. */
  userSeconds: number;
  systemSeconds: number;
  threads: number;
  /** Clock ticks since boot. */
  startTicks: number;
  /** Unix seconds. */
  startTimeSeconds: number;
  virtualBytes: number;
  rssBytes: number;
}

function getconf(name: string, fallback: number): number {
  try {
    const value = Number(execFileSync('getconf', [name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isFinite(value) && value > 0 ? value : fallback;
  } catch {
    return fallback;
  }
}

let constantsCache: { ticksPerSecond: number; pageBytes: number; bootTimeSeconds: number } | undefined;

function procConstants() {
  if (!constantsCache) {
    const match = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    constantsCache = {
      ticksPerSecond: getconf('CLK_TCK', 100),
      pageBytes: getconf('PAGESIZE', 4096),
      bootTimeSeconds: match?.[1] ? Number(match[1]) : 0,
    };
  }
  return constantsCache;
}

/** procfs files of a process are small: one read into one buffer, kept, serves them all. */
const buffer = Buffer.allocUnsafe(4096);

/**
 * A small procfs file as text, or null when it cannot be read (the process is gone). Cheaper than
 * readFileSync (no stat, no new buffer), which counts at a thousand processes a second.
 */
function readSmall(file: string): string | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const length = readSync(fd, buffer, 0, buffer.length, null);
    return buffer.toString('latin1', 0, length);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** /proc/PID/stat, or null when the process is gone (or a zombie: it holds nothing any more). */
export function readProcStat(pid: number): ProcStat | null {
  const text = readSmall(`/proc/${pid}/stat`);
  if (text === null) return null;
  // The name is in parentheses and may itself hold spaces or parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0] ?? '?';
  if (state === 'Z' || state === 'X') return null;
  const { ticksPerSecond, pageBytes, bootTimeSeconds } = procConstants();
  const startTicks = Number(fields[19]);
  return {
    state,
    userSeconds: Number(fields[11]) / ticksPerSecond,
    systemSeconds: Number(fields[12]) / ticksPerSecond,
    threads: Number(fields[17]),
    startTicks,
    startTimeSeconds: bootTimeSeconds + startTicks / ticksPerSecond,
    virtualBytes: Number(fields[20]),
    rssBytes: Number(fields[21]) * pageBytes,
  };
}

/**
 * Resident bytes no other process shares (resident minus file-backed and shared pages, from
 * /proc/PID/statm): what a process really adds to the machine, where RSS also counts the libraries
 * every copy of perl maps. Null when the process is gone.
 */
export function readPrivateBytes(pid: number): number | null {
  const text = readSmall(`/proc/${pid}/statm`);
  if (text === null) return null;
  const [, resident = 0, shared = 0] = text.split(' ').map(Number);
  return Math.max(0, resident - shared) * procConstants().pageBytes;
}

/** Open file descriptors of a process, or null when it is gone. */
export function countOpenFds(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

/** This process's own CPU seconds (user + system). */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}
