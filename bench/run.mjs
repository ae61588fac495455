// `npm run bench`: runs the registered benchmarks one after the other and ends with one table of
// their figures, each beside what it was measured against. Benchmarks load the machine: on a
// shared one, run them under its lock, and compare figures within one run.
//
//   npm run bench                      every bench
//   npm run bench -- cpu-start startup these only
//   npm run bench -- --list            what is registered
//
// Registering a bench: add it to BENCHES; it prints what it likes and reports each figure for the
// table with reportRow() from bench/rows.mjs. A bench that needs a program this machine lacks is
// skipped and the table says why.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** @type {Array<{ name: string, script: string, needs?: string[] }>} `needs`: programs (on the PATH, or paths) it cannot run without. */
export const BENCHES = [
  { name: 'startup', script: 'startup.mjs' },
  { name: 'console-cost', script: 'console-cost.mjs' },
  { name: 'cpu-start', script: 'cpu-start.mjs', needs: ['stress-ng'] },
  { name: 'drills-vs-stress-ng', script: 'drills-vs-stress-ng.mjs', needs: ['stress-ng', 'dd'] },
  { name: 'all-drills', script: 'all-drills.mjs' },
  { name: 'first-hypothesis', script: 'first-hypothesis.ts' },
  { name: 'api-load', script: 'api-load.mjs' },
  { name: 'history', script: 'history.mjs' },
  { name: 'training', script: 'training.mjs' },
  { name: 'time-to-detect', script: 'time-to-detect.mjs', needs: ['/usr/bin/prometheus', '/usr/bin/prometheus-node-exporter', '/usr/bin/prometheus-alertmanager'] },
  { name: 'proxy', script: 'proxy.mjs' },
  { name: 'sandbox', script: 'sandbox.mjs', needs: ['/usr/lib/postgresql/*/bin/initdb'] },
  { name: 'experiment-accuracy', script: 'experiment-accuracy.ts' },
  { name: 'experiment-cost', script: 'experiment-cost.ts' },
  { name: 'processes', script: 'processes.ts' },
  { name: 'presenter', script: 'presenter.mjs' },
  { name: 'notes-latency', script: 'notes-latency.ts' },
  { name: 'workloads', script: 'workloads.mjs' },
  { name: 'workload-candidates', script: 'workload-candidates.mjs', needs: ['perl', 'stress-ng', '/usr/bin/setpriv'] },
];

const here = path.dirname(fileURLToPath(import.meta.url));
const ROW = /^bench-row (\{.*\})$/;

/** A program on the PATH, or a path (a glob is fine): the ones this machine lacks. */
function missingPrograms(needs = []) {
  return needs.filter((program) => spawnSync('sh', ['-c', `command -v ${program} || ls ${program}`], { stdio: 'ignore' }).status !== 0);
}

/** Runs one bench, its output shown as it comes; resolves to its rows and exit code. */
function runBench(bench) {
  const args = bench.script.endsWith('.ts') ? ['--import', 'tsx', path.join(here, bench.script)] : [path.join(here, bench.script)];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: path.join(here, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    const rows = [];
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        const row = ROW.exec(line);
        if (row) rows.push(JSON.parse(row[1]));
        else process.stdout.write(`${line}\n`);
      }
    });
    child.on('close', (code, signal) => {
      if (pending) process.stdout.write(pending);
      resolve({ rows, code: code ?? (signal ? 128 : 1) });
    });
  });
}

function table(rows) {
  const header = ['bench', 'what', 'figure', 'measured against', 'target'];
  const cells = rows.map((row) => [row.bench, row.what, row.figure, row.against ?? '', row.target ?? '-']);
  return [header, header.map(() => '---'), ...cells].map((line) => `| ${line.join(' | ')} |`).join('\n');
}

const argv = process.argv.slice(2);
if (argv.includes('--list')) {
  for (const bench of BENCHES) console.log(`${bench.name.padEnd(22)} bench/${bench.script}${bench.needs ? `  (needs ${bench.needs.join(', ')})` : ''}`);
  process.exit(0);
}
const unknown = argv.filter((name) => !BENCHES.some((bench) => bench.name === name));
if (unknown.length > 0) {
  console.error(`npm run bench: unknown bench ${unknown.join(', ')}; see npm run bench -- --list`);
  process.exit(2);
}
const chosen = argv.length > 0 ? BENCHES.filter((bench) => argv.includes(bench.name)) : BENCHES;

const all = [];
let failed = 0;
for (const bench of chosen) {
  const missing = missingPrograms(bench.needs);
  if (missing.length > 0) {
    all.push({ bench: bench.name, what: '(skipped)', figure: '-', against: `needs ${missing.join(', ')}` });
    continue;
  }
  console.log(`\n== ${bench.name} (bench/${bench.script})`);
  const started = Date.now();
  const { rows, code } = await runBench(bench);
  for (const row of rows) all.push({ bench: bench.name, ...row });
  if (code !== 0) {
    failed += 1;
    all.push({ bench: bench.name, what: '(failed)', figure: `exit ${code}`, against: 'see its output above' });
  }
  console.log(`(${bench.name}: ${((Date.now() - started) / 1000).toFixed(0)} s)`);
}
console.log(`\n${table(all)}`);
process.exit(failed > 0 ? 1 : 0);
