import { readFileSync } from 'node:fs';
import { readFile, statfs } from 'node:fs/promises';
import path from 'node:path';

/**
 * Cheap, precise readings of this machine straight from /proc and statfs (Linux). The drills
 * sample these several times a second to measure their own effect.
 */

export interface CpuTimes {
  /** Sum of every field on the "cpu" line of /proc/stat, in clock ticks. */
  total: number;
  /** idle + iowait. */
  idle: number;
}

export async function readCpuTimes(): Promise<CpuTimes> {
  const text = await readFile('/proc/stat', 'utf8');
  const line = text.slice(0, text.indexOf('\n'));
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest and guest_nice are already in user/nice).
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait };
}

/** Whole-machine CPU use between two readings, 0..100. */
export function cpuPercentBetween(before: CpuTimes, after: CpuTimes): number {
  const total = after.total - before.total;
  if (total <= 0) return 0;
  const busy = total - (after.idle - before.idle);
  return Math.min(100, Math.max(0, (busy / total) * 100));
}

export interface MemoryReading {
  totalBytes: number;
  availableBytes: number;
  /** MemTotal - MemAvailable: what a monitor calls "used". */
  usedBytes: number;
  usedPercent: number;
  /**
   * AnonPages: memory processes hold that no file backs. It follows an allocation page for page,
   * whereas MemAvailable can lag by a hundred MB and more on recent kernels, which keep freed pages
   * on per-CPU lists (and on VMs with free page reporting, which hold them back while the host is told).
   */
  anonBytes: number;
}

export async function readMemory(): Promise<MemoryReading> {
  return parseMeminfo(await readFile('/proc/meminfo', 'utf8'));
}

/** For the few places that must answer synchronously (a risk warning). */
export function readMemorySync(): MemoryReading | null {
  try {
    return parseMeminfo(readFileSync('/proc/meminfo', 'utf8'));
  } catch {
    return null;
  }
}

function parseMeminfo(text: string): MemoryReading {
  const kib = (key: string): number => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    if (!match?.[1]) throw new Error(`/proc/meminfo has no ${key}`);
    return Number(match[1]) * 1024;
  };
  const totalBytes = kib('MemTotal');
  const availableBytes = kib('MemAvailable');
  const usedBytes = totalBytes - availableBytes;
  return { totalBytes, availableBytes, usedBytes, usedPercent: (usedBytes / totalBytes) * 100, anonBytes: kib('AnonPages') };
}

export interface DiskReading {
  totalBytes: number;
  /** Blocks in use (total - free), as df counts them. */
  usedBytes: number;
  /** What an unprivileged user may still write. */
  availableBytes: number;
  /** used / (used + available), as df shows it. */
  usedPercent: number;
}

/**
 * statfs(2) of `directory`; with `nearestExisting`, of its nearest existing parent when it does not
 * exist (yet): disk_fill's directory is created for the drill, and the filesystem it will be on
 * is the one the monitor watches before that.
 */
export async function readDisk(directory: string, { nearestExisting = false } = {}): Promise<DiskReading> {
  const stats = nearestExisting ? await statfsNearest(directory) : await statfs(directory);
  const totalBytes = stats.blocks * stats.bsize;
  const usedBytes = (stats.blocks - stats.bfree) * stats.bsize;
  const availableBytes = stats.bavail * stats.bsize;
  const denominator = usedBytes + availableBytes;
  return { totalBytes, usedBytes, availableBytes, usedPercent: denominator > 0 ? (usedBytes / denominator) * 100 : 0 };
}

async function statfsNearest(directory: string) {
  let current = path.resolve(directory);
  for (;;) {
    try {
      return await statfs(current);
    } catch (error) {
      const parent = path.dirname(current);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) throw error;
      current = parent;
    }
  }
}

export interface ProcessStat {
  pid: number;
  ppid: number;
  /** Clock ticks since boot: together with the pid it names one process, never a recycled pid. */
  startTime: number;
  state: string;
}

/** /proc/<pid>/stat, or null when there is no such process (or no /proc). */
export function readProcessStat(pid: number): ProcessStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may itself contain spaces or parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0] ?? '?';
  const ppid = Number(fields[1]);
  const startTime = Number(fields[19]);
  if (!Number.isFinite(ppid) || !Number.isFinite(startTime)) return null;
  return { pid, ppid, startTime, state };
}

/** True while the process that had this pid and start time is still alive (zombies count as gone). */
export function isSameProcessAlive(pid: number, startTime: number): boolean {
  const stat = readProcessStat(pid);
  return stat !== null && stat.startTime === startTime && stat.state !== 'Z' && stat.state !== 'X';
}

/** This process, as the lock and the ledger record an owner: the pid with its start time. */
export function selfIdentity(): { pid: number; startTime: number | null } {
  return { pid: process.pid, startTime: readProcessStat(process.pid)?.startTime ?? null };
}

/** Whether the recorded process still runs: by pid and start time when known, else by pid alone. */
export function isRecordedProcessAlive({ pid, startTime }: { pid: number; startTime: number | null }): boolean {
  if (startTime !== null) return isSameProcessAlive(pid, startTime);
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const LINUX_ONLY_MESSAGE = "firedrill's local drills measure through /proc and run on Linux only";

export function isLinux(): boolean {
  return process.platform === 'linux';
}

/** VmRSS of a process from /proc/<pid>/status, or null. */
export function readResidentBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Limits this large mean "no limit" (cgroup v1 reports one close to 2^63). */
const UNLIMITED_BYTES = 2 ** 60;

function readNumberFile(file: string): number | null {
  try {
    const text = readFileSync(file, 'utf8').trim();
    if (text === 'max') return null;
    const value = Number(text);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * Bytes this process's memory cgroup can still take before its limit (containers), or null when it
 * has no limit. /proc/meminfo shows the whole host; the cgroup limit is what the OOM killer enforces.
 */
export function readCgroupMemoryRoom(): number | null {
  let lines: string[];
  try {
    lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  } catch {
    return null;
  }
  const candidates: [limit: string, usage: string][] = [];
  for (const line of lines) {
    const [, controllers = '', cgroupPath = ''] = line.split(':');
    if (line.startsWith('0::')) {
      candidates.push([`/sys/fs/cgroup${cgroupPath}/memory.max`, `/sys/fs/cgroup${cgroupPath}/memory.current`]);
      candidates.push(['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory.current']);
    } else if (controllers.split(',').includes('memory')) {
      candidates.push([`/sys/fs/cgroup/memory${cgroupPath}/memory.limit_in_bytes`, `/sys/fs/cgroup/memory${cgroupPath}/memory.usage_in_bytes`]);
      candidates.push(['/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/memory/memory.usage_in_bytes']);
    }
  }
  for (const [limitFile, usageFile] of candidates) {
    const limit = readNumberFile(limitFile);
    const usage = readNumberFile(usageFile);
    if (limit !== null && usage !== null && limit < UNLIMITED_BYTES) return Math.max(0, limit - usage);
  }
  return null;
}
