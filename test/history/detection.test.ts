import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectionReport } from '../../src/history/detection-report.js';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { detectionRuns } from './fixtures/detection.js';
import { makeReport } from './fixtures/reports.js';

let dataDir: string;
let store: SqliteHistoryStore;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-detection-'));
  store = SqliteHistoryStore.open(dataDir);
  for (const report of detectionRuns('host-a')) await store.saveRun(report);
  // host-b's run is the newest of all (index 5 + 24 h), and the only one on host-b with a verification.
  const hostB = detectionRuns('host-b')[5]!;
  const later = makeReport(29, 'host-b', { drills: 3, failEvery: 1000 });
  later.results[0]!.detection = hostB.results[0]!.detection;
  await store.saveRun(later);
});
afterAll(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('SQLite detectionHistory and the detection report', () => {
  it('reads every machine when none is given, still newest run first', async () => {
    const records = await store.detectionHistory({ limit: 2 });
    expect(records.map((record) => [record.machine, record.drill])).toEqual([
      ['host-b', 'cpu_spike'],
      ['host-a', 'cpu_spike'],
    ]);
    expect(records[1]!.runId).toBe(makeReport(5, 'host-a').runId);
  });

  it('gives one row per source with verdict, alert and times, and a per-drill median and worst', async () => {
    const report = detectionReport(await store.detectionHistory({ machine: 'host-a', limit: 10 }));
    expect(report.rows.map((row) => [row.drill, row.source, row.verdict, row.alert, row.timeToDetectMs, row.timeToResolveMs, row.stillFiring])).toEqual([
      ['cpu_spike', 'prometheus', 'detected', 'NodeCpuBusy', 1_800, 900, false],
      ['cpu_spike', 'prometheus', 'not checked', null, null, null, false],
      ['cpu_spike', 'prometheus', 'detected', 'NodeCpuBusy', 3_000, null, true],
      ['cpu_spike', 'alertmanager', 'detected', 'NodeCpuBusy', 3_500, null, true],
      ['memory_pressure', 'prometheus', 'detected', 'NodeMemoryHigh', 12_500, 4_000, false],
      ['cpu_spike', 'prometheus', 'detected', 'NodeCpuBusy', 2_400, 1_100, false],
      ['memory_pressure', 'prometheus', 'not detected', null, null, null, false],
    ]);
    expect(report.rows[1]!.error).toContain('ECONNREFUSED');
    expect(report.perDrill).toEqual([
      // Run 2 counts once, at its fastest source (3.0 s); run 3 could not be checked.
      { drill: 'cpu_spike', checked: 3, detected: 3, medianTimeToDetectMs: 2_400, worstTimeToDetectMs: 3_000 },
      { drill: 'memory_pressure', checked: 2, detected: 1, medianTimeToDetectMs: 12_500, worstTimeToDetectMs: 12_500 },
    ]);
  });

  it('takes the median of an even count as the mean of the middle two', async () => {
    const report = detectionReport(await store.detectionHistory({ machine: 'host-a', limit: 2 }));
    // Runs 5 and 3: only run 5 was checked.
    expect(report.perDrill).toEqual([{ drill: 'cpu_spike', checked: 1, detected: 1, medianTimeToDetectMs: 1_800, worstTimeToDetectMs: 1_800 }]);
    // Runs 5, 3 and 2: cpu_spike detected after 1.8 s and 3.0 s.
    const withoutRun1 = detectionReport(await store.detectionHistory({ machine: 'host-a', limit: 3 }));
    expect(withoutRun1.perDrill[0]).toMatchObject({ checked: 2, detected: 2, medianTimeToDetectMs: (1_800 + 3_000) / 2 });
  });
});
