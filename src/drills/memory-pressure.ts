import type { DrillsConfig } from '../config/config.js';
import { endChild, spawnNodeChild, type Child } from './children.js';
import { abortedOutcome, failedOutcome, MiB, round, waitOrAbort } from './common.js';
import { formatBytes, formatDuration } from '../format.js';
import { median } from '../stats.js';
import type { Ledger } from './ledger.js';
import { isLinux, LINUX_ONLY_MESSAGE, readMemory, readCgroupMemoryRoom, readMemorySync, readResidentBytes, type MemoryReading } from './proc.js';
import type { Drill, DrillContext, DrillOutcome } from './types.js';

/**
 * Allocates in a child process, so that release is certain (the child exits) and a kill -9 of
 * firedrill frees it too. Every page is written so that the memory is resident, not just reserved:
 * one byte a page does that (the kernel hands out a zeroed page on the first write), a third faster
 * as filling every byte, which made the drill slower than \`stress-ng --vm\` (bench/drills-vs-stress-ng.mjs).
 * Messages: {type:'chunk', bytes} after each chunk, then {type:'allocated', bytes}.
 * An optional third argument paces it (ms between chunks), as a leak grows: live faults use it.
 */
export const ALLOCATOR = `
const chunkBytes = Number(process.argv[1]);
const targetBytes = Number(process.argv[2]);
const paceMs = Number(process.argv[3] ?? 0);
const held = [];
let allocated = 0;
const step = () => {
  if (allocated >= targetBytes) { process.send({ type: 'allocated', bytes: allocated }); return; }
  const size = Math.min(chunkBytes, targetBytes - allocated);
  const chunk = Buffer.allocUnsafeSlow(size);
  for (let offset = 0; offset < size; offset += 4096) chunk[offset] = 0x5a;
  held.push(chunk);
  allocated += size;
  process.send({ type: 'chunk', bytes: allocated });
  if (paceMs > 0) setTimeout(step, paceMs); else setImmediate(step);
};
step();
`;

/** Never ask for more than this in one Buffer (Node's limit is a few GiB; smaller is kinder). */
const MAX_CHUNK_BYTES = 1024 * MiB;
/** Leave at least this share of the machine's memory available: below it the OOM killer picks victims. */
const MIN_LEFT_AVAILABLE = 0.1;
const SAMPLE_MS = 200;
/** The baseline before allocating and the level after releasing: the median reading over this window. */
const WINDOW_MS = 400;
const WINDOW_SAMPLE_MS = 40;
/** Above this share of the available memory the drill asks for confirmation. */
const RISKY_PERCENT = 50;
const PASS_SHARE = 0.9;

type AllocatorMessage = { type: 'chunk' | 'allocated'; bytes: number };

