import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { CLOCK_TICKS_PER_SECOND, parseStat } from '../monitor/processes.js';

/**
 * Per-process figures straight from /proc, read synchronously: a thousand small reads of procfs
 * take a few milliseconds, and a synchronous read never queues behind the libuv pool. The stat
 * line is parsed by the process table's parser (src/monitor/processes.ts).
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

let constantsCache: { pageBytes: number; bootTimeSeconds: number } | undefined;

function procConstants() {
  if (!constantsCache) {
    const match = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    let pageBytes = 4096;
    try {
      pageBytes = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()) || 4096;
    } catch {
      // getconf missing: the page size of every common Linux architecture but a few.
    }
    constantsCache = { pageBytes, bootTimeSeconds: match?.[1] ? Number(match[1]) : 0 };
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
  const parsed = text === null ? null : parseStat(text);
  if (!parsed || parsed.state === 'Z' || parsed.state === 'X') return null;
  const { pageBytes, bootTimeSeconds } = procConstants();
  return {
    state: parsed.state,
    userSeconds: parsed.userTicks / CLOCK_TICKS_PER_SECOND,
    systemSeconds: parsed.systemTicks / CLOCK_TICKS_PER_SECOND,
    threads: parsed.threads,
    startTicks: parsed.startTime,
    startTimeSeconds: bootTimeSeconds + parsed.startTime / CLOCK_TICKS_PER_SECOND,
    virtualBytes: parsed.virtualBytes,
    rssBytes: parsed.rssPages * pageBytes,
  };
}

/**
 * The process's proportional share of memory (PSS, /proc/PID/smaps_rollup): its own pages, plus
 * each page it shares divided by the processes sharing it. Summed over processes it is what they
 * take in all, where RSS counts a shared library (or the launcher's pages its forked agents
 * share) once per process. The kernel walks the page tables for it: read it every few seconds,
 * not every second. Null when the process is gone.
 */
export function readPssBytes(pid: number): number | null {
  const text = readSmall(`/proc/${pid}/smaps_rollup`);
  const match = text === null ? null : /^Pss:\s+(\d+) kB/m.exec(text);
  return match?.[1] ? Number(match[1]) * 1024 : null;
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
