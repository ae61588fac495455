import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readLedger } from '../../src/drills/ledger.js';
import { resolvePaths } from '../../src/paths.js';
import { HOME_ENTRIES } from '../../src/ui/screens/HomeScreen.js';
import { CLI, waitFor } from '../helpers/cli.js';
import { descendantsOf, isAlive } from '../helpers/procs.js';
import { TMUX_MISSING, TmuxConsole } from '../helpers/tmux.js';

let workDir: string | undefined;
let tmux: TmuxConsole | undefined;

afterEach(() => {
  tmux?.close();
  tmux = undefined;
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** The canary, probed, while a disk fill in the temp dir is held for a minute. */
const FILL_FOR_A_MINUTE = `id: fill-a-minute
title: Fill for a minute
description: holds a small temp file for a minute while probing the canary
risk: medium
severity: 2
checklist: { before: [the temp dir is a scratch dir], after: [the temp dir is empty] }
services: [{ id: canary, kind: canary, restart: always }]
probe_interval_seconds: 0.1
steady_state:
  title: the canary answers
  baseline_seconds: 0.5
  probes: [{ name: canary health, kind: http, url: "\${canary.url}/health" }]
recovery: { within_seconds: 5 }
method:
  - name: temp dir filled
    fault: { kind: drill, drill: disk_fill, size_mb: 8 }
    duration_seconds: 60
`;

describe.skipIf(TMUX_MISSING !== null)(`a chaos experiment in the console, in a real terminal${TMUX_MISSING ? ` (skipped: ${TMUX_MISSING})` : ''}`, () => {
  it('is picked, its checklist ticked, started, and Ctrl-C in the middle of the fault leaves nothing behind', async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-chaos-e2e-'));
    const tmpDir = path.join(workDir, 'tmp');
    const experiments = path.join(workDir, 'experiments');
    const dataDir = path.join(workDir, 'data');
    mkdirSync(tmpDir);
    mkdirSync(experiments);
    writeFileSync(path.join(experiments, 'fill.yaml'), FILL_FOR_A_MINUTE);
    const term = new TmuxConsole(`${process.execPath} ${CLI} --data-dir ${dataDir}`, { TMPDIR: tmpDir, FIREDRILL_EXPERIMENTS_DIR: experiments }, { columns: 110, rows: 34 });
    tmux = term;
    await term.waitFor('Chaos experiments');
    // Found by its label: the home menu gains modes.
    await term.keys(...HOME_ENTRIES.slice(0, HOME_ENTRIES.findIndex((entry) => entry.label === 'Chaos experiments')).map(() => 'Down'), 'Enter');
    await term.waitFor('── medium risk');
    // The cursor is on the gameday; Down skips the group's header to the experiment.
    await term.keys('Down', 'Enter');
    await term.waitFor('Tick every item before it starts (1 left)');
    await term.keys('Enter', 's');
    const faulted = await term.waitFor((screen) => screen.includes('Fault: temp dir filled') && readdirSync(tmpDir).some((name) => name.startsWith('firedrill-disk-fill-')), 20_000);
    expect(faulted).toMatch(/canary health\s+█+\s+\d+% ok/);

    const firedrill = descendantsOf(term.panePid()).find(isAlive)!;
    const started = descendantsOf(firedrill);
    expect(started.length).toBeGreaterThan(0);
    await term.keys('C-c');
    await term.waitFor('[exited', 15_000);
    await waitFor(() => started.every((pid) => !isAlive(pid)), 3000, 'everything the experiment started to be gone');
    expect(readdirSync(tmpDir)).toEqual([]);
    expect(await readLedger(resolvePaths({ dataDir }))).toEqual([]);
  });
});
