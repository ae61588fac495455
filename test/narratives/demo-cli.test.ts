import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { openHistory } from '../../src/history/open-history.js';
import { ProcessReader } from '../../src/monitor/processes.js';
import { resolvePaths } from '../../src/paths.js';
import { collect, runCli, startCli, waitFor } from '../helpers/cli.js';

const SHIPPED = ['cpu-spike-traffic-surge', 'lightning-tour', 'live-incident', 'memory-leak-story', 'monitoring-catch-it', 'slow-database'];

let dir: string;
let dataDir: string;
/** No monitoring, no LLM from the environment: what a fresh clone has. */
const env = { FIREDRILL_PROMETHEUS_URL: '', FIREDRILL_ALERTMANAGER_URL: '', FIREDRILL_LLM_URL: '', OPENAI_BASE_URL: '', XDG_CONFIG_HOME: '' };
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fd-demo-'));
  dataDir = path.join(dir, 'data');
  env.XDG_CONFIG_HOME = path.join(dir, 'config');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('firedrill demo, headless', () => {
  it('lists the narratives with their scenes, minutes and requirements (--json)', async () => {
    const { code, stdout } = await runCli(['demo', '--list', '--json'], { env });
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as { id: string; scenes: number; planned_minutes: number; requires: string[] }[];
    expect(rows.map((row) => row.id)).toEqual(SHIPPED);
    expect(rows.find((row) => row.id === 'monitoring-catch-it')).toMatchObject({ scenes: 4, planned_minutes: 5, requires: ['drills', 'prometheus (optional)', 'alertmanager (optional)'] });
  });

  it('prints a run sheet in Markdown: captions, notes, what each scene runs and waits for', async () => {
    const { code, stdout } = await runCli(['demo', 'live-incident', '--script'], { env });
    expect(code).toBe(0);
    expect(stdout).toContain('# A live incident on this machine');
    expect(stdout).toContain('## 2. Something is eating the CPU (90 s)');
    expect(stdout).toContain('**Runs:** live incident on this machine: a runaway process report-builder (2 busy threads)');
    expect(stdout).toContain('**Complete when:** verdict (or says it is not coming after 60 s)');
    expect(stdout).toContain('**Reveal (next key):** report-builder: it started with the incident and holds the CPU alone.');
    expect(stdout).toMatch(/\*\*Notes:\*\*\n\n> report-builder starts and keeps cores busy/);
  });

  it('says go for every shipped narrative here, in seconds, loading nothing', async () => {
    const results = await Promise.all(SHIPPED.map((id) => runCli(['demo', id, '--check', '--json', '--data-dir', dataDir], { env })));
    for (const [index, { code, stdout }] of results.entries()) {
      const report = JSON.parse(stdout) as { go: boolean; seconds: number; items: { status: string; what: string; detail: string }[] };
      expect(report.items.filter((item) => item.status === 'no-go'), SHIPPED[index]).toEqual([]);
      expect(code).toBe(0);
      expect(report.seconds).toBeLessThan(5);
    }
  });

  it('says no-go, naming the reason, when the narrative needs a Prometheus that does not answer', async () => {
    const unreachable = await runCli(['demo', 'monitoring-catch-it', '--check', '--prometheus', 'http://127.0.0.1:1', '--data-dir', dataDir], { env });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toMatch(/NO-GO {2}Prometheus: Prometheus at http:\/\/127\.0\.0\.1:1 is not reachable \(connection refused\)/);
    expect(unreachable.stdout).toMatch(/NO-GO for monitoring-catch-it/);

    const needs = path.join(dir, 'needs-prometheus.yaml');
    await writeFile(
      needs,
      'id: needs\ntitle: T\naudience: A\nsummary: S\nplanned_minutes: 1\nrequires: { drills: true, prometheus: required }\nscenes:\n  - title: Spike\n    say: s\n    run: { drills: cpu_spike }\n    until: alert NodeCpuBusy\n',
    );
    const missing = await runCli(['demo', needs, '--check', '--data-dir', dataDir], { env });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/NO-GO {2}Prometheus: this narrative needs Prometheus: give --prometheus URL/);
  });

  it('rehearses every shipped narrative to the end with simulated load, then prints the time per scene against the plan', async () => {
    const began = Date.now() - 1000;
    const results = await Promise.all(SHIPPED.map((id) => runCli(['demo', id, '--rehearse', '--pace', '0.02', '--data-dir', path.join(dir, `rehearse-${id}`)], { env })));
    for (const [index, { code, stdout, stderr }] of results.entries()) {
      const id = SHIPPED[index]!;
      expect(code, `${id}: ${stderr}`).toBe(0);
      expect(stdout, id).toMatch(/^REHEARSAL of /);
      expect(stdout, id).toMatch(/Finished \(completed\)/);
      expect(stdout, id).toMatch(/Time per scene \(REHEARSAL at 0\.02x the pace\):\n +# +SCENE +PLANNED +ACTUAL +DIFF +WAITED FOR/);
      // Only the honest line of a narrative that waits for an alert with no monitoring configured.
      const notComing = stdout.split('\n').filter((line) => line.includes('not coming'));
      expect(notComing, id).toEqual(id === 'monitoring-catch-it' ? ['  ✗ not coming: no Prometheus or Alertmanager is configured, so no alert was timed'] : []);
    }
    const live = results[SHIPPED.indexOf('live-incident')]!.stdout;
    expect(live).toContain('[live] started: REHEARSAL: a runaway process (report-builder)');
    expect(live).toContain('the analyzer found the cause: expected cpu_spike (report-builder)');
    // Each is kept in history as a demo session: the narrative, the time per scene, what came.
    const history = await openHistory({ paths: resolvePaths({ dataDir: path.join(dir, 'rehearse-lightning-tour') }, {}), config: defaultConfig(), env: {} });
    try {
      const [session] = await history.listSessions({ kind: 'demo', limit: 5 });
      expect(session).toMatchObject({ kind: 'demo', subject: 'lightning-tour', status: 'completed', verdict: 'rehearsed', figures: { scenes: 5, effectsAwaited: 3, effectsCame: 3, liveCausesFound: 1, rehearsal: true } });
      const detail = (await history.getSession(session!.id))?.detail as { scenes: { title: string; measured: string[] }[] };
      expect(detail.scenes[3]).toMatchObject({ title: 'A live incident', measured: expect.arrayContaining(['the analyzer found the cause (report-builder)']) });
    } finally {
      await history.close();
    }
    // Nothing was started for real: no process of a fault's name appeared meanwhile.
    const started = new ProcessReader().read().processes.filter((process) => process.startedAt >= began);
    expect(started.filter((process) => ['report-builder', 'session-cache', 'checkout-api'].includes(process.name))).toEqual([]);
  });
  it('--notes without a narrative follows whichever the presenter on this data dir shows, to its end', async () => {
    const data = path.join(dir, 'notes-any');
    const notes = startCli(['demo', '--notes', '--data-dir', data], { env });
    const done = collect(notes, 60_000);
    let seen = '';
    notes.stdout?.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    await waitFor(() => seen.includes('waiting for a presenter'), 10_000, 'the notes to wait');
    const presented = await runCli(['demo', 'lightning-tour', '--rehearse', '--pace', '0.02', '--data-dir', data], { env });
    expect(presented.code, presented.stderr).toBe(0);
    const { code, stdout } = await done;
    expect(code).toBe(0);
    expect(stdout).toContain('following the presenter');
    expect(stdout).toMatch(/^scene 1\/5 Fire drills for incidents \| next: A real drill/m);
    expect(stdout).toMatch(/^scene 5\/5 .* \| next: \(the end\)/m);
  });

  it('refuses --check, --rehearse, --script and --auto without a narrative, saying how to name one', async () => {
    for (const flag of ['--check', '--rehearse', '--script', '--auto']) {
      const { code, stderr } = await runCli(['demo', flag], { env });
      expect(code, flag).toBe(2);
      expect(stderr, flag).toContain(`firedrill demo: ${flag} needs a narrative: firedrill demo ID ${flag} (firedrill demo --list shows them)`);
    }
  });
});
