// How a simulated process could be made, measured: 200 idle processes of each candidate, their
// memory in all (PSS, from smaps_rollup), the time to start them and the name `ps` shows. The
// workloads use the perl launcher (src/workloads/agent.ts); this is why. Run under /work/bin/heavy:
//   node bench/workload-candidates.mjs [count]
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { reportRow } from './rows.mjs';

const COUNT = Number(process.argv[2] ?? 200);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const launcher = /PERL_LAUNCHER = String\.raw`([\s\S]*?)`;/.exec(readFileSync('src/workloads/agent.ts', 'utf8'))[1];
const agentFields = ['nginx: worker process', 'nginx', 'steady', '0', 'steady', '0', '0', '0', '0', '0', '60', '1'];
const pdeathsig = (command) => ['/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', ...command]];

function pss(pid) {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))[1]) * 1024;
  } catch {
    return 0;
  }
}
function descendantsOf(root) {
  const parents = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const found = [];
  const queue = [root];
  while (queue.length > 0) {
    const current = queue.shift();
    for (const [pid, parent] of parents) if (parent === current) found.push(pid), queue.push(pid);
  }
  return found;
}
const names = (pid) => ({
  comm: readFileSync(`/proc/${pid}/comm`, 'utf8').trim(),
  args: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ').slice(0, 40),
});

/** One child of this process per simulated process. */
async function spawned(label, command) {
  const started = performance.now();
  const children = await Promise.all(
    Array.from({ length: COUNT }, () => {
      const [file, args] = command();
      const child = spawn(file, args, { stdio: ['pipe', 'ignore', 'ignore'] });
      return new Promise((resolve) => child.once('spawn', () => resolve(child)));
    }),
  );
  const startMs = performance.now() - started;
  await sleep(2000);
  const pids = children.flatMap((child) => [child.pid, ...descendantsOf(child.pid)]);
  const row = { label, processes: pids.length, startMs, pss: pids.reduce((sum, pid) => sum + pss(pid), 0), ...names(children[0].pid) };
  for (const child of children) child.kill('SIGKILL');
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone with its parent
    }
  }
  return row;
}

/** One perl launcher forking every simulated process (what the workloads do). */
async function forked() {
  const started = performance.now();
  const child = spawn('perl', ['-e', launcher, '--', '157'], { stdio: ['pipe', 'pipe', 'ignore'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
  for (let id = 1; id <= COUNT; id++) child.stdin.write(`spawn\t${id}\t${agentFields.join('\t')}\n`);
  while ((output.match(/^started /gm) ?? []).length < COUNT) await sleep(5);
  const startMs = performance.now() - started;
  await sleep(2000);
  const pids = descendantsOf(child.pid);
  const row = { label: 'perl launcher, forked agents', processes: pids.length, startMs, pss: pids.reduce((sum, pid) => sum + pss(pid), 0), ...names(pids[0]) };
  child.kill('SIGKILL');
  return row;
}

const rows = [
  await spawned('sleep (exec -a NAME)', () => pdeathsig(['sleep', '1000'])),
  await spawned('sh loop on stdin', () => pdeathsig(['sh', '-c', 'while read l; do :; done'])),
  await spawned('perl -e agent, one spawn each', () => pdeathsig(['perl', '-e', launcher.replace(/my \$prctl[\s\S]*$/, 'become(@ARGV); agent();'), '--', ...agentFields])),
  await forked(),
  await spawned('stress-ng --cpu-load 1', () => pdeathsig(['stress-ng', '--cpu', '1', '--cpu-load', '1', '-t', '1000', '-q'])),
];
console.log(`${COUNT} idle processes of each, ${new Date().toISOString()}`);
console.log('candidate                       | processes | PSS each  | start each | comm            | args');
for (const row of rows) {
  console.log(
    `${row.label.padEnd(31)} | ${String(row.processes).padStart(9)} | ${((row.pss / COUNT) / 2 ** 20).toFixed(2).padStart(5)} MiB | ${(row.startMs / COUNT).toFixed(2).padStart(7)} ms | ${row.comm.padEnd(15)} | ${row.args}`,
  );
}
const chosen = rows.find((row) => row.label.startsWith('perl launcher'));
const spawnEach = rows.find((row) => row.label.startsWith('perl -e'));
reportRow({ what: 'workload agent, forked by the launcher: PSS and start each', figure: `${(chosen.pss / COUNT / 2 ** 20).toFixed(2)} MiB, ${(chosen.startMs / COUNT).toFixed(2)} ms`, against: `a perl spawned from Node each: ${(spawnEach.pss / COUNT / 2 ** 20).toFixed(2)} MiB, ${(spawnEach.startMs / COUNT).toFixed(2)} ms` });
