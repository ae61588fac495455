import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { openHistory } from '../../src/history/open-history.js';
import { resolvePaths } from '../../src/paths.js';
import { HOME_ENTRIES } from '../../src/ui/screens/HomeScreen.js';
import { CLI, waitFor } from '../helpers/cli.js';
import { descendantsOf, isAlive } from '../helpers/procs.js';
import { TmuxConsole } from '../helpers/tmux.js';

// The Workloads screens of the built console in a real terminal: the process panel of a running
// workload, a chaos trigger from a key, and its effect on the panel, the figures and the timeline.

let workDir: string;
let tmux: TmuxConsole | undefined;

beforeEach(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-e2e-workloads-'));
  mkdirSync(path.join(workDir, 'workloads'));
  writeFileSync(
    path.join(workDir, 'workloads', 'shop.yaml'),
    `id: shop
title: A small shop
description: Web workers, app workers, a cache.
processes: 12
kinds:
  - { id: web, name: "nginx: worker process", priority: high, count: 4, memory: { pattern: steady, mb: 2 }, restart: always, restart_delay_seconds: 0 }
  - { id: app, name: "gunicorn: worker [shop.wsgi]", priority: medium, count: 6 }
  - { id: cache, name: "redis-server *:6379", priority: critical, count: 2, memory: { pattern: steady, mb: 8 } }
`,
  );
});

afterEach(() => {
  tmux?.close();
  tmux = undefined;
  rmSync(workDir, { recursive: true, force: true });
});

/** Rows of the process panel showing an nginx worker above 20 % of a core. */
function busyWebRows(screen: string): number {
  return screen.split('\n').filter((line) => {
    const match = /^\s*\d+ nginx: worker process\s+high\s+\S+\s+(\d+\.\d)\s/.exec(line);
    return match !== null && Number(match[1]) > 20;
  }).length;
}

describe('the Workloads console in a real terminal', () => {
  it('shows the processes like btop, spikes the selected kind with c, and ends them all on q', async () => {
    const term = new TmuxConsole(`${process.execPath} ${CLI} --data-dir ${path.join(workDir, 'data')}`, { FIREDRILL_WORKLOADS_DIR: path.join(workDir, 'workloads') }, { columns: 110, rows: 36 });
    tmux = term;
    await term.waitFor('Local event drills');
    // Down to Workloads, wherever the home menu lists it by now.
    const downs = HOME_ENTRIES.findIndex((entry) => entry.label === 'Workloads');
    await term.keys(...Array.from({ length: downs }, () => 'Down'), 'Enter');
    await term.waitFor('A small shop');
    await term.keys('Enter');
    // Sorted by CPU then memory: the caches come first while nothing is busy; the first row is selected.
    const running = await term.waitFor((screen) => /processes 12\s/.test(screen) && screen.includes('redis-server *:6379'));
    expect(running).toMatch(/PID NAME\s+PRIORITY CPU\/MEM PATTERN\s+CPU%\s+RSS/);
    expect(running).toMatch(/\d+ nginx: worker process\s+high\s+steady\/steady/);
    expect(running).toMatch(/c CPU spike · m leak · x kill · b churn burst/);

    const firedrill = descendantsOf(term.panePid()).find(isAlive)!;
    const agents = await waitFor(() => {
      const found = descendantsOf(firedrill);
      return found.length >= 13 ? found : undefined;
    }, 5000, 'the launcher and its 12 processes');

    // Select the first nginx worker (below the two caches), then c: a CPU spike on its kind.
    await term.keys('Down', 'Down', 'c');
    // The web workers lead the table, busy, and the workload's CPU figure has risen with them.
    const spiked = await term.waitFor((screen) => screen.includes('chaos: CPU spike: 4 web process(es) at 90 % of a core') && busyWebRows(screen) >= 2, 15_000);
    expect(spiked).toMatch(/CPU [1-9]\d*\.\d %/);

    // x: a random process of the selected one's priority is killed, reported and restarted.
    await term.keys('x');
    await term.waitFor((screen) => /killed by SIGKILL \(chaos\), restarting/.test(screen) && /restarted nginx: worker process as \d+/.test(screen), 10_000);

    // s: stop; the figures become the run's (peaks, left behind), then q goes back to the picker.
    await term.keys('s');
    const ended = await term.waitFor('Ended (stopped by the user): every process is gone.', 10_000);
    expect(ended).toMatch(/left behind 0/);
    expect(ended).toMatch(/peak PSS \d/);
    expect(agents.filter(isAlive)).toEqual([]);
    await term.keys('q');
    await term.waitFor('firedrill · process workloads');
    await term.keys('C-c');
    await term.waitFor('[exited 0]', 5000);

    // The console kept the workload in history, as the command and serve do.
    const paths = resolvePaths({ dataDir: path.join(workDir, 'data') });
    const history = await openHistory({ paths, config: loadConfig(paths.configFile), env: {} });
    try {
      expect(await history.listSessions({ kind: 'workload', limit: 5 })).toEqual([expect.objectContaining({ kind: 'workload', subject: 'shop', status: 'stopped' })]);
    } finally {
      await history.close();
    }
  });
});
