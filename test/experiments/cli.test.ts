import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { readLedger } from '../../src/drills/ledger.js';
import { openHistory } from '../../src/history/open-history.js';
import { gamedayJournalSchema, journalSchema } from '../../src/experiments/journal.js';
import { collect, runCli, startCli, waitFor } from '../helpers/cli.js';
import { tempData, type TempData } from './helpers.js';

let data: TempData | undefined;
afterEach(() => data?.remove());

/** The sessions history kept in the temp data dir, newest first. */
async function sessions(kind: 'experiment' | 'gameday') {
  const history = await openHistory({ paths: data!.paths, config: defaultConfig(), env: {} });
  try {
    const list = await history.listSessions({ kind, limit: 20 });
    return { list, first: list[0] ? await history.getSession(list[0].id) : undefined };
  } finally {
    await history.close();
  }
}

/** A folder of experiments for FIREDRILL_EXPERIMENTS_DIR, from YAML texts. */
function experimentsDir(files: Record<string, string>): string {
  const dir = path.join(data!.paths.dataDir, 'experiments');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const QUICK_KILL = `id: quick-kill
title: Quick kill
description: kills the canary once
risk: low
severity: 1
checklist: { before: [the canary is ours], after: [nothing is left] }
services: [{ id: canary, kind: canary, restart: always, restart_delay_seconds: 0.2 }]
probe_interval_seconds: 0.05
steady_state:
  title: the canary answers
  baseline_seconds: 0.4
  probes: [{ name: canary health, kind: http, url: "\${canary.url}/health", max_latency_ms: 500 }]
recovery: { consecutive: 3, within_seconds: 5 }
method: [{ name: kill, fault: { kind: process_kill, service: canary } }]
rollbacks: [{ kind: service_start, service: canary }]
`;

/** Your own service, stopped through its commands: a marker file says it is stopped. */
function commandStop(marker: string, seconds: number): string {
  return `id: command-stop
title: Command stop
description: stops a service through its own commands
risk: medium
severity: 2
probe_interval_seconds: 0.05
steady_state:
  title: the service is up
  baseline_seconds: 0.3
  probes: [{ name: up, kind: command, run: "test ! -e '${marker}'" }]
recovery: { consecutive: 2, within_seconds: 30 }
method:
  - name: stopped
    fault: { kind: service_stop, command: { stop: "touch '${marker}'", start: "rm -f '${marker}'" } }
    duration_seconds: ${seconds}
`;
}

describe('firedrill experiment', () => {
  it('lists by risk, validates, and refuses a risky experiment without its approval', async () => {
    data = tempData();
    const env = {
      FIREDRILL_EXPERIMENTS_DIR: experimentsDir({
        'quick-kill.yaml': QUICK_KILL,
        'high.yaml': QUICK_KILL.replace('id: quick-kill', 'id: high-one').replace('risk: low', 'risk: high'),
        'broken.yaml': QUICK_KILL.replace('id: quick-kill', 'id: broken').replace('severity: 1', 'severity: 7'),
      }),
    };
    const list = await runCli(['experiment', 'list'], { env });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^low risk:\n  quick-kill +severity 1 +Quick kill\nhigh risk \(needs --yes --risk high\):\n  high-one /);
    expect(list.stderr).toMatch(/broken\.yaml: severity: expected a number at most 5, found 7 \(line 5\)/);

    const validate = await runCli(['experiment', 'validate'], { env });
    expect(validate.code).toBe(1);
    expect(validate.stdout).toMatch(/^ok  high-one/m);
    expect(validate.stderr).toMatch(/^invalid: .*broken\.yaml: severity/m);
    expect((await runCli(['experiment', 'validate', 'quick-kill'], { env })).code).toBe(0);

    const dataDir = ['--data-dir', data.paths.dataDir];
    const high = await runCli(['experiment', 'run', 'high-one', '--yes', ...dataDir], { env });
    expect(high.code).toBe(2);
    expect(high.stderr).toBe('firedrill experiment run: not running high-one is high risk: add --yes --risk high to run it\n');
    const medium = await runCli(['experiment', 'run', 'cpu-pressure-canary-latency', ...dataDir]);
    expect(medium.stderr).toMatch(/cpu-pressure-canary-latency is medium risk: add --yes to run it/);
    const unknown = await runCli(['experiment', 'run', 'nope', ...dataDir], { env });
    expect(unknown.stderr).toMatch(/no experiment "nope" in .* \(there are: high-one, quick-kill\)/);
    expect((await runCli(['experiment', 'run', 'quick-kill', '--report', '/no/such/dir/r.html', ...dataDir], { env })).code).toBe(2);
  });

  it('runs one and writes the journal, JUnit and the HTML report', async () => {
    data = tempData();
    const env = { FIREDRILL_EXPERIMENTS_DIR: experimentsDir({ 'quick-kill.yaml': QUICK_KILL }) };
    const out = (name: string) => path.join(data!.paths.dataDir, name);
    const result = await runCli(
      ['experiment', 'run', 'quick-kill', '--json', '--journal', out('j.json'), '--junit', out('j.xml'), '--report', out('r.html'), '--data-dir', data.paths.dataDir],
      { env },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const printed = journalSchema.parse(JSON.parse(result.stdout));
    expect(printed).toMatchObject({ status: 'completed', verdict: 'recovered', deviated: true, experiment: { id: 'quick-kill' } });
    expect(printed.run[0]!.output.time_to_detect).toBeLessThan(0.25);
    expect(printed.probes.rounds.length).toBeGreaterThan(10);
    expect(journalSchema.parse(JSON.parse(readFileSync(out('j.json'), 'utf8'))).run_id).toBe(printed.run_id);
    const junit = readFileSync(out('j.xml'), 'utf8');
    expect(junit).toMatch(/<testsuite name="quick-kill: Quick kill"[^>]* tests="3" failures="0"/);
    expect(junit).toMatch(/<testcase classname="firedrill.experiment.quick-kill" name="fault 1: kill"/);
    expect(readFileSync(out('r.html'), 'utf8')).toMatch(/^<!DOCTYPE html>[\s\S]*<svg [\s\S]*aria-label="latency over time"/);

    // Kept in history as a session, with the journal (without its probe rounds) as detail.
    const kept = await sessions('experiment');
    expect(kept.list).toHaveLength(1);
    expect(kept.first).toMatchObject({ id: printed.run_id, subject: 'quick-kill', status: 'completed', verdict: 'recovered', figures: { faults: 1, recovered: 1, risk: 'low' } });
    expect(kept.first!.figures.mttrMs).toBeGreaterThan(100);
    expect(kept.first!.detail).toMatchObject({ format: 'firedrill-experiment-journal/1', run: [expect.objectContaining({ output: expect.objectContaining({ verdict: 'recovered' }) })] });
  });

  it('Ctrl-C in the middle of a fault undoes it and exits 130; after kill -9 the next cleanup undoes it', async () => {
    data = tempData();
    const marker = path.join(data.paths.dataDir, 'stopped');
    const file = path.join(data.paths.dataDir, 'command-stop.yaml');
    writeFileSync(file, commandStop(marker, 60));
    const args = ['experiment', 'run', file, '--yes', '--data-dir', data.paths.dataDir];

    const interrupted = startCli(args);
    let output = '';
    interrupted.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => existsSync(marker) && /deviation detected/.test(output), 10_000, 'the service to be stopped and seen down');
    interrupted.kill('SIGINT');
    const ended = await collect(interrupted);
    expect(ended.code).toBe(130);
    expect(existsSync(marker)).toBe(false);
    expect(await readLedger(data.paths)).toEqual([]);

    const killed = startCli(args);
    await waitFor(() => existsSync(marker), 10_000, 'the service to be stopped');
    await waitFor(async () => (await readLedger(data!.paths)).some((entry) => entry.kind === 'undo'), 5000, 'the undo entry');
    killed.kill('SIGKILL');
    await collect(killed);
    expect(existsSync(marker)).toBe(true);
    const cleanup = await runCli(['cleanup', '--data-dir', data.paths.dataDir]);
    expect(cleanup.stdout).toMatch(/^undid: start the service behind .* again$/m);
    expect(existsSync(marker)).toBe(false);
    expect(await readLedger(data.paths)).toEqual([]);
  });
});

