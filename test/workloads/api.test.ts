import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../src/history/store.js';
import { workloadSession } from '../../src/workloads/history.js';
import { WorkloadManager } from '../../src/workloads/manager.js';
import { startTestApi, type TestApi } from '../api/helpers.js';
import { freePort } from '../alerts/monitoring-stack.js';
import { runCli } from '../helpers/cli.js';
import { scratch, writeProfile } from './helpers.js';

let dirs: Awaited<ReturnType<typeof scratch>>;
let api: TestApi;
let kept: SessionRecord[];
beforeEach(async () => {
  dirs = await scratch();
  await writeProfile(
    dirs.profilesDir,
    'tiny',
    `id: tiny
title: Tiny
description: Four quiet processes.
processes: 4
kinds:
  - { id: web, name: "nginx: worker process", priority: high, count: 2, restart: always, restart_delay_seconds: 0 }
  - { id: job, name: "python3 job.py", priority: low, weight: 1 }
`,
  );
  kept = [];
  // serve keeps each finished workload in history through onFinished, as here.
  const onFinished = (finished: Parameters<typeof workloadSession>[1], workload: Parameters<typeof workloadSession>[0]) => void kept.push(workloadSession(workload, finished));
  api = await startTestApi({ workloads: new WorkloadManager({ ledger: dirs.ledger, profilesDir: dirs.profilesDir, sampleIntervalMs: 200, onFinished }) });
});
afterEach(async () => {
  await api.close();
  await dirs.dispose();
});

const post = (path: string, body: unknown) => api.call(path, { method: 'POST', body: JSON.stringify(body) });

async function statusOf(id: string): Promise<Record<string, unknown>> {
  return (await (await api.call(`/api/v1/workloads/${id}`)).json()) as Record<string, unknown>;
}

