import type { DrillsConfig } from '../config/config.js';
import { endChild, spawnChild, type Child } from './children.js';
import { abortedOutcome, failedOutcome, waitOrAbort } from './common.js';
import { formatDuration } from '../format.js';
import type { Ledger } from './ledger.js';
import { isLinux, isSameProcessAlive, LINUX_ONLY_MESSAGE, readProcessStat } from './proc.js';
import type { Drill, DrillContext, DrillOutcome } from './types.js';

/** A child outlives the hold by at most this, even if every other safety net failed. */
const LIFETIME_MARGIN_SECONDS = 60;
const GONE_WITHIN_MS = 2000;

export function createProcessSpawn(config: DrillsConfig['process_spawn'], ledger: Ledger): Drill {
  const count = config.count;
  return {
    name: 'process_spawn',
    title: 'Process spawn',
    description: `starts ${count} sleep processes, checks each is in the process table, ends them all`,
    defaultDurationSeconds: 5,
    riskWarning: () => null,
    preflight: async () => (isLinux() ? null : LINUX_ONLY_MESSAGE),
    run: (context) => runProcessSpawn(context, count, ledger),
  };
}

/** In the process table, alive, our child, and the very process we started (not a recycled pid). */
function isVisibleAsOurs(child: Child): boolean {
  const stat = readProcessStat(child.pid);
  return stat !== null && stat.ppid === process.pid && stat.startTime === child.startTime && stat.state !== 'Z';
}

async function runProcessSpawn(context: DrillContext, requested: number, ledger: Ledger): Promise<DrillOutcome> {
  const { signal } = context;
  let seen = 0;
  let remaining = 0;
  const measured = () => ({ requested, seen, remaining });
  const children: Child[] = [];
  let failure: string | null = null;
  try {
    const lifetime = String(Math.ceil(context.durationMs / 1000) + LIFETIME_MARGIN_SECONDS);
    const spawned = await Promise.allSettled(Array.from({ length: requested }, () => spawnChild('sleep', [lifetime])));
    for (const result of spawned) if (result.status === 'fulfilled') children.push(result.value);
    await ledger.addProcesses(children.map((child) => ({ pid: child.pid, startTime: child.startTime, command: 'process_spawn sleep' })));
    const rejected = spawned.find((result) => result.status === 'rejected');
    if (rejected) failure = `started ${children.length} of ${requested} processes: ${(rejected.reason as Error).message}`;

    seen = children.filter(isVisibleAsOurs).length;
    context.progress(`started ${children.length} processes, ${seen} seen in the process table`);
    if (!failure && (await waitOrAbort(context.durationMs, signal))) {
      const stillThere = children.filter(isVisibleAsOurs).length;
      context.progress(`${stillThere} of ${requested} still running after ${formatDuration(context.durationMs)}; ending them`);
    }
  } finally {
    await Promise.all(children.map((child) => endChild(child, 1000)));
    // Node has reaped them once 'exit' fired; confirm through /proc all the same.
    const deadline = Date.now() + GONE_WITHIN_MS;
    const alive = () => children.filter((child) => child.startTime !== null && isSameProcessAlive(child.pid, child.startTime)).length;
    remaining = alive();
    while (remaining > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      remaining = alive();
    }
    await ledger.removeProcesses(children.map((child) => child.pid));
  }
  if (signal.aborted) return abortedOutcome(measured(), `${seen} of ${requested} processes seen, ${remaining} left running`);
  if (failure) return failedOutcome(measured(), failure);
  const success = seen === requested && remaining === 0;
  return {
    success,
    measured: measured(),
    summary: success
      ? `all ${requested} processes were seen in the process table and all were gone after the end`
      : `${seen} of ${requested} processes seen in the process table, ${remaining} still running after the end`,
  };
}
