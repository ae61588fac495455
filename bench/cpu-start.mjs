// From the command's start to 80 % CPU: `firedrill run --only cpu_spike` (the built CLI, as a user
// or cron starts it) side by side with `stress-ng --cpu 0`, each spawned the same way. Two clocks:
//   machine: the whole machine's CPU from /proc/stat in 100 ms windows from the spawn (the measure
//            issue 8 used), first window >= 80 %. Only meaningful on a quiet machine: with other
//            load it is already there before either command does anything.
//   load on: the command's load processes (strict descendants) busy, one per core, each seen
//            running or runnable (state R) in two scans 10 ms apart. Other load cannot stand in.
// Rounds alternate who goes first; medians are reported with the load average.
// Target (issue 8, item 28): <= 0.5 s for firedrill. Needs stress-ng and npm run build
// (FIREDRILL_CLI=path/to/firedrill.js measures another build, such as an older one).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reportRow } from './rows.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const THRESHOLD = 80;
const HOLD_S = 2;
const CORES = os.availableParallelism();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function cpuTimes() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: fields[3] + (fields[4] ?? 0), total: fields.reduce((sum, value) => sum + value, 0) };
}

/** pid -> { ppid, state } for every process now. */
function processTable() {
  const table = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(name), { state: fields[0], ppid: Number(fields[1]) });
    } catch {
      // Ended while we looked.
    }
  }
  return table;
}

/** The strict descendants of `root` that are running or runnable. */
function busyDescendants(root) {
  const table = processTable();
  const busy = new Set();
  for (const [pid, { ppid }] of table) {
    for (let parent = ppid; parent > 1; parent = table.get(parent)?.ppid ?? 0) {
      if (parent === root) {
        if (table.get(pid).state === 'R') busy.add(pid);
        break;
      }
    }
  }
  return busy;
}

/** Spawns the command; resolves to both clocks in seconds from the spawn (null: never). */
async function measure(command, args, env) {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  let window = { at: started, times: cpuTimes() };
  const child = spawn(command, args, { stdio: 'ignore', env: { ...process.env, ...env } });
  let ended = false;
  const exited = new Promise((resolve) => child.once('close', resolve)).then(() => (ended = true));
  let machine = null;
  let loadOn = null;
  let busyBefore = new Set();
  while (!ended && (machine === null || loadOn === null)) {
    await sleep(10);
    if (loadOn === null) {
      const busy = busyDescendants(child.pid);
      const steady = [...busy].filter((pid) => busyBefore.has(pid));
      if (steady.length >= CORES) loadOn = seconds();
      busyBefore = busy;
    }
    if (machine === null && performance.now() - window.at >= 100) {
      const now = cpuTimes();
      const percent = 100 * (1 - (now.idle - window.times.idle) / Math.max(1, now.total - window.times.total));
      window = { at: performance.now(), times: now };
      if (percent >= THRESHOLD) machine = seconds();
    }
  }
  await exited;
  return { machine, loadOn };
}

const median = (values) => {
  const known = values.filter((value) => value !== null).sort((a, b) => a - b);
  return known.length === 0 ? null : known[Math.floor(known.length / 2)];
};
const fmt = (value) => (value === null ? 'never' : `${value.toFixed(2)} s`);

const home = mkdtempSync(path.join(os.tmpdir(), 'firedrill-cpu-start-'));
try {
  // No user config: the defaults, as on a fresh machine.
  const env = { XDG_CONFIG_HOME: path.join(home, 'config'), FIREDRILL_DATA_DIR: path.join(home, 'data'), NO_COLOR: '1' };
  const sides = {
    firedrill: { run: [process.execPath, [process.env.FIREDRILL_CLI ?? 'dist/firedrill.js', 'run', '--only', 'cpu_spike', '--duration', String(HOLD_S)], env], results: [] },
    'stress-ng': { run: ['stress-ng', ['--cpu', '0', '--timeout', `${HOLD_S}s`, '--quiet'], {}], results: [] },
  };
  const loads = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 === 0 ? ['firedrill', 'stress-ng'] : ['stress-ng', 'firedrill'];
    for (const name of order) {
      // Each command starts on a machine its predecessor no longer loads.
      await sleep(1500);
      loads.push(os.loadavg()[0]);
      sides[name].results.push(await measure(...sides[name].run));
    }
  }
  const clock = (name, key) => median(sides[name].results.map((result) => result[key]));
  console.log(`command start to ${THRESHOLD} % CPU, ${ROUNDS} rounds, ${CORES} cores, 1-min load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`);
  for (const name of Object.keys(sides)) {
    const rounds = sides[name].results.map((result) => `${fmt(result.loadOn)}/${fmt(result.machine)}`).join(', ');
    console.log(`  ${name.padEnd(10)} load on ${fmt(clock(name, 'loadOn'))}, machine ${fmt(clock(name, 'machine'))}  (load on/machine per round: ${rounds})`);
  }
  reportRow({
    what: `command start to the load on every core, \`firedrill run --only cpu_spike\` (median of ${ROUNDS}; whole-machine 80 % clock in brackets)`,
    figure: `${fmt(clock('firedrill', 'loadOn'))} (${fmt(clock('firedrill', 'machine'))})`,
    against: `\`stress-ng --cpu 0\` started the same way: ${fmt(clock('stress-ng', 'loadOn'))} (${fmt(clock('stress-ng', 'machine'))}); load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`,
    target: '<= 0.5 s',
  });
} finally {
  rmSync(home, { recursive: true, force: true });
}
