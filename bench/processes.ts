/**
 * The cost of the /proc process table (src/monitor/processes.ts), read as the live incident and the
 * process panels read it: once per interval, every process, then the command lines of the rows
 * shown. Compared within one run with `ps -eo pid,comm,%cpu,rss,lstart,args` (what a person would
 * run), so that the ratio holds on a busy machine.
 *
 *   node --import tsx bench/processes.ts
 *   BENCH_READS=200 node --import tsx bench/processes.ts
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { ProcessReader, topProcesses } from '../src/monitor/processes.js';
import { reportRow } from './rows.mjs';

const READS = Number(process.env.BENCH_READS ?? 100);
const reader = new ProcessReader();
reader.read();

const times: number[] = [];
const cpuBefore = process.cpuUsage();
let count = 0;
for (let index = 0; index < READS; index += 1) {
  const started = performance.now();
  const snapshot = reader.read();
  for (const row of topProcesses(snapshot, 'cpu', 8)) reader.withCommand(row);
  times.push(performance.now() - started);
  count = snapshot.processes.length;
}
const cpu = process.cpuUsage(cpuBefore);
const psStarted = performance.now();
const PS_RUNS = 10;
for (let index = 0; index < PS_RUNS; index += 1) execFileSync('ps', ['-eo', 'pid,comm,%cpu,rss,lstart,args'], { stdio: ['ignore', 'pipe', 'ignore'] });
const psMs = (performance.now() - psStarted) / PS_RUNS;

times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
const p95 = times[Math.floor(times.length * 0.95)]!;
const cpuPerRead = (cpu.user + cpu.system) / 1000 / READS;
console.log(`process table, ${count} processes, ${READS} reads: median ${median.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, CPU ${cpuPerRead.toFixed(2)} ms a read`);
console.log(`once a second: ${(cpuPerRead / 10).toFixed(2)} % of one core; \`ps -eo ...\` takes ${psMs.toFixed(1)} ms a run (${(psMs / median).toFixed(1)}x a read)`);
reportRow({
  what: `/proc process table, ${count} processes, every process plus 8 command lines (bench/processes.ts)`,
  figure: `${median.toFixed(1)} ms a read (p95 ${p95.toFixed(1)} ms), ${(cpuPerRead / 10).toFixed(2)} % of a core at once a second`,
  against: `\`ps -eo pid,comm,%cpu,rss,lstart,args\` in the same run: ${psMs.toFixed(1)} ms (${(psMs / median).toFixed(1)}x)`,
});
