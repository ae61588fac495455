import { readdirSync, readFileSync } from 'node:fs';

/**
 * The process table, read straight from /proc (Linux), cheaply enough to run once a second: one
 * read of /proc/PID/stat per process (name, state, CPU ticks, RSS, start time), and the command
 * line only for the few processes a caller keeps. Reads are synchronous: a few hundred small
 * procfs reads take a couple of milliseconds, less than the thread-pool round trips of async
 * reads would (bench/processes.mjs measures it).
 *
 * CPU % is computed like top's: CPU time used between two reads over the wall time between them,
 * per core (a process busy on two cores shows 200 %). A process seen for the first time has no
 * earlier read, so its CPU % is null until the next one.
 */

/**
 * USER_HZ, the unit of the tick counts in /proc/PID/stat. Fixed at 100 by the kernel's ABI on
 * every architecture Linux runs on today (`getconf CLK_TCK`), whatever the kernel's own HZ.
 */
export const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The name as `ps -o comm` and top show it: /proc/PID/comm, at most 15 characters. */
  name: string;
  /** R running, S sleeping, D disk wait, Z zombie, ... */
  state: string;
  /** Per core, as top shows it; null the first time a process is seen. */
  cpuPercent: number | null;
  /** user + system CPU time used since the process started. */
  cpuSeconds: number;
  rssBytes: number;
  /** Share of the machine's memory (MemTotal) that the RSS is. */
  memPercent: number;
  threads: number;
  /** Clock ticks since boot: with the pid it names this process and no later one with the same pid. */
  startTime: number;
  /** Wall-clock start, ms since the epoch. */
  startedAt: number;
}

export interface ProcessWithCommand extends ProcessInfo {
  /** The command line as `ps -o args` shows it (arguments joined by spaces), or the name in brackets for kernel threads. */
  command: string;
}

export interface ProcessSnapshot {
  /** ms since the epoch. */
  at: number;
  processes: ProcessInfo[];
  memTotalBytes: number;
}

export type ProcessOrder = 'cpu' | 'memory';

export interface ProcessReaderOptions {
  /** Default /proc; tests may point it elsewhere. */
  procRoot?: string;
}

interface Previous {
  cpuTicks: number;
  at: number;
}

/**
 * Keeps the previous read of each process (by pid and start time, so that a recycled pid starts
 * afresh) to compute CPU % from the difference. One reader per view that wants CPU %.
 */
export class ProcessReader {
  private readonly procRoot: string;
  private previous = new Map<string, Previous>();
  private bootTimeMs: number | undefined;

  constructor(options: ProcessReaderOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc';
  }

  /** Every process on the machine (or only `pids`, when given: cheaper when a caller watches a few). */
  read(pids?: readonly number[]): ProcessSnapshot {
    const at = Date.now();
    const memTotalBytes = this.memTotal();
    const bootTimeMs = this.bootTime();
    const candidates = pids ?? this.listPids();
    const processes: ProcessInfo[] = [];
    const seen = new Map<string, Previous>();
    for (const pid of candidates) {
      const stat = this.readStat(pid);
      if (!stat) continue;
      const key = `${pid}:${stat.startTime}`;
      const before = this.previous.get(key);
      const elapsedSeconds = before ? (at - before.at) / 1000 : 0;
      const cpuPercent =
        before && elapsedSeconds > 0
          ? round1((((stat.cpuTicks - before.cpuTicks) / CLOCK_TICKS_PER_SECOND) / elapsedSeconds) * 100)
          : null;
      seen.set(key, { cpuTicks: stat.cpuTicks, at });
      processes.push({
        pid,
        ppid: stat.ppid,
        name: stat.name,
        state: stat.state,
        cpuPercent: cpuPercent === null ? null : Math.max(0, cpuPercent),
        cpuSeconds: stat.cpuTicks / CLOCK_TICKS_PER_SECOND,
        rssBytes: stat.rssPages * PAGE_BYTES,
        memPercent: memTotalBytes > 0 ? round1(((stat.rssPages * PAGE_BYTES) / memTotalBytes) * 100) : 0,
        threads: stat.threads,
        startTime: stat.startTime,
        startedAt: bootTimeMs + (stat.startTime / CLOCK_TICKS_PER_SECOND) * 1000,
      });
    }
    // Only what was seen this time is kept: the map never grows with processes long gone.
    this.previous = pids ? new Map([...this.previous, ...seen]) : seen;
    return { at, processes, memTotalBytes };
  }

