import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, waitFor } from '../helpers/cli.js';
import { descendantsOf, isAlive } from '../helpers/procs.js';
import { TMUX_MISSING, TmuxConsole } from '../helpers/tmux.js';

// The built console in a real terminal (tmux), driven with keys as a person would.

let workDir: string;
let tmux: TmuxConsole | undefined;

beforeEach(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-e2e-'));
  writeFileSync(
    path.join(workDir, 'config.yaml'),
    ['drills:', '  duration: 2', '  process_spawn:', '    count: 5', '  cpu_spike:', '    duration: 30', 'monitor:', '  settle_timeout_seconds: 3', ''].join('\n'),
  );
});

afterEach(() => {
  tmux?.close();
  tmux = undefined;
  rmSync(workDir, { recursive: true, force: true });
});

function openConsole(config = path.join(workDir, 'config.yaml')): TmuxConsole {
  const term = new TmuxConsole(`${process.execPath} ${CLI} --config ${config} --data-dir ${path.join(workDir, 'data')}`, {
    TMPDIR: workDir,
  });
  tmux = term;
  return term;
}

/** firedrill's node process inside the pane (a child of the pane's shell). */
function firedrillPid(term: TmuxConsole): number {
  const pid = descendantsOf(term.panePid()).find(isAlive);
  if (pid === undefined) throw new Error('firedrill is not running in the pane');
  return pid;
}

describe.skipIf(TMUX_MISSING !== null)(`the console in a real terminal${TMUX_MISSING ? ` (skipped: ${TMUX_MISSING})` : ''}`, () => {
  it('runs process_spawn from the picker, shows gauges and the verdict, and quits with q', async () => {
    const term = openConsole();
    await term.waitFor('Local event drills');
    await term.keys('Enter');
    await term.waitFor('Run all five');
    // Run all five, cpu_spike, memory_pressure, disk_fill, service_restart, process_spawn: the
    // six keys in one send-keys, as a fast typist or a clicker sends them (issue 8, item 3).
    await term.burst('Down', 'Down', 'Down', 'Down', 'Down', 'Enter');
    const running = await term.waitFor((screen) => screen.includes('process_spawn') && /MEM\s+[█░]+/.test(screen));
    expect(running).toMatch(/CPU\s+[█░]+\s+\d+\.\d %/);
    expect(running).toMatch(/DISK\s+[█░]+\s+\d+\.\d %/);
    const finished = await term.waitFor('Summary:', 60_000);
    expect(finished).toMatch(/✓ process_spawn\s+pass/);
    expect(finished).toContain('Summary: 1 total, 1 passed, 0 failed');
    // q on the run screen, q on the picker, Down Down on the home menu: one burst, each key on
    // the screen it was meant for.
    await term.burst('q', 'q', 'Down', 'Down');
    const home = await term.waitFor((screen) => /› History/.test(screen));
    expect(home).toContain('firedrill · incident fire drills');
    await term.keys('q');
    await term.waitFor('[exited 0]');
  });

  it('Ctrl-C in the middle of cpu_spike ends every worker and exits', async () => {
    const term = openConsole();
    await term.waitFor('Local event drills');
    await term.keys('Enter');
    await term.waitFor('Run all five');
    await term.keys('Down', 'Enter');
    await term.waitFor((screen) => /▶ cpu_spike\s+running/.test(screen));
    const pid = firedrillPid(term);
    const workers = await waitFor(() => {
      const found = descendantsOf(pid);
      return found.length >= os.availableParallelism() ? found : undefined;
    }, 10_000, 'the busy workers');
    await term.keys('C-c');
    await term.waitFor('[exited', 5_000);
    await waitFor(() => workers.every((worker) => !isAlive(worker)), 2_000, 'every worker to end');
    expect(workers.filter(isAlive)).toEqual([]);
  });

  it('a bad config file: the home menu it drew first is cleared, the error names the file and the key, exit 2', async () => {
    const bad = path.join(workDir, 'bad.yaml');
    writeFileSync(bad, 'drills:\n  duration: soon\n');
    const term = openConsole(bad);
    const screen = await term.waitFor('[exited');
    expect(screen).toContain('[exited 2]');
    expect(screen).toContain(bad);
    expect(screen).toContain('drills.duration');
    expect(screen).not.toContain('Local event drills');
  });
});
