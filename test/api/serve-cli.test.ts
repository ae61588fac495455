import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import type { IncidentRecord } from '../../src/history/store.js';
import { collect, runCli, startCli, waitFor } from '../helpers/cli.js';
import { startFakeServer } from './fake-servers.js';

let dataDir: string;
const closers: Array<() => Promise<void>> = [];
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-serve-'));
});
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Without FIREDRILL_API_KEY from the caller's environment, and with an empty data dir. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { FIREDRILL_API_KEY: '', FIREDRILL_DATA_DIR: dataDir, XDG_CONFIG_HOME: dataDir, FIREDRILL_LLM_URL: '', OPENAI_BASE_URL: '', ...extra };
}

async function incidentsIn(dir: string): Promise<IncidentRecord[]> {
  const store = SqliteHistoryStore.open(dir);
  try {
    return await store.listIncidents({ limit: 20 });
  } finally {
    await store.close();
  }
}

describe('firedrill serve', () => {
  it('refuses to start without an API key, saying where to put one', async () => {
    const result = await runCli(['serve', '--port', '0'], { env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('refusing to start without an API key');
    expect(result.stderr).toContain('FIREDRILL_API_KEY');
    expect(result.stderr).toContain(path.join(dataDir, 'api-key'));
  });

  it('explains itself with --help, naming where the key comes from', async () => {
    const result = await runCli(['serve', '--help'], { env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: firedrill serve [--host 127.0.0.1] [--port 8000] [--api-key-file FILE]');
    expect(result.stdout).toContain('FIREDRILL_API_KEY');
  });

  it('refuses a bad --port and an unreadable key file with exit 2', async () => {
    const badPort = await runCli(['serve', '--port', '70000'], { env: env({ FIREDRILL_API_KEY: 'k' }) });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port must be a whole number from 0 to 65535, got "70000"');
    const missingFile = await runCli(['serve', '--api-key-file', path.join(dataDir, 'nope')], { env: env() });
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toContain(`cannot read the API key file ${path.join(dataDir, 'nope')}`);
  });

  it('exits 1 when no scenario can be loaded, naming the folder', async () => {
    const missing = path.join(dataDir, 'no-scenarios-here');
    const result = await runCli(['serve', '--port', '0'], { env: env({ FIREDRILL_API_KEY: 'k', FIREDRILL_SCENARIOS_DIR: missing }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`warning: ${missing}: cannot read the scenarios folder`);
    expect(result.stderr).toContain('no scenario could be loaded');
  });

  it('says so and exits 1 when the port is taken', async () => {
    const taken = await startFakeServer((_request, response) => response.end());
    closers.push(taken.close);
    const port = new URL(taken.url).port;
    const result = await runCli(['serve', '--port', port], { env: env({ FIREDRILL_API_KEY: 'k' }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`127.0.0.1:${port} is already in use`);
  });

  it('serves with the key from FIREDRILL_API_KEY, prints its URL, never the key, and exits 0 on SIGTERM', async () => {
    const key = 'serve-test-key-7f3a9c';
    const child = startCli(['serve', '--port', '0'], { env: env({ FIREDRILL_API_KEY: key }) });
    const done = collect(child, 30_000);
    let stdout = '';
    child.stdout?.on('data', (chunk: string) => (stdout += chunk));
    const base = await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)\/api\/v1/.exec(stdout)?.[1], 20_000, 'the URL');

    const denied = await fetch(`${base}/api/v1/simulator/scenarios`);
    expect(denied.status).toBe(401);
    const listed = await fetch(`${base}/api/v1/simulator/scenarios`, { headers: { 'x-api-key': key } });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as unknown[]).length).toBeGreaterThan(0);
    const started = await fetch(`${base}/api/v1/simulator/scenarios/memory_leak_gradual/start`, { method: 'POST', headers: { 'x-api-key': key } });
    expect(started.status).toBe(201);

    const { simulation_id: stoppedId } = (await started.json()) as { simulation_id: string };

    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('firedrill serve: stopped');
    expect(result.stdout + result.stderr).not.toContain(key);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    // The simulation that SIGTERM stopped was saved before the server exited.
    expect((await incidentsIn(dataDir)).map(({ id, status }) => ({ id, status }))).toEqual([{ id: stoppedId, status: 'stopped' }]);
  });

  it("keeps every finished simulation in the server's history", async () => {
    const key = 'serve-history-key';
    const child = startCli(['serve', '--port', '0', '--speed', '2000'], { env: env({ FIREDRILL_API_KEY: key }) });
    closers.push(async () => {
      child.kill('SIGTERM');
      await collect(child, 30_000);
    });
    let stdout = '';
    child.stdout?.on('data', (chunk: string) => (stdout += chunk));
    const base = await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)\/api\/v1/.exec(stdout)?.[1], 20_000, 'the URL');
    const started = await fetch(`${base}/api/v1/simulator/scenarios/cpu_spike_traffic_surge/start`, { method: 'POST', headers: { 'x-api-key': key } });
    const { simulation_id: id } = (await started.json()) as { simulation_id: string };
    const saved = await waitFor(async () => (await incidentsIn(dataDir)).find((incident) => incident.id === id), 20_000, 'the saved incident');
    expect(saved).toMatchObject({ scenarioId: 'cpu_spike_traffic_surge', status: 'completed', source: 'built-in', topHypothesis: { category: 'traffic_surge' } });
    expect(saved.actions.length).toBeGreaterThan(0);
  });

  it('reads the key from <data dir>/api-key and warns when others can read it', async () => {
    const keyFile = path.join(dataDir, 'api-key');
    writeFileSync(keyFile, 'file-key-123\n', { mode: 0o644 });
    const child = startCli(['serve', '--port', '0'], { env: env() });
    const done = collect(child, 30_000);
    let stdout = '';
    child.stdout?.on('data', (chunk: string) => (stdout += chunk));
    const base = await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1], 20_000, 'the URL');
    const listed = await fetch(`${base}/api/v1/simulator/simulations`, { headers: { 'x-api-key': 'file-key-123' } });
    expect(listed.status).toBe(200);
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`API key from ${keyFile}`);
    expect(result.stderr).toContain(`the API key file ${keyFile} can be read by other users`);
  });
});
