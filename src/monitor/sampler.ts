import { readdir } from 'node:fs/promises';
import { cpuPercentBetween, readCpuTimes, readDisk, readMemory, type CpuTimes } from '../drills/proc.js';
import type { SystemSample } from '../drills/types.js';

/**
 * The built-in monitor's eyes: one reading of the machine a second (by default), kept for a
 * while so that gauges can draw sparklines and the runner can compare against a baseline.
 */

export type SampleListener = (sample: SystemSample) => void;

/** What the runner and the console read samples from. Tests hand in their own. */
export interface MetricsSource {
  /** The newest sample, or undefined before the first one arrived. */
  latest(): SystemSample | undefined;
  /** Samples taken within the last `seconds`, oldest first. */
  history(seconds: number): SystemSample[];
  /** Calls `listener` with every new sample; returns a function that unsubscribes it. */
  subscribe(listener: SampleListener): () => void;
  unsubscribe(listener: SampleListener): void;
}

/** Takes one reading. The systeminformation-backed one is `readSystemSample`. */
export type ReadSample = () => Promise<SystemSample>;

export interface SystemSamplerOptions {
  /** Any directory on the filesystem whose usage the disk gauge shows (the data or temp dir). */
  diskPath: string;
  /** Default 1000 ms (monitor.interval_seconds). */
  intervalMs?: number;
  /** How much history to keep; default 10 minutes. */
  keepSeconds?: number;
  /** Default: `readSystemSample(diskPath)`. */
  read?: ReadSample;
  /** Called when a reading fails (the sampler keeps going). */
  onError?: (error: Error) => void;
}

