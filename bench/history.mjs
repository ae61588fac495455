// History at scale: fills a store with 100 000 runs (5 drills each, a quarter of drills failing,
// 3 machines) in a temp data dir through the real SqliteHistoryStore, then times the built CLI end
// to end, process start included:
//   firedrill history --limit 20   (target 300 ms)
//   firedrill failures             (target 500 ms)
//   firedrill compare              (no target; the whole table is aggregated)
// With hyperfine installed (apt-get install hyperfine) it measures; otherwise it spawns 15 times and
// takes the median. Usage: npm run build && node bench/history.mjs [RUNS]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { reportRow } from './rows.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/firedrill.js');
if (!existsSync(cli)) {
  console.error('bench/history.mjs: dist/firedrill.js is missing: run "npm run build" first');
  process.exit(2);
}
const RUNS = Number(process.argv[2] ?? 100_000);
const MACHINES = ['bench-a', 'bench-b', 'bench-c'];
const TARGETS = { history: 300, failures: 500 };

const { SqliteHistoryStore, HISTORY_FILE_NAME } = await tsImport('../src/history/sqlite-store.ts', import.meta.url);
const { makeReport } = await tsImport('../test/history/fixtures/reports.ts', import.meta.url);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-bench-history-'));
try {
  // The per-run path (one IMMEDIATE transaction per run, as `firedrill run` saves) is timed on the
  // first runs; the rest go in batches of 1 000 per transaction so that the fill stays short.
  const SINGLE = Math.min(2_000, RUNS);
  const reportAt = (index) => makeReport(Math.floor(index / MACHINES.length), MACHINES[index % MACHINES.length]);
  const store = SqliteHistoryStore.open(dataDir);
  const singleStart = performance.now();
  for (let index = 0; index < SINGLE; index += 1) store.saveRunSync(reportAt(index), false);
  const singleMs = performance.now() - singleStart;
  const batchStart = performance.now();
  for (let index = SINGLE; index < RUNS; index += 1_000) {
    const batch = [];
    for (let offset = index; offset < Math.min(index + 1_000, RUNS); offset += 1) batch.push(reportAt(offset));
    store.saveRunsSync(batch, false);
  }
  await store.close();
  const batchMs = performance.now() - batchStart;
  const file = path.join(dataDir, HISTORY_FILE_NAME);
  const sizeMb = (statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0)) / 1024 / 1024;
  console.log(`saved ${SINGLE} runs one transaction each: ${(singleMs / SINGLE).toFixed(2)} ms per run (${Math.round(SINGLE / (singleMs / 1000))} runs/s)`);
  console.log(`filled the other ${RUNS - SINGLE} in batches of 1 000: ${(batchMs / 1000).toFixed(1)} s; ${RUNS} runs, ${RUNS * 5} drill results, ${sizeMb.toFixed(1)} MB on disk`);

  // The store's own share, in this process (no start-up): median of 15 after 3 warm-ups.
  const reader = SqliteHistoryStore.open(dataDir);
  const queries = [
    ['listRuns (limit 20)', () => reader.listRuns({ machine: 'bench-a', limit: 20 })],
    ['listRuns (limit 20, deepest page)', () => reader.listRuns({ machine: 'bench-a', limit: 20, offset: Math.floor(RUNS / MACHINES.length) - 20 })],
    ['stats', () => reader.stats('bench-a')],
    ['failures', () => reader.failures({ machine: 'bench-a' })],
    ['compare (all machines)', () => reader.compare()],
    ['passRateTrend (60 slices)', () => reader.passRateTrend('bench-a', 60)],
    ['getRun', () => reader.getRun(makeReport(Math.floor(RUNS / MACHINES.length / 2), 'bench-a').runId)],
  ];
  console.log(`\nin-process query times (median of 15), ${RUNS} runs in the store:`);
  for (const [name, query] of queries) {
    const times = [];
    for (let round = 0; round < 18; round += 1) {
      const start = performance.now();
      await query();
      if (round >= 3) times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(`  ${name.padEnd(36)}${`${times[Math.floor(times.length / 2)].toFixed(2)} ms`.padStart(10)}`);
  }
  await reader.close();

  const cases = [
    { name: 'history', args: ['history', '--limit', '20', '--machine', 'bench-a', '--data-dir', dataDir] },
    { name: 'failures', args: ['failures', '--machine', 'bench-a', '--data-dir', dataDir] },
    { name: 'compare', args: ['compare', '--data-dir', dataDir] },
    { name: '--version (start-up only)', args: ['--version'] },
  ];
  const env = { ...process.env, NEO4J_URI: '', FIREDRILL_DATA_DIR: '' };
  for (const { args } of cases) {
    const check = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`firedrill ${args.join(' ')} failed: ${check.stderr}`);
  }

  const hasHyperfine = spawnSync('hyperfine', ['--version']).status === 0;
  const results = [];
  for (const { name, args } of cases) {
    let medianMs;
    let minMs;
    if (hasHyperfine) {
      const exportFile = path.join(dataDir, 'hyperfine.json');
      const quoted = [process.execPath, cli, ...args].map((part) => `'${part}'`).join(' ');
      execFileSync('hyperfine', ['--warmup', '3', '--runs', '15', '--shell=none', '--style', 'none', '--export-json', exportFile, quoted], { env, stdio: 'ignore' });
      const [measured] = JSON.parse(readFileSync(exportFile, 'utf8')).results;
      medianMs = measured.median * 1000;
      minMs = measured.min * 1000;
    } else {
      const times = [];
      for (let round = 0; round < 18; round += 1) {
        const start = performance.now();
        spawnSync(process.execPath, [cli, ...args], { env, stdio: 'ignore' });
        if (round >= 3) times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      medianMs = times[Math.floor(times.length / 2)];
      minMs = times[0];
    }
    results.push({ name, medianMs, minMs, target: TARGETS[name] });
  }

  const startup = results.find((result) => result.name.startsWith('--version')).medianMs;
  console.log(`load average ${os.loadavg().map((load) => load.toFixed(1)).join(' ')} on ${os.cpus().length} cores (figures grow with it)`);
  console.log(`\nend to end, median (${hasHyperfine ? 'hyperfine, 15 runs after 3 warm-ups' : '15 spawns after 3 warm-ups'}), ${RUNS} runs in the store:`);
  console.log(`${'command'.padEnd(28)}${'median'.padStart(10)}${'min'.padStart(10)}${'target'.padStart(10)}${'vs target'.padStart(11)}${'over start-up'.padStart(15)}`);
  for (const { name, medianMs, minMs, target } of results) {
    const ratio = target ? `${(medianMs / target).toFixed(2)}x` : '-';
    const over = name.startsWith('--version') ? '-' : `+${(medianMs - startup).toFixed(0)} ms`;
    console.log(
      `${name.padEnd(28)}${`${medianMs.toFixed(0)} ms`.padStart(10)}${`${minMs.toFixed(0)} ms`.padStart(10)}${(target ? `${target} ms` : '-').padStart(10)}${ratio.padStart(11)}${over.padStart(15)}`,
    );
  }
  for (const { name, medianMs, target } of results) {
    reportRow({
      what: `\`firedrill ${name}\` with ${RUNS} runs in the store, spawn to exit`,
      figure: `${medianMs.toFixed(0)} ms`,
      against: `\`firedrill --version\` (start-up alone): ${startup.toFixed(0)} ms`,
      target: target ? `${target} ms` : '-',
    });
  }
  const missed = results.filter((result) => result.target && result.medianMs > result.target);
  if (missed.length > 0) console.log(`\nmissed: ${missed.map((result) => result.name).join(', ')}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
