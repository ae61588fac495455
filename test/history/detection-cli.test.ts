import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { runCli } from '../helpers/cli.js';
import { detectionRuns } from './fixtures/detection.js';
import { makeReport } from './fixtures/reports.js';

const ENV = { TZ: 'UTC', NEO4J_URI: '', NEO4J_PASSWORD: '', FIREDRILL_DATA_DIR: '' };
/** How the CLI, in UTC, prints a time: "2026-01-01 17:00:00". */
const utcDate = (iso: string) => iso.replace('T', ' ').slice(0, 19);

let dataDir: string;
let plainDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-cli-detection-'));
  plainDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-cli-no-detection-'));
  const store = SqliteHistoryStore.open(dataDir);
  for (const report of detectionRuns('host-a')) await store.saveRun(report);
  await store.close();
  const plain = SqliteHistoryStore.open(plainDir);
  for (let index = 0; index < 3; index += 1) await plain.saveRun(makeReport(index, 'host-a'));
  await plain.close();
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(plainDir, { recursive: true, force: true });
});

describe('firedrill history --detection (built CLI)', () => {
  it('prints one row per verification, newest first, then the median and worst time to detect per drill', async () => {
    const result = await runCli(['history', '--detection', '--machine', 'host-a', '--data-dir', dataDir], { env: ENV });
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toContain('Monitoring detection for host-a');
    expect(out).toContain('Last 4 runs with monitoring verification, newest first:');
    expect(out).toMatch(/Date\s+Drill\s+Source\s+Verdict\s+Alert\s+Time to detect\s+Time to resolve/);
    const [, run1, run2, run3, , run5] = detectionRuns('host-a').map((report) => report.results);
    const rows = out.split('\n');
    const rowOf = (startedAt: string, source = 'prometheus') => rows.find((line) => line.startsWith(utcDate(startedAt)) && line.includes(source));
    expect(rowOf(run5![0]!.startedAt)).toMatch(/cpu_spike\s+prometheus\s+detected\s+NodeCpuBusy\s+1\.8 s\s+900 ms$/);
    expect(rowOf(run3![0]!.startedAt)).toMatch(/cpu_spike\s+prometheus\s+not checked\s+-\s+-\s+-$/);
    expect(rowOf(run2![0]!.startedAt, 'alertmanager')).toMatch(/cpu_spike\s+alertmanager\s+detected\s+NodeCpuBusy\s+3\.5 s\s+still firing$/);
    expect(rowOf(run1![1]!.startedAt)).toMatch(/memory_pressure\s+prometheus\s+NOT detected\s+-\s+-\s+-$/);
    // Newest first: run 5's row comes before run 1's.
    expect(out.indexOf(utcDate(run5![0]!.startedAt))).toBeLessThan(out.indexOf(utcDate(run1![0]!.startedAt)));
    expect(out).toMatch(/Drill\s+Checked\s+Detected\s+Median time to detect\s+Worst time to detect/);
    expect(out).toMatch(/cpu_spike\s+3\s+3\s+2\.4 s\s+3\.0 s\n/);
    expect(out).toMatch(/memory_pressure\s+2\s+1\s+12\.5 s\s+12\.5 s\n/);
    expect(out).toContain('1 check could not ask the monitoring (newest: Prometheus at http://127.0.0.1:9/ did not answer (connect ECONNREFUSED 127.0.0.1:9))');
  });

  it('--json gives {machine, rows, perDrill}, and --limit counts runs', async () => {
    const result = await runCli(['history', '--detection', '--json', '--limit', '3', '--machine', 'host-a', '--data-dir', dataDir], { env: ENV });
    expect(result.code, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout) as {
      machine: string;
      rows: Array<{ runId: string; drill: string; verdict: string; timeToDetectMs: number | null }>;
      perDrill: Array<{ drill: string; checked: number; detected: number; medianTimeToDetectMs: number | null; worstTimeToDetectMs: number | null }>;
    };
    expect(answer.machine).toBe('host-a');
    const ids = detectionRuns('host-a').map((report) => report.runId);
    expect([...new Set(answer.rows.map((row) => row.runId))]).toEqual([ids[5], ids[3], ids[2]]);
    expect(answer.rows.map((row) => row.verdict)).toEqual(['detected', 'not checked', 'detected', 'detected', 'detected']);
    expect(answer.perDrill).toEqual([
      { drill: 'cpu_spike', checked: 2, detected: 2, medianTimeToDetectMs: 2_400, worstTimeToDetectMs: 3_000 },
      { drill: 'memory_pressure', checked: 1, detected: 1, medianTimeToDetectMs: 12_500, worstTimeToDetectMs: 12_500 },
    ]);
  });

  it('without any verification says how to turn it on', async () => {
    const result = await runCli(['history', '--detection', '--machine', 'host-a', '--data-dir', plainDir], { env: ENV });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'No run on host-a had monitoring verification configured: run "firedrill run --prometheus URL" (or set detection.prometheus.url in the config)',
    );
    expect(result.stdout).not.toContain('Time to detect');
    const json = await runCli(['history', '--detection', '--json', '--machine', 'host-a', '--data-dir', plainDir], { env: ENV });
    expect(JSON.parse(json.stdout)).toEqual({ machine: 'host-a', rows: [], perDrill: [] });
  });
});