export class SystemSampler implements MetricsSource {
  private readonly samples: SystemSample[] = [];
  private readonly listeners = new Set<SampleListener>();
  private readonly intervalMs: number;
  private readonly keepMs: number;
  private readonly read: ReadSample;
  private readonly onError: ((error: Error) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Bumped by stop(): a reading still in flight from before must not schedule another loop. */
  private generation = 0;

  constructor(options: SystemSamplerOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.keepMs = (options.keepSeconds ?? 600) * 1000;
    this.read = options.read ?? readSystemSample(options.diskPath);
    this.onError = options.onError;
  }

  /** Starts sampling (idempotent). Start early: the first CPU reading needs half a second of baseline. */
  start(): this {
    if (this.running) return this;
    this.running = true;
    void this.tick(this.generation);
    return this;
  }

  stop(): void {
    this.running = false;
    this.generation += 1;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  latest(): SystemSample | undefined {
    return this.samples.at(-1);
  }

  history(seconds: number): SystemSample[] {
    const latest = this.latest();
    if (!latest) return [];
    const since = latest.at - seconds * 1000;
    return this.samples.filter((sample) => sample.at > since);
  }

  subscribe(listener: SampleListener): () => void {
    this.listeners.add(listener);
    return () => this.unsubscribe(listener);
  }

  unsubscribe(listener: SampleListener): void {
    this.listeners.delete(listener);
  }

  /**
   * One reading, then the next one scheduled an interval after this one *started*, so that a slow
   * reading (df, a busy machine) never makes readings pile up.
   */
  private async tick(generation: number): Promise<void> {
    const current = () => this.running && generation === this.generation;
    if (!current()) return;
    const startedAt = Date.now();
    try {
      const sample = await this.read();
      if (!current()) return;
      this.push(sample);
    } catch (error) {
      if (!current()) return;
      this.onError?.(error instanceof Error ? error : new Error(String(error)));
    }
    if (!current()) return;
    const wait = Math.max(0, this.intervalMs - (Date.now() - startedAt));
    this.timer = setTimeout(() => void this.tick(generation), wait);
    // Sampling alone must never keep firedrill alive.
    this.timer.unref();
  }

  private push(sample: SystemSample): void {
    this.samples.push(sample);
    const oldest = sample.at - this.keepMs;
    while (this.samples.length > 0 && this.samples[0]!.at < oldest) this.samples.shift();
    for (const listener of [...this.listeners]) listener(sample);
  }
}

/** Resolves with the next sample the source takes (or the latest one, when `acceptLatest`). */
export function nextSample(source: MetricsSource, signal?: AbortSignal, acceptLatest = false): Promise<SystemSample> {
  const latest = source.latest();
  if (acceptLatest && latest) return Promise.resolve(latest);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = () => {
      unsubscribe();
      reject(abortError(signal));
    };
    const unsubscribe = source.subscribe((sample) => {
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
      resolve(sample);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

/**
 * Reads the machine: CPU and memory straight from /proc/stat and /proc/meminfo on Linux (a few
 * microseconds, and the first CPU reading ready after FIRST_CPU_WINDOW_MS), with systeminformation
 * loaded only where there is no /proc. Disk usage comes from statfs(2) on `diskPath` (what `df`
 * reports, without starting `df` every second as si.fsSize() does), and the process count from
 * the entries of /proc (si.processes() costs about 100 ms a call; at most every 5 s elsewhere).
 */
export function readSystemSample(diskPath: string): ReadSample {
  let processFallback: { at: number; count: number } | undefined;
  const countProcesses = async (): Promise<number> => {
    try {
      const entries = await readdir('/proc');
      return entries.reduce((count, name) => (isPid(name) ? count + 1 : count), 0);
    } catch {
      if (processFallback && Date.now() - processFallback.at < 5000) return processFallback.count;
      const processes = await (await systemInformation()).processes();
      processFallback = { at: Date.now(), count: processes.all };
      return processes.all;
    }
  };
  const cpuPercent = cpuPercentReader();

  return async () => {
    const [cpu, memory, disk, processCount] = await Promise.all([
      cpuPercent(),
      readMemoryOrFallback(),
      readDisk(diskPath, { nearestExisting: true }),
      countProcesses(),
    ]);
    // "used" as people read it: what is not available to new programs (cache and buffers are).
    const memUsedBytes = memory.total - memory.available;
    return {
      at: Date.now(),
      cpuPercent: clampPercent(cpu),
      memUsedBytes,
      memTotalBytes: memory.total,
      memPercent: memory.total > 0 ? clampPercent((memUsedBytes / memory.total) * 100) : 0,
      diskUsedBytes: disk.usedBytes,
      diskTotalBytes: disk.totalBytes,
      // df's "Use%": used / (used + available to unprivileged users).
      diskPercent: clampPercent(disk.usedPercent),
      processCount,
    };
  };
}

/**
 * The first CPU reading compares /proc/stat across this window; later ones across the time since
 * the previous reading. Short, so that a run's baseline is there soon after the command starts
 * (systeminformation's first currentLoad() waits 500 ms), long enough to average a few scheduler ticks.
 */
export const FIRST_CPU_WINDOW_MS = 150;

/** Whole-machine CPU %, from /proc/stat deltas (systeminformation where there is no /proc/stat). */
function cpuPercentReader(): () => Promise<number> {
  let previous: CpuTimes | undefined;
  return async () => {
    let current: CpuTimes;
    try {
      if (previous === undefined) {
        previous = await readCpuTimes();
        await new Promise((resolve) => setTimeout(resolve, FIRST_CPU_WINDOW_MS));
      }
      current = await readCpuTimes();
    } catch {
      return (await (await systemInformation()).currentLoad()).currentLoad;
    }
    const percent = cpuPercentBetween(previous, current);
    previous = current;
    return percent;
  };
}

async function readMemoryOrFallback(): Promise<{ total: number; available: number }> {
  try {
    const memory = await readMemory();
    return { total: memory.totalBytes, available: memory.availableBytes };
  } catch {
    return (await systemInformation()).mem();
  }
}

/** systeminformation, loaded only where /proc cannot answer: it is a third of a run's start-up code. */
function systemInformation(): Promise<typeof import('systeminformation')> {
  return import('systeminformation').then((module) => module.default);
}


function isPid(name: string): boolean {
  return name.length > 0 && /^[0-9]+$/.test(name);
}

function clampPercent(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(100, Math.max(0, Math.round(value * 10) / 10));
}
