import os from 'node:os';
import type { DrillsConfig } from '../config/config.js';
import { endChild, spawnNodeChild, type Child } from './children.js';
import { abortedOutcome, failedOutcome, round, waitOrAbort } from './common.js';
import { formatDuration } from '../format.js';
import type { Ledger } from './ledger.js';
import { cpuPercentBetween, isLinux, LINUX_ONLY_MESSAGE, readCpuTimes } from './proc.js';
import type { Drill, DrillContext, DrillOutcome } from './types.js';

/**
 * Keeps the CPU busy. The loop yields to the event loop every 50 ms so that the worker's
 * watchdog (parent gone, IPC closed) still runs: a worker can never outlive firedrill.
 */
export const BUSY_WORKER = `
const burn = () => { const until = Date.now() + 50; while (Date.now() < until) {} setImmediate(burn); };
burn();
`;

const SAMPLE_MS = 200;

export function createCpuSpike(config: DrillsConfig['cpu_spike'], ledger: Ledger): Drill {
  const workers = config.workers ?? os.availableParallelism();
  const threshold = config.threshold_percent;
  return {
    name: 'cpu_spike',
    title: 'CPU spike',
    description: `${workers} busy worker${workers === 1 ? '' : 's'} until the whole machine's CPU passes ${threshold} %`,
    defaultDurationSeconds: 10,
    riskWarning: () => null,
    preflight: async () => (isLinux() ? null : LINUX_ONLY_MESSAGE),
    run: (context) => runCpuSpike(context, workers, threshold, ledger),
  };
}

async function runCpuSpike(context: DrillContext, workers: number, threshold: number, ledger: Ledger): Promise<DrillOutcome> {
  const { signal } = context;
  let peak = 0;
  let sum = 0;
  let samples = 0;
  let secondsToThreshold: number | null = null;
  const measured = () => ({
    cpuPercentPeak: round(peak),
    cpuPercentMean: round(samples > 0 ? sum / samples : 0),
    thresholdPercent: threshold,
    workers,
    secondsToThreshold: secondsToThreshold === null ? null : round(secondsToThreshold, 2),
  });

  const children: Child[] = [];
  try {
    let previous = await readCpuTimes();
    const startedAt = Date.now();
    const spawned = await Promise.allSettled(Array.from({ length: workers }, () => spawnNodeChild(BUSY_WORKER)));
    for (const result of spawned) if (result.status === 'fulfilled') children.push(result.value);
    await ledger.addProcesses(children.map((child) => ({ pid: child.pid, startTime: child.startTime, command: 'cpu_spike worker' })));
    const failure = spawned.find((result) => result.status === 'rejected');
    if (failure) return failedOutcome(measured(), `could not start the busy workers: ${(failure.reason as Error).message}`);
    context.progress(`started ${workers} busy worker${workers === 1 ? '' : 's'}`);

    const endAt = startedAt + context.durationMs;
    let lastProgress = startedAt;
    while (Date.now() < endAt) {
      if (!(await waitOrAbort(Math.min(SAMPLE_MS, Math.max(1, endAt - Date.now())), signal))) break;
      const current = await readCpuTimes();
      const percent = cpuPercentBetween(previous, current);
      previous = current;
      peak = Math.max(peak, percent);
      sum += percent;
      samples += 1;
      if (secondsToThreshold === null && percent >= threshold) {
        secondsToThreshold = (Date.now() - startedAt) / 1000;
        context.progress(`CPU reached ${round(percent)} % after ${formatDuration(Date.now() - startedAt)} (threshold ${threshold} %)`);
      }
      if (Date.now() - lastProgress >= 1000) {
        lastProgress = Date.now();
        context.progress(`CPU ${round(percent)} % (peak ${round(peak)} %)`);
      }
    }
    if (signal.aborted) return abortedOutcome(measured(), `CPU peaked at ${round(peak)} %`);
  } finally {
    await Promise.all(children.map((child) => endChild(child, 500)));
    await ledger.removeProcesses(children.map((child) => child.pid));
  }

  const result = measured();
  const reached = secondsToThreshold !== null;
  return {
    success: reached,
    measured: result,
    summary: reached
      ? `CPU reached ${result.cpuPercentPeak} % (threshold ${threshold} %) after ${result.secondsToThreshold} s; mean ${result.cpuPercentMean} %`
      : `CPU peaked at ${result.cpuPercentPeak} %, below the ${threshold} % threshold`,
  };
}
