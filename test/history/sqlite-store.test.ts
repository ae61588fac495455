import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HISTORY_FILE_NAME, MIGRATIONS, SCHEMA_VERSION, SESSION_FILTERS, SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { makeIncident, makeReport, makeSession } from './fixtures/reports.js';

const WRITER = path.resolve('test/history/fixtures/write-runs.ts');

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-history-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function startWriter(machine: string, count: number, eventsPerDrill = 1, waitForGo = false) {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir, machine, String(count), String(eventsPerDrill)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, WAIT_FOR_GO: waitForGo ? '1' : '0' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => stdout, errors: () => stderr };
}

/** Every run has all its result rows and every result all its event rows. */
function assertNoHalfRuns(file: string): { runs: number } {
  const db = new Database(file, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const incomplete = db
      .prepare(
        `SELECT runs.id FROM runs
         LEFT JOIN (SELECT run_id, count(*) AS n, sum(events_triggered) AS expected_events FROM results GROUP BY run_id) r ON r.run_id = runs.id
         LEFT JOIN (SELECT run_id, count(*) AS n FROM events GROUP BY run_id) e ON e.run_id = runs.id
         WHERE coalesce(r.n, 0) != runs.total OR coalesce(e.n, 0) != runs.events OR coalesce(r.expected_events, 0) != runs.events`,
      )
      .all();
    expect(incomplete).toEqual([]);
    return { runs: (db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n };
  } finally {
    db.close();
  }
}

describe('SQLite history store', () => {
  it('creates history.sqlite in the data dir, in WAL mode, at the current schema version', async () => {
    const store = SqliteHistoryStore.open(path.join(dataDir, 'nested'));
    await store.saveRun(makeReport(0, 'host-a'));
    expect(store.file).toBe(path.join(dataDir, 'nested', HISTORY_FILE_NAME));
    await store.close();
    const db = new Database(path.join(dataDir, 'nested', HISTORY_FILE_NAME), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
    db.close();
  });

  it('saving the same run again replaces it instead of doubling it', async () => {
    const store = SqliteHistoryStore.open(dataDir);
    await store.saveRun(makeReport(1, 'host-a'));
    await store.saveRun(makeReport(1, 'host-a'));
    expect(await store.countRuns('host-a')).toBe(1);
    expect((await store.getRun(makeReport(1, 'host-a').runId))?.results).toHaveLength(5);
    await store.close();
    assertNoHalfRuns(path.join(dataDir, HISTORY_FILE_NAME));
  });

  it('migrates a v1 file (runs, results, events; no incidents, no detection) and keeps its runs', async () => {
    const file = path.join(dataDir, HISTORY_FILE_NAME);
    // The schema the first release wrote, spelled out here so that a later edit of MIGRATIONS[0] is caught.
    const old = new Database(file);
    old.exec(`
      CREATE TABLE runs (id TEXT PRIMARY KEY, machine TEXT NOT NULL, started_at TEXT NOT NULL, started_ms INTEGER NOT NULL,
        finished_at TEXT NOT NULL, total INTEGER NOT NULL, passed INTEGER NOT NULL, failed INTEGER NOT NULL, events INTEGER NOT NULL);
      CREATE INDEX runs_by_machine_time ON runs (machine, started_ms DESC);
      CREATE INDEX runs_by_time ON runs (started_ms DESC);
      CREATE TABLE results (run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE, position INTEGER NOT NULL,
        machine TEXT NOT NULL, test TEXT NOT NULL, success INTEGER NOT NULL, events_triggered INTEGER NOT NULL,
        started_at TEXT NOT NULL, started_ms INTEGER NOT NULL, completed_at TEXT NOT NULL, duration_ms INTEGER NOT NULL,
        measured TEXT NOT NULL, summary TEXT NOT NULL, error TEXT, PRIMARY KEY (run_id, position)) WITHOUT ROWID;
      CREATE INDEX results_failures_by_machine ON results (machine, success, test, started_ms);
      CREATE INDEX results_failures ON results (success, test, started_ms);
      CREATE TABLE events (run_id TEXT NOT NULL, result_position INTEGER NOT NULL, position INTEGER NOT NULL, type TEXT NOT NULL,
        at TEXT NOT NULL, value REAL NOT NULL, threshold REAL, detail TEXT, PRIMARY KEY (run_id, result_position, position),
        FOREIGN KEY (run_id, result_position) REFERENCES results (run_id, position) ON DELETE CASCADE) WITHOUT ROWID;
      INSERT INTO runs VALUES ('old-run', 'old-host', '2025-12-28T14:20:00.000Z', ${Date.parse('2025-12-28T14:20:00.000Z')},
        '2025-12-28T14:26:00.000Z', 2, 1, 1, 1);
      INSERT INTO results VALUES ('old-run', 0, 'old-host', 'cpu_spike', 1, 1, '2025-12-28T14:20:00.000Z', 0,
        '2025-12-28T14:21:00.000Z', 60000, '{"cpuPercentPeak":97.5}', 'CPU reached 97.5 %', NULL);
      INSERT INTO results VALUES ('old-run', 1, 'old-host', 'memory_pressure', 0, 0, '2025-12-28T14:21:00.000Z', 0,
        '2025-12-28T14:22:00.000Z', 60000, '{}', 'memory stayed at 42 %', 'memory use did not pass 80 %');
      INSERT INTO events VALUES ('old-run', 0, 0, 'cpu_high', '2025-12-28T14:20:03.000Z', 97.5, 80, NULL);
      PRAGMA user_version = 1;
    `);
    old.close();

    const store = SqliteHistoryStore.open(dataDir);
    const run = await store.getRun('old-run');
    expect(run?.results.map((result) => [result.test, result.success, result.events.length, result.detection])).toEqual([
      ['cpu_spike', true, 1, undefined],
      ['memory_pressure', false, 0, undefined],
    ]);
    expect(await store.failures({ machine: 'old-host' })).toMatchObject([{ drill: 'memory_pressure', failures: 1, lastReason: 'memory use did not pass 80 %' }]);
    // What v2 added works on the migrated file.
    await store.saveIncident(makeIncident(1, 'old-host'));
    const report = makeReport(2, 'old-host');
    report.results[0]!.detection = [{ source: 'alertmanager', detected: true, alerts: [], summary: 'detected by NodeCpuBusy after 2.4 s' }];
    await store.saveRun(report);
    expect((await store.getRun(report.runId))?.results[0]?.detection?.[0]?.summary).toBe('detected by NodeCpuBusy after 2.4 s');
    expect(await store.countIncidents('old-host')).toBe(1);
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('migrates a v3 file with runs, incidents and a queued outbox to v4: all kept, the queue in order, sessions saved', async () => {
    const file = path.join(dataDir, HISTORY_FILE_NAME);
    // v3 as shipped: the first three migrations, then data written the way v3 wrote it.
    const old = new Database(file);
    for (const step of MIGRATIONS.slice(0, 3)) old.exec(step);
    old.pragma('user_version = 3');
    old.exec(`
      INSERT INTO runs VALUES ('v3-run', 'v3-host', '2026-01-02T10:00:00.000Z', ${Date.parse('2026-01-02T10:00:00.000Z')},
        '2026-01-02T10:05:00.000Z', 1, 1, 0, 0);
      INSERT INTO results VALUES ('v3-run', 0, 'v3-host', 'cpu_spike', 1, 0, '2026-01-02T10:00:00.000Z', 0,
        '2026-01-02T10:01:00.000Z', 60000, '{"cpuPercentPeak":99}', 'CPU reached 99.0 %', NULL, NULL);
      INSERT INTO incidents VALUES ('v3-incident', 'v3-host', 'memory-leak-api', 'built-in', 'high', '2026-01-02T11:00:00.000Z',
        ${Date.parse('2026-01-02T11:00:00.000Z')}, '2026-01-02T11:02:00.000Z', 'completed', NULL, NULL, NULL, '[]', '[]');
      INSERT INTO outbox (kind, item_id, queued_at, attempts, last_error) VALUES ('incident', 'v3-incident', '2026-01-02T11:02:00.000Z', 2, 'refused');
      INSERT INTO outbox (kind, item_id, queued_at) VALUES ('run', 'v3-run', '2026-01-02T11:02:00.000Z');
    `);
    old.close();

    const store = SqliteHistoryStore.open(dataDir);
    try {
      expect((await store.getRun('v3-run'))?.results[0]?.summary).toBe('CPU reached 99.0 %');
      expect(store.getIncidentSync('v3-incident')?.scenarioId).toBe('memory-leak-api');
      // Same queued_at: the queue keeps the order the items were queued in, and their attempts.
      expect(store.outboxPeek(10)).toEqual([
        { kind: 'incident', id: 'v3-incident', attempts: 2 },
        { kind: 'run', id: 'v3-run', attempts: 0 },
      ]);
      const session = makeSession(1, 'v3-host', 'gameday');
      store.saveSessionSync(session, true);
      expect(store.getSessionSync(session.id)?.detail).toEqual(session.detail);
      expect(store.outboxCountByKind()).toEqual({ runs: 1, incidents: 1, sessions: 1, attempts: 0 });
      expect(await store.machines()).toEqual(['v3-host']);
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  });

  it('reads each session filter through its own index, in list order (no scan of every session, no sort)', async () => {
    const store = SqliteHistoryStore.open(dataDir);
    await store.close();
    const db = new Database(path.join(dataDir, HISTORY_FILE_NAME), { readonly: true });
    const plan = (where: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN SELECT summary, figures FROM sessions ${where} ORDER BY started_ms DESC, id DESC LIMIT 20`).all({ kind: 'demo', machine: 'm' }) as Array<{ detail: string }>)
        .map((row) => row.detail)
        .join('; ');
    expect(plan(SESSION_FILTERS.all)).toMatch(/SCAN sessions USING INDEX sessions_page\b/);
    expect(plan(SESSION_FILTERS.kind)).toMatch(/SEARCH sessions USING INDEX sessions_page_by_kind \(kind=\?\)/);
    expect(plan(SESSION_FILTERS.machine)).toMatch(/SEARCH sessions USING INDEX sessions_page_by_machine \(machine=\?\)/);
    expect(plan(SESSION_FILTERS.machineKind)).toMatch(/SEARCH sessions USING INDEX sessions_page_by_machine_kind \(machine=\? AND kind=\?\)/);
    for (const where of Object.values(SESSION_FILTERS)) expect(plan(where)).not.toMatch(/TEMP B-TREE/);
    db.close();
  });

  it('failures and compare: one row per drill and per machine when the newest two share a millisecond, the later run\'s', async () => {
    const store = SqliteHistoryStore.open(dataDir);
    try {
      // Run 0 fails its first drill (failEvery 4); runs "a" and "b" are copies of it under two ids, at the same instant.
      const first = makeReport(0, 'tie-host');
      await store.saveRun({ ...first, runId: 'tie-host-run-a', results: first.results.map((result) => ({ ...result, error: 'first of the two' })) });
      await store.saveRun({ ...first, runId: 'tie-host-run-b', results: first.results.map((result) => ({ ...result, error: 'second of the two' })) });
      const failed = first.results.filter((result) => !result.success).map((result) => result.test);
      for (const query of [{}, { machine: 'tie-host' }]) {
        const rows = await store.failures(query);
        expect(rows.map((row) => row.drill).sort()).toEqual([...failed].sort());
        for (const row of rows) expect(row).toMatchObject({ failures: 2, lastFailedAt: first.results.find((result) => result.test === row.drill)!.startedAt, lastReason: 'second of the two' });
      }
      expect(await store.compare()).toEqual([{ machine: 'tie-host', runs: 2, passRatePercent: expect.any(Number), events: first.summary.eventsTriggered * 2, lastRunAt: first.startedAt }]);
    } finally {
      await store.close();
    }
  });

  it('refuses a file written by a newer firedrill, naming the file', () => {
    const file = path.join(dataDir, HISTORY_FILE_NAME);
    const db = new Database(file);
    for (const step of MIGRATIONS) db.exec(step);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => SqliteHistoryStore.open(dataDir)).toThrow(new RegExp(`${HISTORY_FILE_NAME}: this history was written by a newer firedrill`));
    expect(() => SqliteHistoryStore.open(dataDir, { readOnly: true })).toThrow(new RegExp(`${HISTORY_FILE_NAME}: this history was written by a newer firedrill`));
  });

  // 100 each is plenty to interleave their transactions; the time allowed is for a loaded machine (every save is fsync'ed).
  it('two processes saving 100 runs each at once leave 200 intact runs', async () => {
    const writers = [startWriter('writer-one', 100, 1, true), startWriter('writer-two', 100, 1, true)];
    await Promise.all(
      writers.map(
        (writer) =>
          new Promise<void>((resolve) => {
            const check = () => (writer.output().includes('ready\n') ? resolve() : undefined);
            writer.child.stdout.on('data', check);
            check();
          }),
      ),
    );
    for (const writer of writers) writer.child.stdin.end('go\n');
    const results = await Promise.all(writers.map((writer) => writer.exited));
    writers.forEach((writer, index) => expect(results[index], writer.errors()).toEqual({ code: 0, signal: null }));
    expect(assertNoHalfRuns(path.join(dataDir, HISTORY_FILE_NAME)).runs).toBe(200);
    const store = SqliteHistoryStore.open(dataDir);
    expect(await store.countRuns('writer-one')).toBe(100);
    expect(await store.countRuns('writer-two')).toBe(100);
    await store.close();
  }, 180_000);

  it('a writer killed with SIGKILL mid-way leaves a sound file and no half run', async () => {
    const writer = startWriter('killed', 100_000, 40);
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (/saved 30\n/.test(writer.output())) {
          writer.child.kill('SIGKILL');
          resolve();
        }
      };
      writer.child.stdout.on('data', check);
      writer.exited.then(() => reject(new Error(`the writer exited before it was killed: ${writer.errors()}`)));
    });
    expect((await writer.exited).signal).toBe('SIGKILL');
    const { runs } = assertNoHalfRuns(path.join(dataDir, HISTORY_FILE_NAME));
    expect(runs).toBeGreaterThanOrEqual(30);
    // The store opens again and takes new runs.
    const store = SqliteHistoryStore.open(dataDir);
    await store.saveRun(makeReport(0, 'after-the-kill'));
    expect(await store.countRuns()).toBe(runs + 1);
    await store.close();
  });
});