describe('the workload routes of firedrill serve', () => {
  it('creates, starts, reports, applies chaos to and stops a workload behind the API key', async () => {
    expect((await api.call('/api/v1/workloads', { key: null })).status).toBe(401);
    expect((await api.call('/api/v1/workloads', { key: 'wrong' })).status).toBe(403);
    const profiles = (await (await api.call('/api/v1/workloads/profiles')).json()) as { profiles: { id: string }[] };
    expect(profiles.profiles.map((profile) => profile.id)).toEqual(['tiny']);

    const created = await post('/api/v1/workloads', { profile: 'tiny', processes: 4, seed: 3 });
    expect(created.status).toBe(201);
    const { workload_id: id } = (await created.json()) as { workload_id: string };
    expect(id).toMatch(/^wl_[0-9a-f]{8}$/);
    const running = await waitForStatus(id, (status) => status.status === 'running' && status.totals !== null);
    expect(running).toMatchObject({ profile: 'tiny', processes_requested: 4, processes_alive: 4, engine: 'perl' });

    const spike = await post(`/api/v1/workloads/${id}/chaos/cpu-spike`, { kind: 'nginx', percent: 50, seconds: 2 });
    expect(spike.status).toBe(200);
    expect(await spike.json()).toMatchObject({ workload_id: id, action: 'cpu-spike', targets: [{ kind: 'web' }, { kind: 'web' }] });
    const kill = (await (await post(`/api/v1/workloads/${id}/chaos/kill`, { priority: 'high' })).json()) as { targets: { pid: number }[] };
    await waitForStatus(id, (status) => (status.recent_events as { type: string }[]).some((event) => event.type === 'restarted'));
    const burst = await post(`/api/v1/workloads/${id}/chaos/churn-burst`, { count: 5 });
    // Low priority first, then high; critical never (this profile has none).
    expect(((await burst.json()) as { targets: { priority: string }[] }).targets.map((target) => target.priority)).toEqual(['low', 'low', 'high', 'high']);

    // Refusals say why: a bad body, nothing to match, an unknown workload, a workload too big to fit.
    expect(await (await post(`/api/v1/workloads/${id}/chaos/cpu-spike`, { kind: 'nginx', percent: 500 })).json()).toEqual({
      detail: expect.stringMatching(/^invalid cpu-spike body: percent: .*100/),
    });
    const nothing = await post(`/api/v1/workloads/${id}/chaos/kill`, { priority: 'critical' });
    expect([nothing.status, ((await nothing.json()) as { detail: string }).detail]).toEqual([409, 'no running critical-priority process to kill']);
    expect((await post('/api/v1/workloads/wl_00000000/chaos/kill', { priority: 'low' })).status).toBe(404);
    expect((await post('/api/v1/workloads', { profile: 'nope' })).status).toBe(409);
    const tooBig = await post('/api/v1/workloads', { profile: 'tiny', processes: 1000 });
    expect([tooBig.status, ((await tooBig.json()) as { detail: string }).detail]).toEqual([
      429,
      expect.stringMatching(/needs 1000 processes and 4 are already running; together they may run 1000$/),
    ]);
    expect((await (await api.call('/api/v1/workloads')).json()) as unknown[]).toHaveLength(1);
    expect((await post('/api/v1/workloads', { profile: 'tiny', colour: 'red' })).status).toBe(400);

    // The burst's replacements are all running again before the stop.
    const before = (await waitForStatus(id, (status) => (status.top_processes as unknown[]).length === 4)).top_processes as { pid: number }[];
    const stopped = await post(`/api/v1/workloads/${id}/stop`, {});
    expect(await stopped.json()).toMatchObject({ status: 'stopped', workload_id: id, details: { previous_status: 'running', status: 'finished' } });
    expect(before.filter((process) => isProcessAlive(process.pid))).toEqual([]);
    expect(isProcessAlive(kill.targets[0]!.pid)).toBe(false);
    expect((await statusOf(id)).processes_alive).toBe(0);
    expect(kept).toEqual([expect.objectContaining({ kind: 'workload', subject: 'tiny', status: 'stopped', verdict: 'clean' })]);
  });

  it('serves per-process series on /metrics next to the incident API', async () => {
    const { workload_id: id } = (await (await post('/api/v1/workloads', { profile: 'tiny' })).json()) as { workload_id: string };
    await waitForStatus(id, (status) => status.status === 'running');
    const text = await (await fetch(`${api.url}/metrics`)).text();
    expect(text).toMatch(new RegExp(`^process_memory_usage_bytes\\{workload="${id}",kind="web",priority="high",process_name="nginx: worker process",executable="nginx",pid="\\d+"\\} \\d+$`, 'm'));
    expect(text).toMatch(/^firedrill_simulations_active /m);
    expect(text.match(/^process_threads\{/gm)).toHaveLength(4);
  });
});

describe('firedrill workload chaos', () => {
  it('asks firedrill serve to apply a trigger to the workload it runs, and says what it did', async () => {
    const flags = ['--api', api.url, '--api-key', api.apiKey, '--data-dir', dirs.dataDir];
    const none = await runCli(['workload', 'chaos', 'kill', '--priority', 'low', ...flags]);
    expect([none.code, none.stderr.trim()]).toEqual([1, `firedrill workload chaos: no workload is running on ${api.url}; name one with --workload ID`]);

    const { workload_id: id } = (await (await post('/api/v1/workloads', { profile: 'tiny' })).json()) as { workload_id: string };
    await waitForStatus(id, (status) => status.status === 'running');
    const killed = await runCli(['workload', 'chaos', 'kill', '--priority', 'low', ...flags]);
    expect(killed.stdout).toMatch(new RegExp(`^workload ${id}: killed python3 job\\.py \\(pid \\d+, low\\) with SIGKILL\n$`));
    expect(killed.code).toBe(0);
    const spiked = await runCli(['workload', 'chaos', 'cpu-spike', '--kind', 'web', '--percent', '30', '--seconds', '1', '--workload', id, ...flags]);
    expect(spiked.stdout).toMatch(/CPU spike: 2 web process\(es\) at 30 % of a core for 1 s/);
    const bad = await runCli(['workload', 'chaos', 'cpu-spike', '--kind', 'web', '--percent', '300', ...flags]);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/400: invalid cpu-spike body: percent/)]);
    const unknown = await runCli(['workload', 'chaos', 'explode', ...flags]);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/expected one action \(cpu-spike, memory-leak, kill, churn-burst\), got "explode"/)]);
    const closed = await freePort();
    const away = await runCli(['workload', 'chaos', 'kill', '--priority', 'low', '--api', `http://127.0.0.1:${closed}`, '--api-key', 'k']);
    expect([away.code, away.stderr]).toEqual([1, expect.stringMatching(new RegExp(`cannot reach http://127\\.0\\.0\\.1:${closed}: connection refused; is \`firedrill serve\` running\\?`))]);
  });
});

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForStatus(id: string, predicate: (status: Record<string, unknown>) => boolean, timeoutMs = 15_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await statusOf(id);
    if (predicate(status)) return status;
    if (Date.now() > deadline) throw new Error(`workload ${id} never reached the state asked for: ${JSON.stringify(status).slice(0, 400)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