describe('firedrill gameday', () => {
  it('runs experiments one at a time until the time is up, and SIGINT stops one mid-way with its rollbacks', async () => {
    data = tempData();
    const env = {
      FIREDRILL_EXPERIMENTS_DIR: experimentsDir({
        'quick-kill.yaml': QUICK_KILL,
        'other-kill.yaml': QUICK_KILL.replace('id: quick-kill', 'id: other-kill'),
        'severe.yaml': QUICK_KILL.replace('id: quick-kill', 'id: severe').replace('severity: 1', 'severity: 5'),
      }),
    };
    const report = path.join(data.paths.dataDir, 'gameday.html');
    const journal = path.join(data.paths.dataDir, 'gameday.json');
    const day = await runCli(['gameday', '--duration', '2s', '--interval', '200ms', '--severity', '1-3', '--report', report, '--journal', journal, '--data-dir', data.paths.dataDir], { env });
    expect(day.code).toBe(0);
    expect(day.stdout).toMatch(/^Gameday until .*: choosing among other-kill, quick-kill$/m);
    expect(day.stdout).toMatch(/^Gameday: gameday over after \d+\.\d+ s: [23] experiment\(s\), worst deviated and recovered/m);
    const parsed = gamedayJournalSchema.parse(JSON.parse(readFileSync(journal, 'utf8')));
    // Never the same twice in a row when there is a choice.
    const ids = parsed.experiments.map((experiment) => experiment.experiment.id);
    expect(new Set(ids)).toEqual(new Set(['other-kill', 'quick-kill']));
    expect(ids.every((id, index) => index === 0 || id !== ids[index - 1])).toBe(true);
    expect(readFileSync(report, 'utf8')).toMatch(/<h2>Gameday<\/h2>/);

    const long = startCli(['gameday', '--duration', '10m', '--interval', '1s', '--experiments', 'quick-kill', '--data-dir', data.paths.dataDir], { env });
    let output = '';
    long.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => /steady state before: holds/.test(output), 10_000, 'the first experiment to start its method');
    long.kill('SIGINT');
    const stopped = await collect(long);
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toMatch(/rollback start the service "canary" if it is down/);
    expect(stopped.stdout).toMatch(/^Gameday: interrupted after/m);
    expect(await readLedger(data.paths)).toEqual([]);

    // Both gamedays kept, and every experiment they ran, the interrupted one as stopped.
    const days = await sessions('gameday');
    expect(days.list.map((day) => day.status)).toEqual(['stopped', 'completed']);
    const experiments = await sessions('experiment');
    expect(experiments.list.length).toBe(ids.length + 1);
    expect(experiments.list[0]).toMatchObject({ subject: 'quick-kill', status: 'stopped' });
  });
});