export function createMemoryPressure(config: DrillsConfig['memory_pressure'], ledger: Ledger): Drill {
  const describeTarget = config.size_mb !== undefined ? `${config.size_mb} MB` : `${config.percent_of_available} % of available memory`;
  /** What may be taken: the machine's available memory, or less when a cgroup limit is closer. */
  const room = (memory: MemoryReading): number => Math.min(memory.availableBytes, readCgroupMemoryRoom() ?? Infinity);
  const targetBytes = (memory: MemoryReading): number =>
    Math.floor(config.size_mb !== undefined ? config.size_mb * MiB : (room(memory) * config.percent_of_available) / 100);

  const refusal = (memory: MemoryReading): string | null => {
    const target = targetBytes(memory);
    const cgroupRoom = readCgroupMemoryRoom();
    if (cgroupRoom !== null && target > cgroupRoom * (1 - MIN_LEFT_AVAILABLE)) {
      return `memory_pressure would allocate ${formatBytes(target)}, too close to this container's memory limit (${formatBytes(cgroupRoom)} left under it): lower drills.memory_pressure.${config.size_mb !== undefined ? 'size_mb' : 'percent_of_available'}`;
    }
    const left = memory.availableBytes - target;
    if (left < memory.totalBytes * MIN_LEFT_AVAILABLE) {
      return `memory_pressure would allocate ${formatBytes(target)} and leave ${formatBytes(Math.max(0, left))} available (under 10 % of ${formatBytes(memory.totalBytes)}): lower drills.memory_pressure.${config.size_mb !== undefined ? 'size_mb' : 'percent_of_available'}`;
    }
    return null;
  };

  return {
    name: 'memory_pressure',
    title: 'Memory pressure',
    description: `allocates ${describeTarget} in ${config.chunk_mb} MB chunks, holds it, releases it`,
    defaultDurationSeconds: 10,
    riskWarning: () => {
      const available = readMemorySync()?.availableBytes;
      const percent =
        config.size_mb === undefined ? config.percent_of_available : available ? ((config.size_mb * MiB) / available) * 100 : 0;
      if (percent <= RISKY_PERCENT) return null;
      return `memory_pressure allocates ${config.size_mb === undefined ? `${percent} %` : `${config.size_mb} MB, ${Math.round(percent)} %,`} of the available memory: other programs may slow down or be swapped out`;
    },
    preflight: async () => (isLinux() ? refusal(await readMemory()) : LINUX_ONLY_MESSAGE),
    run: async (context) => {
      const memory = await readMemory();
      const refused = refusal(memory);
      if (refused) return failedOutcome({ targetBytes: targetBytes(memory) }, refused);
      return runMemoryPressure(context, memory, targetBytes(memory), Math.min(config.chunk_mb * MiB, MAX_CHUNK_BYTES), ledger);
    },
  };
}

/** Memory in use, two ways: as monitors count it (MemTotal - MemAvailable), and as AnonPages. */
interface Level {
  used: number;
  anon: number;
}

function typicalLevel(readings: readonly MemoryReading[]): Level {
  return { used: median(readings.map((reading) => reading.usedBytes)) ?? 0, anon: median(readings.map((reading) => reading.anonBytes)) ?? 0 };
}

/**
 * The typical level over a short window (the median of readings every 40 ms): on VMs with free
 * page reporting, freed memory leaves MemFree in 64 MB batches for some 50 ms, and other programs
 * come and go, so a single reading can be off by that much. The held level is taken the same way.
 */
async function levelOver(windowMs: number, signal: AbortSignal): Promise<Level> {
  const readings = [await readMemory()];
  const until = Date.now() + windowMs;
  while (Date.now() < until && (await waitOrAbort(WINDOW_SAMPLE_MS, signal))) readings.push(await readMemory());
  return typicalLevel(readings);
}

