// The presenter screen's own cost and speed, in a real pseudo-terminal (the built firedrill):
//  1. its CPU share (the firedrill process alone, children excluded) on a scene showing the live
//     gauges with the clock ticking, and on a rehearsed live incident (metrics, process table,
//     hypotheses streaming in); goal <= 3 % of one core;
//  2. the time from a clicker's "next" (Right) to the new scene's title on the terminal, over 30
//     scene changes; goal <= 100 ms.
// Narratives written for the bench (no load, so that only the presenter is measured).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median, startInPty, stripAnsi } from './pty.mjs';
import { reportRow } from './rows.mjs';

const SECONDS = Number(process.env.SECONDS_MEASURED ?? 15);
const CHANGES = Number(process.env.BENCH_SCENE_CHANGES ?? 30);
const TICKS_PER_SECOND = 100;

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function childOf(parent) {
  return Number(readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/)[0]);
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-bench-presenter-'));
const head = 'title: Bench\naudience: a bench\nsummary: the presenter measured\nplanned_minutes: 10\n';
writeFileSync(
  path.join(dir, 'cost.yaml'),
  `id: bench-cost\n${head}requires: { drills: true }\nscenes:\n  - title: Gauges only\n    say: The clock ticks and the gauges move.\n    until: 120 s\n  - title: Live incident\n    say: A rehearsed live incident.\n    run: { live: { fault: runaway_cpu }, hold_seconds: 600 }\n`,
);
writeFileSync(
  path.join(dir, 'scenes.yaml'),
  `id: bench-scenes\n${head}scenes:\n${Array.from({ length: CHANGES + 1 }, (_, index) => `  - title: Scene number ${index + 1} of the bench\n    say: Caption ${index + 1}.\n`).join('')}`,
);

async function presenterCost(pty, what) {
  const pid = childOf(pty.child.pid);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const before = cpuTicks(pid);
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const seconds = (Date.now() - started) / 1000;
  const share = (cpuTicks(pid) - before) / TICKS_PER_SECOND / seconds;
  console.log(`presenter on ${what} for ${seconds.toFixed(0)} s: ${(share * 100).toFixed(2)} % of one core`);
  return share;
}

const base = `${process.execPath} dist/firedrill.js --data-dir ${dir}/data`;
try {
  const cost = startInPty(`${base.replace('--data-dir', `demo ${dir}/cost.yaml --rehearse --data-dir`)}`, { env: { TMPDIR: dir } });
  let idle;
  let live;
  try {
    await cost.waitFor('Gauges only');
    idle = await presenterCost(cost, 'a scene with live gauges and the clock');
    cost.write('\u001B[C');
    await cost.waitFor('verdict');
    live = await presenterCost(cost, 'a rehearsed live incident (process table, metrics, hypotheses)');
  } finally {
    await cost.stop();
  }

  const scenes = startInPty(`${base.replace('--data-dir', `demo ${dir}/scenes.yaml --data-dir`)}`, { env: { TMPDIR: dir } });
  const latencies = [];
  try {
    await scenes.waitFor('Scene number 1 of the bench');
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (let index = 2; index <= CHANGES + 1; index += 1) {
      const before = stripAnsi(scenes.output()).length;
      const started = process.hrtime.bigint();
      scenes.write('\u001B[C');
      await new Promise((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`scene ${index} never showed`)), 5000);
        const poll = () => {
          if (stripAnsi(scenes.output()).slice(before).includes(`Scene number ${index} of the bench`)) {
            clearTimeout(deadline);
            resolve();
          } else setImmediate(poll);
        };
        poll();
      });
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  } finally {
    await scenes.stop();
  }
  const p50 = median(latencies);
  const p95 = percentile(latencies, 95);
  console.log(`next key to the new scene's first frame, ${latencies.length} scene changes: median ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`);
  reportRow({
    what: "presenter's own CPU on screen (gauges and clock; rehearsed live incident)",
    figure: `${(idle * 100).toFixed(2)} %; ${(live * 100).toFixed(2)} % of one core`,
    against: `the 3 % goal, over ${SECONDS} s each (ratio ${(Math.max(idle, live) / 0.03).toFixed(2)})`,
    target: '3 %',
  });
  reportRow({
    what: "next key to the new scene's first frame (pty)",
    figure: `median ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms over ${latencies.length} changes`,
    against: 'the 100 ms goal',
    target: '100 ms',
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
