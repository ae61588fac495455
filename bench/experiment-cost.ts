/**
 * firedrill's own cost while an experiment probes the canary every 100 ms (HTTP on a fresh
 * connection each time, as a client arriving would), against probing once a second: CPU of this
 * process (the engine and its probes) and of the canary, and this process's memory, over a pause
 * step with no fault. Measured while other work may run: compare the two rows of one run.
 *
 *   node --import tsx bench/experiment-cost.ts
 *   BENCH_SECONDS=30 node --import tsx bench/experiment-cost.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../src/config/config.js';
import { openLedger } from '../src/drills/ledger.js';
import { runExperiment } from '../src/experiments/engine.js';
import { parseExperiment } from '../src/experiments/load.js';
import { resolvePaths } from '../src/paths.js';
import { reportRow } from './rows.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const TICKS_PER_SECOND = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in these.

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

async function measure(intervalSeconds: number) {
  const parsed = parseExperiment(
    {
      id: 'cost',
      title: 'Cost',
      description: 'probing only',
      risk: 'low',
      severity: 1,
      services: [{ id: 'canary', kind: 'canary' }],
      probe_interval_seconds: intervalSeconds,
      steady_state: { title: 'the canary answers', baseline_seconds: 1, probes: [{ name: 'health', kind: 'http', url: '${canary.url}/health' }] },
      recovery: { within_seconds: 5 },
      method: [{ pause_seconds: SECONDS }],
    },
    'bench',
  );
  if ('error' in parsed) throw new Error(parsed.error.message);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-bench-cost-'));
  const paths = resolvePaths({ dataDir: dir, configFile: path.join(dir, 'none.yaml') });
  let canaryPid = 0;
  let start: { at: number; self: NodeJS.CpuUsage; canary: number } | undefined;
  let end: { at: number; self: NodeJS.CpuUsage; canary: number; rss: number } | undefined;
  let rounds = 0;
  try {
    const events = runExperiment({ experiment: parsed.experiment, config: defaultConfig(), paths, ledger: openLedger(paths), env: process.env, signal: new AbortController().signal });
    for await (const event of events) {
      if (event.type === 'service' && event.event.type === 'ready') canaryPid = event.event.pid;
      if (event.type === 'phase' && event.message.startsWith('pause')) start = { at: Date.now(), self: process.cpuUsage(), canary: cpuSeconds(canaryPid) };
      if (event.type === 'probe-tick' && start && !end) rounds += 1;
      if (event.type === 'steady-state' && event.when === 'after' && start) {
        end = { at: Date.now(), self: process.cpuUsage(start.self), canary: cpuSeconds(canaryPid), rss: process.memoryUsage().rss };
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (!start || !end) throw new Error('the pause was not seen');
  const wall = (end.at - start.at) / 1000;
  return {
    rounds,
    self: ((end.self.user + end.self.system) / 1e6 / wall) * 100,
    canary: ((end.canary - start.canary) / wall) * 100,
    rssMiB: end.rss / 1024 / 1024,
  };
}

const slow = await measure(1);
const fast = await measure(0.1);
for (const [label, figures] of [['every 1 s', slow], ['every 100 ms', fast]] as const) {
  console.log(
    `probing ${label} for ${SECONDS} s: ${figures.rounds} rounds; firedrill ${figures.self.toFixed(2)} % of a core, the canary ${figures.canary.toFixed(2)} %, firedrill RSS ${figures.rssMiB.toFixed(0)} MiB`,
  );
}
reportRow({ what: "firedrill's CPU probing every 100 ms", figure: `${fast.self.toFixed(2)} % of a core (RSS ${fast.rssMiB.toFixed(0)} MiB)`, against: `${slow.self.toFixed(2)} % probing every 1 s` });
reportRow({ what: 'canary CPU answering every 100 ms', figure: `${fast.canary.toFixed(2)} % of a core`, against: `${slow.canary.toFixed(2)} % every 1 s` });
