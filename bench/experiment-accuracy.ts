/**
 * Time to detect and time to recover as the experiment engine measures them, against the known
 * timing of the fault: the canary killed (the failure starts at the kill) and started again by
 * its supervisor (the service is back when the new instance listens: the supervisor's "ready").
 * Goal: each error at most one probe interval. Also a held stop of the canary, whose truth is the
 * moment the stop finished and the moment the start was ready.
 *
 *   node --import tsx bench/experiment-accuracy.ts
 *   BENCH_KILLS=10 node --import tsx bench/experiment-accuracy.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../src/config/config.js';
import { openLedger } from '../src/drills/ledger.js';
import { runExperiment } from '../src/experiments/engine.js';
import { parseExperiment } from '../src/experiments/load.js';
import type { Experiment } from '../src/experiments/schema.js';
import type { ExperimentResult } from '../src/experiments/types.js';
import { resolvePaths } from '../src/paths.js';
import { reportRow } from './rows.mjs';

const KILLS = Number(process.env.BENCH_KILLS ?? 5);
const INTERVALS_MS = [100, 50];

function experiment(intervalMs: number, method: unknown[]): Experiment {
  const parsed = parseExperiment(
    {
      id: 'accuracy',
      title: 'Accuracy',
      description: 'known fault timing',
      risk: 'low',
      severity: 1,
      // More starts than systemd's default limit (5 in 10 s) allows: the bench kills it again and again.
      services: [{ id: 'canary', kind: 'canary', restart: 'always', restart_delay_seconds: 0.5, start_limit_burst: 100 }],
      probe_interval_seconds: intervalMs / 1000,
      steady_state: { title: 'the canary answers', baseline_seconds: 1, probes: [{ name: 'health', kind: 'http', url: '${canary.url}/health', timeout_seconds: 1 }] },
      recovery: { consecutive: 2, within_seconds: 10 },
      method,
    },
    'bench',
  );
  if ('error' in parsed) throw new Error(parsed.error.message);
  return parsed.experiment;
}

/** Runs it and returns the result with the supervisor's ready times (epoch ms, in order). */
async function measure(subject: Experiment): Promise<{ result: ExperimentResult; readyAt: number[]; stoppedAt: number[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-bench-accuracy-'));
  const paths = resolvePaths({ dataDir: dir, configFile: path.join(dir, 'none.yaml') });
  const readyAt: number[] = [];
  const stoppedAt: number[] = [];
  try {
    const events = runExperiment({ experiment: subject, config: defaultConfig(), paths, ledger: openLedger(paths), env: process.env, signal: new AbortController().signal });
    for (;;) {
      const next = await events.next();
      if (next.done) return { result: next.value, readyAt, stoppedAt };
      const event = next.value;
      if (event.type === 'service' && event.event.type === 'ready') readyAt.push(event.event.at);
      if (event.type === 'service' && event.event.type === 'exited') stoppedAt.push(event.event.at);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const stats = (values: number[]) => ({
  mean: values.reduce((sum, value) => sum + value, 0) / values.length,
  max: Math.max(...values.map(Math.abs)),
});

const rows: Parameters<typeof reportRow>[0][] = [];
for (const intervalMs of INTERVALS_MS) {
  const kills = Array.from({ length: KILLS }, () => [{ fault: { kind: 'process_kill', service: 'canary' } }, { pause_seconds: 1 }]).flat();
  const { result, readyAt } = await measure(experiment(intervalMs, kills));
  const detect: number[] = [];
  const recover: number[] = [];
  for (const fault of result.faults) {
    const truthBack = readyAt.find((at) => at > fault.startedAt);
    if (fault.detectedAt === undefined || fault.recoveredAt === undefined || truthBack === undefined) {
      console.log(`  (left out: ${fault.name}, verdict ${fault.verdict}, detected ${fault.detectedAt !== undefined}, ready after it ${truthBack !== undefined})`);
      continue;
    }
    detect.push(fault.detectedAt - fault.startedAt);
    recover.push(fault.recoveredAt - truthBack);
  }
  const d = stats(detect);
  const r = stats(recover);
  console.log(
    `kill -9, probes every ${intervalMs} ms, ${detect.length} faults: detect error mean ${d.mean.toFixed(0)} ms, worst ${d.max.toFixed(0)} ms; recover error mean ${r.mean.toFixed(0)} ms, worst ${r.max.toFixed(0)} ms`,
  );
  rows.push(
    { what: `time-to-detect error, kill -9, ${intervalMs} ms probes`, figure: `worst ${d.max.toFixed(0)} ms (mean ${d.mean.toFixed(0)})`, against: 'the kill', target: `<= ${intervalMs} ms` },
    { what: `time-to-recover error, kill -9, ${intervalMs} ms probes`, figure: `worst ${r.max.toFixed(0)} ms (mean ${r.mean.toFixed(0)})`, against: "the supervisor's ready", target: `<= ${intervalMs} ms` },
  );

  const { result: held, readyAt: heldReady, stoppedAt } = await measure(experiment(intervalMs, [{ fault: { kind: 'service_stop', service: 'canary' }, duration_seconds: 2 }]));
  const fault = held.faults[0]!;
  const down = stoppedAt.find((at) => at >= fault.startedAt)!;
  const back = heldReady.find((at) => at > down)!;
  const heldDetect = fault.detectedAt! - down;
  const heldRecover = fault.recoveredAt! - back;
  console.log(`stop held 2 s, probes every ${intervalMs} ms: detect error ${heldDetect} ms (after the stop finished), recover error ${heldRecover} ms (after the start was ready)`);
  rows.push(
    { what: `detect / recover error, stop held 2 s, ${intervalMs} ms probes`, figure: `${heldDetect} / ${heldRecover} ms`, against: 'stop finished / start ready', target: `<= ${intervalMs} ms` },
  );
}
for (const row of rows) reportRow(row);
