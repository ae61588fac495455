// firedrill's local drills side by side with stress-ng / dd on this machine, in one run:
//   CPU: utilisation reached and time to 80 %, cpu_spike vs `stress-ng --cpu 0`
//   memory: allocation rate (time from the allocating process's start until anonymous memory rose
//           by 0.9 GiB), memory_pressure 1 GiB vs `stress-ng --vm 1 --vm-bytes 1G`; the drill's
//           baseline reading before it allocates is not counted (stress-ng takes none)
//   disk: write rate of 512 MiB made durable, disk_fill vs `dd bs=1M count=512 conv=fsync`
// Both sides are measured by this script the same way, from /proc/stat and /proc/meminfo.
// Figures swing with other work on the machine (disk writes by 3x): memory and disk run in
// alternating pairs, and the ratio reported is the median of each pair's ratio, with the best of
// each side beside it. The load average is printed with them.
// Needs stress-ng (apt-get install -y stress-ng). Run: node bench/drills-vs-stress-ng.mjs
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { register } from 'tsx/esm/api';
import { reportRow } from './rows.mjs';

register();
const { createDrills } = await import('../src/drills/registry.ts');
const { defaultConfig } = await import('../src/config/config.ts');
const { resolvePaths } = await import('../src/paths.ts');
const { readCpuTimes, cpuPercentBetween, readMemory } = await import('../src/drills/proc.ts');

if (spawnSync('stress-ng', ['--version']).status !== 0) {
  console.error('stress-ng is not installed: apt-get install -y stress-ng');
  process.exit(1);
}

const CPU_SECONDS = 5;
const THRESHOLD = 80;
const MEM_BYTES = 1024 ** 3;
const MEM_RISE = 0.9 * MEM_BYTES;
const DISK_MB = 512;
const ROUNDS = 5;
const DISK_ROUNDS = 8;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const scratch = await mkdtemp(path.join(os.tmpdir(), 'firedrill-bench-'));
const paths = resolvePaths({ dataDir: path.join(scratch, 'data') });
const context = (durationMs) => ({ signal: new AbortController().signal, durationMs, progress: () => {}, reportEvent: () => {} });

/** Samples whole-machine CPU every 100 ms while `work` runs: steady mean (after the first second) and time to threshold. */
async function measureCpu(work) {
  let previous = await readCpuTimes();
  const startedAt = Date.now();
  let done = false;
  let toThreshold = null;
  const steady = [];
  const sampler = (async () => {
    while (!done) {
      await sleep(100);
      const now = await readCpuTimes();
      const percent = cpuPercentBetween(previous, now);
      previous = now;
      const elapsed = Date.now() - startedAt;
      if (toThreshold === null && percent >= THRESHOLD) toThreshold = elapsed / 1000;
      if (elapsed > 1000 && elapsed < CPU_SECONDS * 1000) steady.push(percent);
    }
  })();
  await work();
  done = true;
  await sampler;
  return { mean: steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length), toThreshold };
}

/**
 * Time from start until the machine's anonymous memory (AnonPages) rose by MEM_RISE, sampled every
 * 10 ms. AnonPages rather than MemAvailable: the latter lags by 100 MB and more on this kernel.
 */
async function measureMemRise(start) {
  let baseline = (await readMemory()).anonBytes;
  let startedAt = Date.now();
  // The drill says when its allocating process starts: the clock (and the baseline) start there.
  const finished = start(async () => {
    baseline = (await readMemory()).anonBytes;
    startedAt = Date.now();
  });
  let riseMs = null;
  while (Date.now() - startedAt < 30_000) {
    if ((await readMemory()).anonBytes - baseline >= MEM_RISE) {
      riseMs = Date.now() - startedAt;
      break;
    }
    await sleep(10);
  }
  await finished.stop();
  return riseMs;
}

