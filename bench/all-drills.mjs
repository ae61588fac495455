// All five drills end to end, as cron runs them: `firedrill run --duration 5 --yes` with the
// default sizes (memory_pressure allocates 30 % of the available memory, disk_fill writes 1 GiB),
// timed from the spawn of the built CLI to its exit. Measured against the drills' own hold time
// (5 x 5 s) and the original mythos-test's fixed wait of 65 s after each test (computed, as the
// original cannot run here). Loads the machine for about a minute. Run: node bench/all-drills.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reportRow } from './rows.mjs';

const HOLD_S = 5;
const ORIGINAL_WAIT_S = 65;

const home = mkdtempSync(path.join(os.tmpdir(), 'firedrill-all-drills-'));
try {
  const started = performance.now();
  const child = spawn(process.execPath, [process.env.FIREDRILL_CLI ?? 'dist/firedrill.js', 'run', '--duration', String(HOLD_S), '--yes', '--json'], {
    // No user config (the default sizes); the disk_fill file in the scratch dir.
    env: { ...process.env, XDG_CONFIG_HOME: path.join(home, 'config'), FIREDRILL_DATA_DIR: path.join(home, 'data'), TMPDIR: home },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  const code = await new Promise((resolve) => child.once('close', resolve));
  const wallS = (performance.now() - started) / 1000;
  const report = JSON.parse(stdout);
  const seconds = (result) => (Date.parse(result.completedAt) - Date.parse(result.startedAt)) / 1000;
  console.log(`firedrill run --duration ${HOLD_S} --yes, default sizes: exit ${code}, ${wallS.toFixed(1)} s from spawn to exit`);
  for (const result of report.results) {
    console.log(`  ${result.test.padEnd(16)} ${seconds(result).toFixed(1).padStart(5)} s  ${result.success ? 'pass' : 'FAIL'}  ${result.summary}`);
  }
  const allocating = report.results.find((result) => result.test === 'memory_pressure')?.measured.allocationMs;
  const holds = report.results.length * HOLD_S;
  const original = report.results.length * (HOLD_S + ORIGINAL_WAIT_S);
  console.log(`holds ${holds} s; the original's fixed waits would make it ${original} s; load average ${os.loadavg().map((value) => value.toFixed(2)).join(' ')}`);
  reportRow({
    what: `all five drills, \`firedrill run --duration ${HOLD_S} --yes\`, default sizes, spawn to exit`,
    figure: `${wallS.toFixed(0)} s (${report.summary.passed}/${report.summary.total} passed)${allocating ? `, of which ${(allocating / 1000).toFixed(0)} s allocating memory` : ''}`,
    against: `the drills' own holds: ${holds} s; the original's fixed 65 s waits: ${original} s (computed)`,
    target: 'about a minute',
  });
  if (code !== 0) process.exitCode = 1;
} finally {
  rmSync(home, { recursive: true, force: true });
}
