// Runs a command in a real pseudo-terminal (util-linux `script`), as a person's terminal would.
import { spawn } from 'node:child_process';

/** Starts `command` in a pty; `output()` is everything it printed so far (ANSI included). */
export function startInPty(command, { env = {}, columns = 120, rows = 40 } = {}) {
  const child = spawn('script', ['-qfec', `stty cols ${columns} rows ${rows}; exec ${command}`, '/dev/null'], {
    env: { ...process.env, CI: 'false', TERM: 'xterm-256color', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters = new Set();
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    output += chunk;
    for (const waiter of waiters) waiter();
  });
  return {
    child,
    output: () => output,
    write: (data) => child.stdin.write(data),
    /** Resolves when the output contains `text` (after ANSI codes are removed). */
    waitFor(text, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (stripAnsi(output).includes(text)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for "${text}"`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop() {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('close', resolve);
        child.kill('SIGTERM');
      });
    },
  };
}

export function stripAnsi(text) {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001B\[[0-9;?]*[ -/]*[@-~]|\u001B[()][A-Z0-9]|\u001B[=>]/g, '');
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
