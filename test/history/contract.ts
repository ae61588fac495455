import { afterEach, beforeEach, expect, it } from 'vitest';
import type { HistoryStore } from '../../src/history/store.js';
import { detectionRuns } from './fixtures/detection.js';
import { makeIncident, makeReport, makeSession } from './fixtures/reports.js';

export interface ContractSubject {
  store: HistoryStore;
  /** Closes the store and removes whatever the test created. */
  dispose(): Promise<void>;
}

/**
 * What every HistoryStore must do, run against each store: the same answers from SQLite and Neo4j.
 * `open` must give an empty store (machine names are unique to the call, so a shared Neo4j is fine).
 */
export function historyContract(open: (machinePrefix: string) => Promise<ContractSubject & { prefix: string }>): void {
  let subject: ContractSubject & { prefix: string };
  let alpha: string;
  let beta: string;

  beforeEach(async () => {
    subject = await open(`contract-${process.pid}-${Date.now()}`);
    alpha = `${subject.prefix}-alpha`;
    beta = `${subject.prefix}-beta`;
  });
  afterEach(async () => {
    await subject.dispose();
  });

  it('gives a saved run back whole, drills, measured values, events and errors included', async () => {
    const report = makeReport(3, alpha);
    report.results[1]!.detection = [
      { source: 'prometheus', expected: 'NodeMemoryHigh', detected: false, alerts: [], summary: 'NodeMemoryHigh did not fire within 30 s' },
    ];
    await subject.store.saveRun(report);
    const loaded = await subject.store.getRun(report.runId);
    expect(loaded?.runId).toBe(report.runId);
    expect(loaded?.results).toEqual(report.results);
    expect(loaded?.summary).toEqual(report.summary);
    expect(new Date(loaded!.startedAt).getTime()).toBe(new Date(report.startedAt).getTime());
    expect(await subject.store.getRun(`${subject.prefix}-no-such-run`)).toBeNull();
  });

  it('lists one machine\'s runs newest first, a page at a time, and counts them', async () => {
    for (let index = 0; index < 7; index += 1) await subject.store.saveRun(makeReport(index, alpha));
    await subject.store.saveRun(makeReport(100, beta));
    expect(await subject.store.countRuns(alpha)).toBe(7);
    expect(await subject.store.countRuns(beta)).toBe(1);
    const first = await subject.store.listRuns({ machine: alpha, limit: 3 });
    const second = await subject.store.listRuns({ machine: alpha, limit: 3, offset: 3 });
    const last = await subject.store.listRuns({ machine: alpha, limit: 3, offset: 6 });
    expect([...first, ...second, ...last].map((row) => row.id)).toEqual(
      [6, 5, 4, 3, 2, 1, 0].map((index) => makeReport(index, alpha).runId),
    );
    const row = first[0]!;
    const report = makeReport(6, alpha);
    expect(row).toMatchObject({ machine: alpha, total: 5, passed: report.summary.passed, failed: report.summary.failed, events: report.summary.eventsTriggered });
  });

  it('counts failures per drill, most first, with the last failure\'s reason', async () => {
    // failEvery 4: drill d fails in run i when (i + d) % 4 === 0.
    for (let index = 0; index < 8; index += 1) await subject.store.saveRun(makeReport(index, alpha, { drills: 3 }));
    await subject.store.saveRun(makeReport(20, beta, { drills: 3, failEvery: 1 }));
    const failures = await subject.store.failures({ machine: alpha });
    expect(failures.map((row) => [row.drill, row.failures])).toEqual([
      ['cpu_spike', 2],
      ['disk_fill', 2],
      ['memory_pressure', 2],
    ]);
    const cpu = failures.find((row) => row.drill === 'cpu_spike')!;
    expect(cpu.lastReason).toBe('cpu_spike failed in run 4');
    expect(new Date(cpu.lastFailedAt).toISOString()).toBe(makeReport(4, alpha).results[0]!.startedAt);
    expect(await subject.store.failures({ machine: `${subject.prefix}-nobody` })).toEqual([]);
  });

  it('compares machines and computes statistics as the original did (mean of per-run pass rates)', async () => {
    await subject.store.saveRun(makeReport(0, alpha, { failEvery: 100 })); // drill 0 fails: 4/5
    await subject.store.saveRun(makeReport(1, alpha, { failEvery: 1 })); // all fail: 0/5
    await subject.store.saveRun(makeReport(2, beta, { failEvery: 1000 })); // 5/5
    const stats = await subject.store.stats(alpha);
    expect(stats.runs).toBe(2);
    expect(stats.averagePassRatePercent).toBeCloseTo(40, 5);
    expect(stats.events).toBe(4);
    const rows = (await subject.store.compare()).filter((row) => row.machine.startsWith(subject.prefix));
    expect(rows.map((row) => [row.machine, row.runs, Math.round(row.passRatePercent!), row.events])).toEqual([
      [alpha, 2, 40, 4],
      [beta, 1, 100, 5],
    ]);
    expect(new Date(rows[0]!.lastRunAt!).toISOString()).toBe(makeReport(1, alpha).startedAt);
    expect(await subject.store.stats(`${subject.prefix}-nobody`)).toEqual({ runs: 0, averagePassRatePercent: null, events: 0 });
  });

  it('draws the pass-rate trend in equal slices of time', async () => {
    await subject.store.saveRun(makeReport(0, alpha, { failEvery: 1 })); // 0 %
    await subject.store.saveRun(makeReport(1, alpha, { failEvery: 1000 })); // 100 %
    await subject.store.saveRun(makeReport(9, alpha, { failEvery: 1000 })); // 100 %
    const trend = await subject.store.passRateTrend(alpha, 3);
    expect(trend.map((bucket) => [bucket.runs, bucket.passRatePercent])).toEqual([
      [2, 50],
      [0, null],
      [1, 100],
    ]);
    expect(await subject.store.passRateTrend(`${subject.prefix}-nobody`, 3)).toEqual([]);
  });

  it('keeps incident simulations with their top hypothesis, and knows every machine', async () => {
    await subject.store.saveIncident(makeIncident(1, beta));
    await subject.store.saveIncident(makeIncident(2, beta));
    await subject.store.saveRun(makeReport(0, alpha));
    const incidents = await subject.store.listIncidents({ machine: beta, limit: 10 });
    expect(incidents.map((record) => record.id)).toEqual([makeIncident(2, beta).id, makeIncident(1, beta).id]);
    expect(incidents[0]!.topHypothesis).toEqual({ description: 'A memory leak in the API after the last deploy', category: 'memory_leak', confidence: 0.82 });
    expect(incidents[0]!.hypotheses).toEqual(makeIncident(2, beta).hypotheses);
    expect(incidents[0]!.actions).toEqual(makeIncident(2, beta).actions);
    expect(await subject.store.countIncidents(beta)).toBe(2);
    expect(await subject.store.countIncidents(alpha)).toBe(0);
    const machines = (await subject.store.machines()).filter((name) => name.startsWith(subject.prefix));
    expect(machines).toEqual([alpha, beta]);
  });

  it('reads the monitoring verifications of the newest runs that have one, newest first, drills in order', async () => {
    for (const report of detectionRuns(alpha)) await subject.store.saveRun(report);
    await subject.store.saveRun(detectionRuns(beta)[5]!);
    const id = (index: number) => detectionRuns(alpha)[index]!.runId;
    const records = await subject.store.detectionHistory({ machine: alpha, limit: 10 });
    expect(records.map((record) => [record.runId, record.drill])).toEqual([
      [id(5), 'cpu_spike'],
      [id(3), 'cpu_spike'],
      [id(2), 'cpu_spike'],
      [id(2), 'memory_pressure'],
      [id(1), 'cpu_spike'],
      [id(1), 'memory_pressure'],
    ]);
    const run2 = detectionRuns(alpha)[2]!;
    expect(records[2]!.detection).toEqual(run2.results[0]!.detection);
    expect(records[2]!.machine).toBe(alpha);
    expect(new Date(records[2]!.startedAt).toISOString()).toBe(run2.results[0]!.startedAt);
    expect(new Date(records[2]!.runStartedAt).toISOString()).toBe(run2.startedAt);
    // The limit counts runs that have a verification: run 4 (none) does not use one up.
    const two = await subject.store.detectionHistory({ machine: alpha, limit: 2 });
    expect(two.map((record) => record.runId)).toEqual([id(5), id(3)]);
    expect(await subject.store.detectionHistory({ machine: `${subject.prefix}-nobody`, limit: 10 })).toEqual([]);
  });

  it('gives a saved session back whole, figures and detail included, and replaces it when saved again', async () => {
    const session = makeSession(2, alpha, 'demo');
    await subject.store.saveSession(session);
    const loaded = await subject.store.getSession(session.id);
    expect(loaded).toMatchObject({ ...session, startedAt: expect.any(String), finishedAt: expect.any(String) });
    expect(new Date(loaded!.startedAt).toISOString()).toBe(session.startedAt);
    expect(loaded!.detail).toEqual(session.detail);
    expect(loaded!.figures).toEqual(session.figures);
    await subject.store.saveSession({ ...session, summary: 'saved again', verdict: undefined });
    expect(await subject.store.countSessions({ machine: alpha })).toBe(1);
    const again = await subject.store.getSession(session.id);
    expect(again?.summary).toBe('saved again');
    expect(again).not.toHaveProperty('verdict');
    expect(await subject.store.getSession(`${subject.prefix}-no-such-session`)).toBeNull();
  });

  it('lists sessions newest first by kind and machine, a page at a time, without their detail, and counts them', async () => {
    for (let index = 0; index < 5; index += 1) await subject.store.saveSession(makeSession(index, alpha, 'experiment'));
    for (let index = 0; index < 2; index += 1) await subject.store.saveSession(makeSession(10 + index, alpha, 'workload'));
    await subject.store.saveSession(makeSession(20, beta, 'experiment'));
    const ids = (rows: ReadonlyArray<{ id: string }>) => rows.map((row) => row.id);
    const first = await subject.store.listSessions({ machine: alpha, kind: 'experiment', limit: 2 });
    const rest = await subject.store.listSessions({ machine: alpha, kind: 'experiment', limit: 10, offset: 2 });
    expect([...ids(first), ...ids(rest)]).toEqual([4, 3, 2, 1, 0].map((index) => makeSession(index, alpha).id));
    expect(first[0]).not.toHaveProperty('detail');
    expect(first[0]).toMatchObject({ kind: 'experiment', title: 'experiment number 4', status: 'completed', verdict: 'passed', summary: 'experiment 4: recovered after 5.5 s' });
    expect(first[0]!.figures).toEqual(makeSession(4, alpha).figures);
    expect(ids(await subject.store.listSessions({ machine: alpha, limit: 3 }))).toEqual([
      makeSession(11, alpha, 'workload').id,
      makeSession(10, alpha, 'workload').id,
      makeSession(4, alpha).id,
    ]);
    const everyExperiment = ids(await subject.store.listSessions({ kind: 'experiment', limit: 100 })).filter((id) => id.startsWith(subject.prefix));
    expect(everyExperiment).toEqual([makeSession(20, beta).id, ...[4, 3, 2, 1, 0].map((index) => makeSession(index, alpha).id)]);
    expect(await subject.store.countSessions({ machine: alpha })).toBe(7);
    expect(await subject.store.countSessions({ machine: alpha, kind: 'workload' })).toBe(2);
    expect(await subject.store.countSessions({ machine: beta, kind: 'workload' })).toBe(0);
    const machines = (await subject.store.machines()).filter((name) => name.startsWith(subject.prefix));
    expect(machines).toEqual([alpha, beta]);
  });

  it('refuses a session outside its bounds, naming the field, and keeps nothing of it', async () => {
    const good = makeSession(1, alpha);
    await expect(subject.store.saveSession({ ...good, kind: 'bogus' as never })).rejects.toThrow(/session ".*": kind: expected .*found "bogus"/);
    await expect(subject.store.saveSession({ ...good, figures: { 'bad name': 1 } })).rejects.toThrow(/figures\.bad name: expected a name/);
    await expect(subject.store.saveSession({ ...good, figures: { ratio: Number.NaN } })).rejects.toThrow(/figures\.ratio/);
    await expect(subject.store.saveSession({ ...good, summary: 'two\nlines' })).rejects.toThrow(/summary: expected one line of 1 to 300 characters, without control characters/);
    await expect(subject.store.saveSession({ ...good, detail: { blob: 'x'.repeat(300 * 1024) } })).rejects.toThrow(/detail: expected JSON of at most 256\.0 KiB, found an object of 300\.0 KiB/);
    expect(await subject.store.countSessions({ machine: alpha })).toBe(0);
  });
}