  /** The command line of a process as ps shows it (the name in brackets when it has none, as for kernel threads). */
  withCommand(process: ProcessInfo): ProcessWithCommand {
    return { ...process, command: this.commandLine(process.pid) ?? `[${process.name}]` };
  }

  private listPids(): number[] {
    let names: string[];
    try {
      names = readdirSync(this.procRoot);
    } catch {
      return [];
    }
    const pids: number[] = [];
    for (const name of names) {
      const code = name.charCodeAt(0);
      if (code >= 48 && code <= 57 && /^\d+$/.test(name)) pids.push(Number(name));
    }
    return pids;
  }

  private readStat(pid: number): ParsedStat | null {
    try {
      return parseStat(readFileSync(`${this.procRoot}/${pid}/stat`, 'latin1'));
    } catch {
      // Gone between the listing and the read, or not ours to read.
      return null;
    }
  }

  private commandLine(pid: number): string | null {
    try {
      const raw = readFileSync(`${this.procRoot}/${pid}/cmdline`, 'utf8');
      // Arguments are NUL-separated; a process that set its title pads the rest with NULs.
      const text = raw.replace(/\0+$/, '').split('\0').join(' ').trim();
      return text === '' ? null : text;
    } catch {
      return null;
    }
  }

  private memTotal(): number {
    try {
      const match = /^MemTotal:\s+(\d+) kB/m.exec(readFileSync(`${this.procRoot}/meminfo`, 'latin1'));
      return match?.[1] ? Number(match[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  private bootTime(): number {
    if (this.bootTimeMs !== undefined) return this.bootTimeMs;
    try {
      const match = /^btime (\d+)$/m.exec(readFileSync(`${this.procRoot}/stat`, 'latin1'));
      this.bootTimeMs = match?.[1] ? Number(match[1]) * 1000 : 0;
    } catch {
      this.bootTimeMs = 0;
    }
    return this.bootTimeMs;
  }
}

export interface ParsedStat {
  name: string;
  state: string;
  ppid: number;
  cpuTicks: number;
  /** cpuTicks split: user and system time (workloads export them as hostmetrics' process.cpu.time states). */
  userTicks: number;
  systemTicks: number;
  threads: number;
  startTime: number;
  virtualBytes: number;
  rssPages: number;
}

/** One line of /proc/PID/stat (proc(5)); the name sits in parentheses and may hold spaces and parentheses. */
export function parseStat(text: string): ParsedStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state) of proc(5).
  const number = (field: number): number => Number(fields[field - 3]);
  const parsed = {
    name: text.slice(open + 1, close),
    state: fields[0] ?? '?',
    ppid: number(4),
    cpuTicks: number(14) + number(15),
    userTicks: number(14),
    systemTicks: number(15),
    threads: number(20),
    startTime: number(22),
    virtualBytes: number(23),
    rssPages: number(24),
  };
  const numbers = [parsed.ppid, parsed.cpuTicks, parsed.threads, parsed.startTime, parsed.rssPages];
  return numbers.every(Number.isFinite) ? parsed : null;
}

/** The `limit` heaviest processes by CPU (then memory) or by memory (then CPU). */
export function topProcesses(snapshot: ProcessSnapshot, order: ProcessOrder, limit: number): ProcessInfo[] {
  const cpu = (process: ProcessInfo) => process.cpuPercent ?? -1;
  const compare =
    order === 'cpu'
      ? (a: ProcessInfo, b: ProcessInfo) => cpu(b) - cpu(a) || b.rssBytes - a.rssBytes || a.pid - b.pid
      : (a: ProcessInfo, b: ProcessInfo) => b.rssBytes - a.rssBytes || cpu(b) - cpu(a) || a.pid - b.pid;
  return [...snapshot.processes].sort(compare).slice(0, Math.max(0, limit));
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
