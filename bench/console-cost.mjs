// The console's own cost while it shows the run screen's live gauges: share of one core and RSS
// of the firedrill process itself (its drill children excluded), read from /proc.
// Targets (issue 2): at most 3 % of a core and 150 MB RSS.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startInPty } from './pty.mjs';
import { reportRow } from './rows.mjs';

const SECONDS = Number(process.env.SECONDS_MEASURED ?? 20);
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

function childOf(parent) {
  const children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return Number(children[0]);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-bench-'));
// process_spawn holds sleeping children: the machine stays quiet, so what is measured is the
// console drawing gauges, sampling once a second and running the drill's bookkeeping.
writeFileSync(path.join(dir, 'config.yaml'), `drills:\n  process_spawn:\n    duration: ${SECONDS + 20}\n    count: 5\n`);
const pty = startInPty(`${process.execPath} dist/firedrill.js --config ${dir}/config.yaml --data-dir ${dir}/data`, { env: { TMPDIR: dir } });
try {
  await pty.waitFor('Local event drills');
  // Keys one at a time, after the screen has subscribed to them.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const keys = ['\r', '\u001B[B', '\u001B[B', '\u001B[B', '\u001B[B', '\u001B[B', '\r'];
  for (const key of keys) {
    pty.write(key);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  await pty.waitFor('running');
  // script -> firedrill (node)
  const pid = childOf(pty.child.pid);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const ticksBefore = cpuTicks(pid);
  const started = Date.now();
  let rssPeak = 0;
  while (Date.now() - started < SECONDS * 1000) {
    rssPeak = Math.max(rssPeak, rssBytes(pid));
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const seconds = (Date.now() - started) / 1000;
  const share = (cpuTicks(pid) - ticksBefore) / TICKS_PER_SECOND / seconds;
  process.stdout.write(
    [
      `console on the run screen for ${seconds.toFixed(0)} s (gauges live, one drill running):`,
      `  CPU: ${(share * 100).toFixed(2)} % of one core   (target <= 3 %, ratio ${(share / 0.03).toFixed(2)} of target)`,
      `  RSS peak: ${(rssPeak / 2 ** 20).toFixed(0)} MB      (target <= 150 MB, ratio ${(rssPeak / (150 * 2 ** 20)).toFixed(2)} of target)`,
      '',
    ].join('\n'),
  );
  reportRow({
    what: 'console on the run screen, gauges live, one drill running',
    figure: `${(share * 100).toFixed(2)} % of one core, ${(rssPeak / 2 ** 20).toFixed(0)} MB RSS peak`,
    against: `its own targets (3 %, 150 MB), over ${seconds.toFixed(0)} s`,
    target: '3 %, 150 MB',
  });
} finally {
  await pty.stop();
  rmSync(dir, { recursive: true, force: true });
}
