// Time from process start to the console's first frame, in a real pseudo-terminal.
// Target (issue 2): under 300 ms on the project's 2-core machine.
import { performance } from 'node:perf_hooks';
import { median, startInPty } from './pty.mjs';

const RUNS = Number(process.env.RUNS ?? 10);

async function timeToText(command, text) {
  const started = performance.now();
  const pty = startInPty(command);
  await pty.waitFor(text);
  const elapsed = performance.now() - started;
  await pty.stop();
  return elapsed;
}

const baseline = [];
const console = [];
for (let run = 0; run < RUNS; run += 1) {
  baseline.push(await timeToText(`${process.execPath} -e "console.log('ready')"`, 'ready'));
  console.push(await timeToText(`${process.execPath} dist/firedrill.js`, 'Local event drills'));
}
const consoleMs = median(console);
const baselineMs = median(baseline);
process.stdout.write(
  [
    `first frame of the console (median of ${RUNS}, pty included): ${consoleMs.toFixed(0)} ms  (target 300 ms)`,
    `bare node printing one line, same pty:                ${baselineMs.toFixed(0)} ms`,
    `firedrill's own share:                                ${(consoleMs - baselineMs).toFixed(0)} ms  (ratio ${(consoleMs / baselineMs).toFixed(2)}x bare node)`,
    '',
  ].join('\n'),
);