async function runMemoryPressure(
  context: DrillContext,
  start: MemoryReading,
  targetBytes: number,
  chunkBytes: number,
  ledger: Ledger,
): Promise<DrillOutcome> {
  const { signal } = context;
  const chunks = Math.ceil(targetBytes / chunkBytes);
  let allocatedBytes = 0;
  let peak: Level = { used: start.usedBytes, anon: start.anonBytes };
  let peakPercent = start.usedPercent;
  let allocationMs: number | null = null;
  let baseline: Level = { used: start.usedBytes, anon: start.anonBytes };
  let held: Level | null = null;
  let afterRelease: Level | null = null;
  let allocatorRssBytes: number | null = null;
  const measured = () => {
    const top = held ?? peak;
    return {
      targetBytes,
      allocatedBytes,
      memRiseBytes: Math.max(0, top.used - baseline.used),
      anonRiseBytes: Math.max(0, top.anon - baseline.anon),
      memPercentPeak: round(peakPercent),
      allocationMs,
      memReleasedBytes: held && afterRelease ? Math.max(0, held.used - afterRelease.used) : null,
      anonReleasedBytes: held && afterRelease ? Math.max(0, held.anon - afterRelease.anon) : null,
      allocatorRssBytes,
    };
  };
  const sample = async (): Promise<MemoryReading> => {
    const now = await readMemory();
    peak = { used: Math.max(peak.used, now.usedBytes), anon: Math.max(peak.anon, now.anonBytes) };
    peakPercent = Math.max(peakPercent, now.usedPercent);
    return now;
  };

  let child: Child | undefined;
  let failure: string | null = null;
  try {
    baseline = await levelOver(WINDOW_MS, signal);
    if (signal.aborted) return abortedOutcome(measured(), 'before allocating');
    context.progress(`allocating ${formatBytes(targetBytes)} in ${chunks} chunk${chunks === 1 ? '' : 's'}`);
    const startedAt = Date.now();
    child = await spawnNodeChild(ALLOCATOR, [String(chunkBytes), String(targetBytes)]);
    const allocator = child;
    const allocated = new Promise<boolean>((resolve) => {
      allocator.process.on('message', (message: AllocatorMessage) => {
        allocatedBytes = message.bytes;
        if (message.type === 'allocated') {
          resolve(true);
          return;
        }
        const done = Math.ceil(message.bytes / chunkBytes);
        context.progress(`allocated ${done} of ${chunks} chunk${chunks === 1 ? '' : 's'} (${formatBytes(message.bytes)} of ${formatBytes(targetBytes)})`);
      });
      void allocator.exited.then(() => resolve(false));
      signal.addEventListener('abort', () => resolve(false), { once: true });
    });
    // Listening first: an IPC message that arrives while nobody listens is lost.
    await ledger.addProcesses([{ pid: child.pid, startTime: child.startTime, command: 'memory_pressure allocator' }]);
    let done = false;
    void allocated.then(() => (done = true));
    while (!done) {
      await Promise.race([allocated, waitOrAbort(SAMPLE_MS, signal)]);
      await sample();
      if (signal.aborted) break;
    }
    if (signal.aborted) return abortedOutcome(measured(), `${formatBytes(allocatedBytes)} of ${formatBytes(targetBytes)} allocated`);
    if (!(await allocated)) {
      const exit = await child.exited;
      const how = exit.signal ? `was killed by ${exit.signal}${exit.signal === 'SIGKILL' ? ' (the kernel out-of-memory killer?)' : ''}` : `exited with code ${exit.code}`;
      const detail = child.stderrTail() ? `: ${child.stderrTail().split('\n').pop()}` : '';
      failure = `the allocating process ${how} after ${formatBytes(allocatedBytes)}${detail}`;
    } else {
      allocationMs = Date.now() - startedAt;
      allocatorRssBytes = readResidentBytes(child.pid);
      const readings = [await sample()];
      context.progress(`holding ${formatBytes(allocatedBytes)} for ${formatDuration(context.durationMs)}`);
      const holdUntil = Date.now() + context.durationMs;
      while (Date.now() < holdUntil && (await waitOrAbort(Math.min(WINDOW_SAMPLE_MS, holdUntil - Date.now()), signal))) {
        readings.push(await sample());
      }
      held = typicalLevel(readings);
      if (signal.aborted) return abortedOutcome(measured(), `${formatBytes(allocatedBytes)} held`);
    }
  } finally {
    if (child) {
      await endChild(child, 1000);
      await ledger.removeProcesses([child.pid]);
    }
  }
  if (held !== null) afterRelease = await levelOver(WINDOW_MS, signal);
  context.progress(`released ${formatBytes(allocatedBytes)}`);

  const result = measured();
  if (failure) return failedOutcome(result, failure);
  // MemAvailable can lag an allocation by a hundred MB and more (see MemoryReading.anonBytes):
  // the rise counts when either measure of the whole machine shows it.
  const rise = Math.max(result.memRiseBytes, result.anonRiseBytes);
  const success = rise >= PASS_SHARE * targetBytes;
  const seen = `memory use rose by ${formatBytes(result.memRiseBytes)} (MemAvailable) and ${formatBytes(result.anonRiseBytes)} (AnonPages)`;
  return {
    success,
    measured: result,
    summary: success
      ? `${seen} for a ${formatBytes(targetBytes)} target, peak ${result.memPercentPeak} %`
      : `${seen}: under 90 % of the ${formatBytes(targetBytes)} allocated`,
  };
}