function run(command, args) {
  const child = spawn(command, args, { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { child, exited };
}

try {
  const config = defaultConfig().drills;
  config.cpu_spike.threshold_percent = THRESHOLD;
  config.memory_pressure.size_mb = MEM_BYTES / 1024 ** 2;
  config.disk_fill.size_mb = DISK_MB;
  config.disk_fill.directory = scratch;
  const drills = createDrills(config, paths);

  // CPU
  let drillCpu;
  const cpuDrill = await measureCpu(async () => {
    drillCpu = await drills.cpu_spike.run(context(CPU_SECONDS * 1000));
  });
  await sleep(1500);
  const cpuStress = await measureCpu(async () => {
    await run('stress-ng', ['--cpu', '0', '--timeout', `${CPU_SECONDS}s`, '--quiet']).exited;
  });
  await sleep(1500);

  // Memory: rounds of one pair each, who goes first alternating.
  let drillMem;
  const memDrill = [];
  const memStress = [];
  const diskDrill = [];
  const diskDd = [];
  const measureDrillMem = () =>
    measureMemRise((onAllocating) => {
      const progress = (message) => {
        if (message.startsWith('allocating ')) void onAllocating();
      };
      const outcome = drills.memory_pressure.run({ ...context(300), progress }).then((result) => (drillMem = result));
      return { stop: () => outcome };
    });
  const measureStressMem = () =>
    measureMemRise(() => {
        const { child, exited } = run('stress-ng', ['--vm', '1', '--vm-bytes', '1G', '--vm-keep', '--timeout', '20s', '--quiet']);
        return {
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        };
      });
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [measure, into] of round % 2 === 0 ? [[measureDrillMem, memDrill], [measureStressMem, memStress]] : [[measureStressMem, memStress], [measureDrillMem, memDrill]]) {
      into.push(await measure());
      await sleep(1500);
    }
  }

  // Disk: alternate who writes first, so that neither always inherits the other's writeback.
  const writeDrill = async () => {
    const outcome = await drills.disk_fill.run(context(0));
    if (!outcome.success) throw new Error(`disk_fill failed: ${outcome.summary}`);
    diskDrill.push(outcome.measured.writeMs);
  };
  const writeDd = async () => {
    const ddFile = path.join(scratch, 'dd.out');
    const ddStarted = Date.now();
    const dd = spawnSync('dd', ['if=/dev/zero', `of=${ddFile}`, 'bs=1M', `count=${DISK_MB}`, 'conv=fsync'], { stdio: 'ignore' });
    diskDd.push(Date.now() - ddStarted);
    await rm(ddFile, { force: true });
    if (dd.status !== 0) throw new Error('dd failed');
  };
  for (let round = 0; round < DISK_ROUNDS; round += 1) {
    for (const write of round % 2 === 0 ? [writeDrill, writeDd] : [writeDd, writeDrill]) {
      spawnSync('sync');
      await sleep(1000);
      await write();
    }
  }

  const mibPerSecond = (bytes, ms) => (ms ? bytes / 1024 ** 2 / (ms / 1000) : NaN);
  const fmt = (value, digits = 1) => (value === null || Number.isNaN(value) ? 'n/a' : value.toFixed(digits));
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  /** Rates of each side, their best, and the median of the paired ratios (one pair a round). */
  const compare = (bytes, oursMs, theirsMs) => {
    const ours = oursMs.map((ms) => mibPerSecond(bytes, ms));
    const theirs = theirsMs.map((ms) => mibPerSecond(bytes, ms));
    return { ours: Math.max(...ours), theirs: Math.max(...theirs), ratio: median(ours.map((rate, index) => rate / theirs[index])) };
  };
  const memory = compare(MEM_RISE, memDrill, memStress);
  const disk = compare(DISK_MB * 1024 ** 2, diskDrill, diskDd);
  const rows = [
    ['CPU mean utilisation, % (steady)', fmt(cpuDrill.mean), fmt(cpuStress.mean), fmt(cpuDrill.mean / cpuStress.mean, 3)],
    [`CPU time to ${THRESHOLD} %, s`, fmt(cpuDrill.toThreshold, 2), fmt(cpuStress.toThreshold, 2), `${fmt(cpuDrill.toThreshold - cpuStress.toThreshold, 2)} s`],
    [`memory: 0.9 GiB resident, MiB/s (best of ${ROUNDS}; median pair ratio)`, fmt(memory.ours, 0), fmt(memory.theirs, 0), fmt(memory.ratio, 2)],
    [`disk: ${DISK_MB} MiB written + fsync, MiB/s (best of ${DISK_ROUNDS}; median pair ratio)`, fmt(disk.ours, 0), fmt(disk.theirs, 0), fmt(disk.ratio, 2)],
  ];
  console.log(`firedrill drills vs stress-ng 0.15 / dd on ${os.availableParallelism()} cores, ${os.hostname()}`);
  const against = ['`stress-ng --cpu 0`', '`stress-ng --cpu 0`', '`stress-ng --vm 1 --vm-bytes 1G`', '`dd bs=1M conv=fsync`'];
  const targets = ['>= 0.95', 'within 1 s', '>= 0.9x', '>= 0.95x'];
  rows.forEach(([what, ours, theirs, ratio], index) =>
    reportRow({ what: `${what} (drill in-process)`, figure: `${ours} (${ratio})`, against: `${against[index]}: ${theirs}, same run`, target: targets[index] }),
  );
  console.log(['measure'.padEnd(66), 'firedrill'.padStart(10), 'reference'.padStart(10), 'ratio/diff'.padStart(11)].join(' '));
  for (const [name, ours, theirs, ratio] of rows) console.log([name.padEnd(66), ours.padStart(10), theirs.padStart(10), ratio.padStart(11)].join(' '));
  console.log(`memory per round, ms (drill / stress-ng): ${memDrill.map((ms, index) => `${ms}/${memStress[index]}`).join(' ')}`);
  console.log(`disk per round, ms (drill / dd): ${diskDrill.map((ms, index) => `${ms}/${diskDd[index]}`).join(' ')}`);
  console.log(`(drills' own view: cpu_spike ${drillCpu.summary}; memory_pressure ${drillMem.summary}, allocation ${drillMem.measured.allocationMs} ms)`);
  console.log(`targets: CPU utilisation >= 95 % of stress-ng's -> ${cpuDrill.mean / cpuStress.mean >= 0.95 ? 'met' : 'NOT met'}; within 1 s of it to ${THRESHOLD} % -> ${cpuDrill.toThreshold !== null && cpuStress.toThreshold !== null && cpuDrill.toThreshold - cpuStress.toThreshold <= 1 ? 'met' : 'NOT met'}; memory >= 0.9x -> ${memory.ratio >= 0.9 ? 'met' : 'NOT met'}; disk >= 0.95x -> ${disk.ratio >= 0.95 ? 'met' : 'NOT met'}`);
  console.log(`load average at the end: ${os.loadavg().map((value) => value.toFixed(2)).join(' ')} (other work on the machine skews every figure)`);
} finally {
  await rm(scratch, { recursive: true, force: true });
}
