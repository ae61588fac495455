// Process workloads at 100, 500 and 1,000 processes (the realistic profile): time to start them
// all, the memory they take in all, firedrill's own CPU while it manages them, and how long a
// /metrics scrape of every process takes. Also the perl agent's CPU duty cycle beside stress-ng's
// --cpu-load (the reference the drills use). Run after `npm run build`, under /work/bin/heavy:
//   node bench/workloads.mjs [100,500,1000]
// Goals (issue 13): 1,000 started within 10 s and within 1.5 GB; firedrill under 5 % of a core;
// a scrape at 1,000 within 200 ms.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { reportRow } from './rows.mjs';

const CLI = path.resolve('dist/firedrill.js');
const sizes = (process.argv[2] ?? '100,500,1000').split(',').map(Number);
const OWN_CPU_WINDOW_MS = 10_000;
const TICKS = 100;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const memAvailable = () => Number(/^MemAvailable:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))[1]) * 1024;
function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
function childrenOf(pid) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}
function descendantsOf(pid) {
  const found = [];
  const queue = [pid];
  while (queue.length > 0) for (const child of childrenOf(queue.shift())) found.push(child), queue.push(child);
  return found;
}
function pss(pid) {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))[1]) * 1024;
  } catch {
    return 0;
  }
}
const rss = (pid) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
const freePort = () =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(processes) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-bench-workload-'));
  const port = await freePort();
  await sleep(1000);
  const availableBefore = memAvailable();
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [CLI, 'workload', '--profile', 'realistic', '--processes', String(processes), '--json', '--metrics-port', String(port), '--data-dir', dataDir, '--seed', '1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
  while (!output.includes('"type":"started"')) {
    if (child.exitCode !== null) throw new Error(`firedrill exited: ${output}`);
    await sleep(20);
  }
  const startMs = performance.now() - spawnedAt;
  const started = JSON.parse(output.split('\n').find((line) => line.includes('"type":"started"')));
  await sleep(3000);
  // The launcher and the agents it forked.
  const agents = descendantsOf(child.pid);
  const agentPss = agents.reduce((sum, pid) => sum + pss(pid), 0);
  const systemUsed = availableBefore - memAvailable();
  // firedrill's own management: the node process and the launcher that forks the agents.
  const managers = [child.pid, ...childrenOf(child.pid)];
  const ticksBefore = managers.map(cpuTicks);
  await sleep(OWN_CPU_WINDOW_MS);
  const ownCpu = managers.map((pid, index) => ((cpuTicks(pid) - ticksBefore[index]) / TICKS / (OWN_CPU_WINDOW_MS / 1000)) * 100);
  const scrapes = [];
  let series = 0;
  for (let index = 0; index < 5; index++) {
    const at = performance.now();
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    scrapes.push(performance.now() - at);
    series = body.split('\n').filter((line) => line.startsWith('process_')).length;
  }
  const firedrillRss = rss(child.pid);
  const stopAt = performance.now();
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('close', resolve));
  const stopMs = performance.now() - stopAt;
  const left = agents.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }).length;
  rmSync(dataDir, { recursive: true, force: true });
  return { processes, agents: agents.length, startMs, engineStartMs: started.elapsedMs, agentPss, systemUsed, ownCpu, scrapeMs: median(scrapes), series, firedrillRss, stopMs, left };
}

/** Busy share of one core over 5 s of a process started by `command`, after a second to settle. */
async function dutyCycle(command, args, input) {
  const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'ignore'] });
  if (input) child.stdin.write(input);
  await sleep(1000);
  const pids = [child.pid, ...descendantsOf(child.pid)];
  const before = pids.map(cpuTicks);
  await sleep(5000);
  const used = pids.map(cpuTicks).reduce((sum, ticks, index) => sum + ticks - before[index], 0);
  child.kill('SIGKILL');
  for (const pid of pids.slice(1)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone with its parent
    }
  }
  return (used / TICKS / 5) * 100;
}

const rows = [];
for (const size of sizes) rows.push(await measure(size));
console.log(`Workloads, realistic profile, ${new Date().toISOString()} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), load ${os.loadavg()[0].toFixed(1)}`);
console.log('processes | started in (cli / engine) | agents PSS | machine memory used | firedrill CPU (node + launcher) | firedrill RSS | scrape | series | stop | left');
for (const row of rows) {
  console.log(
    `${String(row.processes).padStart(9)} | ${(row.startMs / 1000).toFixed(2)} s / ${(row.engineStartMs / 1000).toFixed(2)} s | ${mib(row.agentPss).padStart(10)} | ${mib(row.systemUsed).padStart(19)} | ${row.ownCpu.map((value) => value.toFixed(1)).join(' + ').padStart(11)} % | ${mib(row.firedrillRss).padStart(13)} | ${row.scrapeMs.toFixed(0).padStart(3)} ms | ${String(row.series).padStart(6)} | ${row.stopMs.toFixed(0)} ms | ${row.left}`,
  );
}

// One agent through the launcher at a steady 50 %, its CPU read from /proc like any other.
const launcherScript = /PERL_LAUNCHER = String\.raw`([\s\S]*?)`;/.exec(readFileSync('src/workloads/agent.ts', 'utf8'))[1];
const agent = await dutyCycle('perl', ['-e', launcherScript, '--', '0'], 'spawn\t1\tbench\tbench\tsteady\t50\tsteady\t0\t0\t0\t0\t0\t60\t1\n');
let reference = null;
try {
  execFileSync('stress-ng', ['--version'], { stdio: 'ignore' });
  reference = await dutyCycle('stress-ng', ['--cpu', '1', '--cpu-load', '50', '--timeout', '20', '--quiet']);
} catch {
  // stress-ng is not installed: the agent's figure alone.
}
const largest = rows[rows.length - 1];
if (largest) {
  const smallest = rows[0];
  reportRow({ what: `workload: ${largest.processes} processes started (engine)`, figure: `${(largest.engineStartMs / 1000).toFixed(2)} s`, against: `${smallest.processes}: ${(smallest.engineStartMs / 1000).toFixed(2)} s`, target: '1,000 within 10 s' });
  reportRow({ what: `workload: memory of ${largest.processes} processes (PSS)`, figure: mib(largest.agentPss), against: `${smallest.processes}: ${mib(smallest.agentPss)}`, target: '1,000 within 1.5 GB' });
  reportRow({ what: `workload: firedrill's own CPU with ${largest.processes} (node + launcher)`, figure: `${largest.ownCpu.reduce((sum, value) => sum + value, 0).toFixed(1)} %`, against: `${smallest.processes}: ${smallest.ownCpu.reduce((sum, value) => sum + value, 0).toFixed(1)} %`, target: 'under 5 %' });
  reportRow({ what: `workload: /metrics scrape of ${largest.processes} processes`, figure: `${largest.scrapeMs.toFixed(0)} ms`, against: `${smallest.processes}: ${smallest.scrapeMs.toFixed(0)} ms`, target: '200 ms at 1,000' });
}
if (reference !== null) reportRow({ what: 'workload agent duty cycle, 50 % asked', figure: `${agent.toFixed(1)} %`, against: `stress-ng --cpu-load 50: ${reference.toFixed(1)} %` });
console.log(`duty cycle at 50 %: perl agent ${agent.toFixed(1)} %${reference === null ? '' : `, stress-ng --cpu-load 50 ${reference.toFixed(1)} % (ratio ${(agent / reference).toFixed(2)})`}`);
