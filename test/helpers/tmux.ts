import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';

/**
 * Why the tmux tests cannot run on this machine, or null. They are skipped with this reason (as
 * the Prometheus tests are without Prometheus) rather than failing: `npm test` installs tmux when
 * it may (scripts/test-setup.sh) and CI always does.
 */
export const TMUX_MISSING: string | null = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'tmux is not installed';
  }
})();

/**
 * Drives the built console in a real terminal (tmux), as a person would: keys one at a time,
 * the screen read back with capture-pane. Each instance has its own tmux server socket, so
 * ending it never touches anyone else's tmux.
 */
export class TmuxConsole {
  readonly socket = `firedrill-test-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  readonly session = 'console';

  constructor(command: string, env: Record<string, string>, { columns = 120, rows = 40 } = {}) {
    const exports = Object.entries({ CI: 'false', TERM: 'xterm-256color', ...env })
      .map(([key, value]) => `${key}=${shellQuote(value)}`)
      .join(' ');
    this.tmux('new-session', '-d', '-s', this.session, '-x', String(columns), '-y', String(rows), `env ${exports} ${command}; echo "[exited $?]"; sleep 600`);
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.session);
  }

  /** One key at a time, with a short pause: keys in one chunk act on stale state. */
  async keys(...keys: string[]): Promise<void> {
    // A screen that just appeared subscribes to keys in an effect, after its first frame.
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const key of keys) {
      this.tmux('send-keys', '-t', this.session, key);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  /** Keys in one `send-keys`: they reach the program together, as one chunk of input. */
  async burst(...keys: string[]): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 200));
    this.tmux('send-keys', '-t', this.session, ...keys);
  }

  async waitFor(text: string | ((screen: string) => boolean), timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (typeof text === 'string' ? screen.includes(text) : text(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The pid of the program running in the pane (firedrill itself, once `env` exec'd it). */
  panePid(): number {
    return Number(this.tmux('display-message', '-p', '-t', this.session, '#{pane_pid}').trim());
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
    // tmux leaves its socket file behind when the server is killed: a test leaves nothing.
    rmSync(path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, this.socket), { force: true });
  }
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
