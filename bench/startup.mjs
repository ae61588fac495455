// Time from process start to the console's first frame, side by side with a bare `node` printing
// one line, measured the same two ways: in a pseudo-terminal (util-linux `script`, the output read
// as it comes) and in tmux (the pane read with capture-pane every 2 ms, as a person's terminal
// shows it). Runs are interleaved, so that load from elsewhere hits both alike: compare the ratio.
// Targets: first frame under 300 ms (issue 2); at most 2.5x bare node in tmux (issue 8, item 30).
// FIREDRILL_BIN=path/to/firedrill.js measures another build (e.g. main's) the same way.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { median, startInPty, stripAnsi } from './pty.mjs';
import { reportRow } from './rows.mjs';

const RUNS = Number(process.env.RUNS ?? 10);
const BIN = process.env.FIREDRILL_BIN ?? 'dist/firedrill.js';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-startup-'));
const BARE = { command: `${process.execPath} -e "console.log('ready')"`, text: 'ready' };
const CONSOLE = { command: `${process.execPath} ${BIN} --data-dir ${dataDir}`, text: 'Local event drills' };

async function inPty({ command, text }) {
  const started = performance.now();
  const pty = startInPty(command);
  await pty.waitFor(text);
  const elapsed = performance.now() - started;
  await pty.stop();
  return elapsed;
}

// One tmux server for the whole bench, on its own socket; each run in a new window.
const socket = `firedrill-bench-${process.pid}`;
const tmux = (...args) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const tmuxAsync = promisify(execFile);
tmux('new-session', '-d', '-s', 'bench', '-x', '120', '-y', '40', 'sleep 3600');
let windows = 0;

async function inTmux({ command, text }) {
  const window = `run${(windows += 1)}`;
  const started = performance.now();
  tmux('new-window', '-d', '-n', window, `env CI=false TERM=xterm-256color ${command}; sleep 30`);
  for (;;) {
    const { stdout } = await tmuxAsync('tmux', ['-L', socket, 'capture-pane', '-p', '-t', window]);
    if (stripAnsi(stdout).includes(text)) break;
    if (performance.now() - started > 15_000) throw new Error(`tmux: timed out waiting for "${text}"`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const elapsed = performance.now() - started;
  tmux('kill-window', '-t', window);
  return elapsed;
}

const times = { ptyBare: [], ptyConsole: [], tmuxBare: [], tmuxConsole: [] };
try {
  for (let run = 0; run < RUNS; run += 1) {
    times.ptyBare.push(await inPty(BARE));
    times.ptyConsole.push(await inPty(CONSOLE));
    times.tmuxBare.push(await inTmux(BARE));
    times.tmuxConsole.push(await inTmux(CONSOLE));
  }
} finally {
  tmux('kill-server');
  rmSync(dataDir, { recursive: true, force: true });
}

const ms = (values) => `${median(values).toFixed(0)} ms`.padStart(7);
const ratio = (console, bare) => `${(median(console) / median(bare)).toFixed(2)}x`;
process.stdout.write(
  [
    `first frame of the console, median of ${RUNS} (${BIN})`,
    `                 console   bare node   ratio`,
    `  pty            ${ms(times.ptyConsole)}   ${ms(times.ptyBare)}     ${ratio(times.ptyConsole, times.ptyBare)}   (target 300 ms)`,
    `  tmux           ${ms(times.tmuxConsole)}   ${ms(times.tmuxBare)}     ${ratio(times.tmuxConsole, times.tmuxBare)}   (target <= 2.5x)`,
    '',
  ].join('\n'),
);
reportRow({
  what: `console first frame in tmux, process start to the home menu (median of ${RUNS})`,
  figure: `${median(times.tmuxConsole).toFixed(0)} ms (${ratio(times.tmuxConsole, times.tmuxBare)}); in a pty ${median(times.ptyConsole).toFixed(0)} ms`,
  against: `bare \`node\` printing one line, same way: ${median(times.tmuxBare).toFixed(0)} ms in tmux, ${median(times.ptyBare).toFixed(0)} ms in a pty`,
  target: '<= 2.5x; 300 ms',
});
