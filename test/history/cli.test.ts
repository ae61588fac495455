import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { runCli } from '../helpers/cli.js';
import { makeIncident, makeReport } from './fixtures/reports.js';

// The built CLI, as cron would run it; TZ pinned so that dates print the same everywhere.
const ENV = { TZ: 'UTC', NEO4J_URI: '', NEO4J_PASSWORD: '', FIREDRILL_DATA_DIR: '' };

let dataDir: string;
let emptyDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-cli-history-'));
  emptyDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-cli-empty-'));
  const store = SqliteHistoryStore.open(dataDir);
  for (let index = 0; index < 12; index += 1) await store.saveRun(makeReport(index, 'host-a'));
  await store.saveRun(makeReport(50, 'host-b', { failEvery: 1 }));
  await store.saveIncident(makeIncident(3, 'host-a'));
  await store.close();
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
});

describe('firedrill history / failures / compare / sync (built CLI)', () => {
  it('history --json gives the newest runs of the machine and its statistics', async () => {
    const result = await runCli(['history', '--json', '--machine', 'host-a', '--limit', '3', '--data-dir', dataDir], { env: ENV });
    expect(result.code, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout) as { machine: string; source: string; runs: Array<{ id: string }>; stats: { runs: number } };
    expect(answer.machine).toBe('host-a');
    expect(answer.source).toBe('sqlite');
    expect(answer.runs.map((run) => run.id)).toEqual([11, 10, 9].map((index) => makeReport(index, 'host-a').runId));
    expect(answer.stats.runs).toBe(12);
  });

  it('history prints the original\'s table and statistics', async () => {
    const result = await runCli(['history', '--machine', 'host-a', '--limit', '2', '--data-dir', dataDir], { env: ENV });
    expect(result.code, result.stderr).toBe(0);
    const run11 = makeReport(11, 'host-a').summary;
    expect(result.stdout).toContain('Test History for host-a');
    expect(result.stdout).toContain('Last 2 test runs:');
    expect(result.stdout).toMatch(/Date\s+Total\s+Passed\s+Failed\s+Events/);
    expect(result.stdout).toMatch(new RegExp(`2026-01-01 23:00:00\\s+5\\s+${run11.passed}\\s+${run11.failed}\\s+${run11.eventsTriggered}\\n`));
    expect(result.stdout).toContain('Total runs: 12');
    expect(result.stdout).toMatch(/Average pass rate: \d+\.\d %/);
    // 12 runs x 5 drills, one failure in every 4 (see makeReport): 45 passes, one event each.
    expect(result.stdout).toContain('Total events triggered: 45');
  });

  it('the original\'s --history spelling works too', async () => {
    const result = await runCli(['--history', '--machine', 'host-b', '--data-dir', dataDir], { env: ENV });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Test History for host-b');
    expect(result.stdout).toContain('Average pass rate: 0.0 %');
  });

  it('an empty history says so plainly', async () => {
    const result = await runCli(['history', '--machine', 'host-a', '--data-dir', emptyDir], { env: ENV });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No runs recorded for host-a yet');
  });

  it('failures lists the drills that fail most with the last reason', async () => {
    const text = await runCli(['failures', '--machine', 'host-b', '--data-dir', dataDir], { env: ENV });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Common Failures for host-b');
    expect(text.stdout).toMatch(/cpu_spike:\s+1 failure, last 2026-01-03 14:00:00/);
    expect(text.stdout).toContain('cpu_spike failed in run 50');
    const json = await runCli(['failures', '--json', '--machine', 'host-a', '--data-dir', dataDir], { env: ENV });
    const answer = JSON.parse(json.stdout) as { failures: Array<{ drill: string; failures: number }> };
    expect(answer.failures.reduce((sum, row) => sum + row.failures, 0)).toBe(15);
  });

  it('compare gives one row per machine', async () => {
    const result = await runCli(['compare', '--data-dir', dataDir], { env: ENV });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/host-a\s+12\s+75\.0 %\s+45\s+2026-01-01 23:00:00/);
    expect(result.stdout).toMatch(/host-b\s+1\s+0\.0 %\s+0\s+2026-01-03 14:00:00/);
  });

  it('bad flags exit 2 naming the flag', async () => {
    const unknown = await runCli(['history', '--colour', '--data-dir', dataDir], { env: ENV });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--colour'");
    const limit = await runCli(['history', '--limit', 'lots', '--data-dir', dataDir], { env: ENV });
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain('--limit must be a positive number, got "lots"');
  });

  it('sync without Neo4j configured exits 2 and says so', async () => {
    const result = await runCli(['sync', '--data-dir', dataDir], { env: ENV });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Neo4j is not configured');
  });

  it('sync to a Neo4j that is down exits 1 and counts what is still pending', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const pendingDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-cli-pending-'));
    try {
      const store = SqliteHistoryStore.open(pendingDir);
      for (let index = 0; index < 3; index += 1) store.saveRunSync(makeReport(index, 'host-a'), true);
      await store.close();
      const uri = `bolt://127.0.0.1:${port}`;
      const result = await runCli(['sync', '--data-dir', pendingDir], { env: { ...ENV, NEO4J_URI: uri } });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`Neo4j at ${uri} is not reachable \\(.*\\): 3 runs still pending`));
      // history still answers, from SQLite, and says why on stderr.
      const history = await runCli(['history', '--json', '--machine', 'host-a', '--data-dir', pendingDir], { env: { ...ENV, NEO4J_URI: uri } });
      expect(history.code).toBe(0);
      expect((JSON.parse(history.stdout) as { runs: unknown[] }).runs).toHaveLength(3);
      expect(history.stderr).toContain(`Neo4j at ${uri} is not reachable`);
    } finally {
      rmSync(pendingDir, { recursive: true, force: true });
    }
  });

  it('reads Neo4j from the config file, and names a config file that is missing', async () => {
    const missing = path.join(emptyDir, 'nope.yaml');
    const absent = await runCli(['history', '--config', missing, '--data-dir', emptyDir], { env: ENV });
    expect(absent.code).toBe(2);
    expect(absent.stderr).toContain(`${missing}: cannot read the config file`);
    const configFile = path.join(emptyDir, 'config.yaml');
    writeFileSync(configFile, 'neo4j:\n  uri: bolt://127.0.0.1:1\n  username: firedrill\n  password: secret\n');
    const result = await runCli(['sync', '--config', configFile, '--data-dir', emptyDir], { env: ENV });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Neo4j at bolt:\/\/127\.0\.0\.1:1 is not reachable \(.*\): nothing pending/);
  });
});
