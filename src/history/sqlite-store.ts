/**
 * History on this machine: one SQLite file (history.sqlite in the data dir), written by better-sqlite3.
 * WAL and a busy timeout let a cron run and the console write at once; each run is one IMMEDIATE
 * transaction, so a reader never sees half a run and a killed writer leaves none behind.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Detection, DrillName, DrillResult, Measured, MonitorEvent, MonitorEventType, RunReport } from '../drills/types.js';
import { TRAINING_MIGRATION } from '../training/migration.js';
import { HistoryFileError, namingFile, openReadOnly, openWritable } from './sqlite-file.js';
import {
  bucketTrend,
  trendSliceMs,
  type DetectionRecord,
  type FailureRow,
  type HistoryStats,
  type HistoryStore,
  type IncidentRecord,
  type MachineRow,
  type PageQuery,
  type RunSummaryRow,
  type TrendBucket,
} from './store.js';
import { validateSession, type SessionKind, type SessionQuery, type SessionRecord, type SessionStatus, type SessionSummary } from './sessions.js';

export const HISTORY_FILE_NAME = 'history.sqlite';

/**
 * Each entry takes the schema from version N to N+1 (PRAGMA user_version). Never edit a shipped
 * entry: add one. v1 is what the first release wrote; v2 added incidents, the monitoring
 * verification of each drill and the outbox that replicates to Neo4j; v3 indexes that cover statistics and paging;
 * v4 the sessions of the new modes (demos, experiments, gamedays, workloads) and their outbox kind;
 * v5 the training mode's trainees, exercises, attempts and stage answers, and their outbox kind.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    machine TEXT NOT NULL,
    started_at TEXT NOT NULL,
    started_ms INTEGER NOT NULL,
    finished_at TEXT NOT NULL,
    total INTEGER NOT NULL,
    passed INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    events INTEGER NOT NULL
  );
  CREATE INDEX runs_by_machine_time ON runs (machine, started_ms DESC);
  CREATE INDEX runs_by_time ON runs (started_ms DESC);
  CREATE TABLE results (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    machine TEXT NOT NULL,
    test TEXT NOT NULL,
    success INTEGER NOT NULL,
    events_triggered INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    started_ms INTEGER NOT NULL,
    completed_at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    measured TEXT NOT NULL,
    summary TEXT NOT NULL,
    error TEXT,
    PRIMARY KEY (run_id, position)
  ) WITHOUT ROWID;
  CREATE INDEX results_failures_by_machine ON results (machine, success, test, started_ms);
  CREATE INDEX results_failures ON results (success, test, started_ms);
  CREATE TABLE events (
    run_id TEXT NOT NULL,
    result_position INTEGER NOT NULL,
    position INTEGER NOT NULL,
    type TEXT NOT NULL,
    at TEXT NOT NULL,
    value REAL NOT NULL,
    threshold REAL,
    detail TEXT,
    PRIMARY KEY (run_id, result_position, position),
    FOREIGN KEY (run_id, result_position) REFERENCES results (run_id, position) ON DELETE CASCADE
  ) WITHOUT ROWID;
  `,
  `
  ALTER TABLE results ADD COLUMN detection TEXT;
  CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    machine TEXT NOT NULL,
    scenario_id TEXT NOT NULL,
    source TEXT NOT NULL,
    severity TEXT NOT NULL,
    started_at TEXT NOT NULL,
    started_ms INTEGER NOT NULL,
    finished_at TEXT NOT NULL,
    status TEXT NOT NULL,
    top_description TEXT,
    top_category TEXT,
    top_confidence REAL,
    hypotheses TEXT NOT NULL,
    actions TEXT NOT NULL
  );
  CREATE INDEX incidents_by_machine_time ON incidents (machine, started_ms DESC);
  CREATE INDEX incidents_by_time ON incidents (started_ms DESC);
  CREATE TABLE outbox (
    kind TEXT NOT NULL CHECK (kind IN ('run', 'incident')),
    item_id TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (kind, item_id)
  );
  `,
  `
  -- Covers statistics and compare, so that they read one index instead of every run's row.
  CREATE INDEX runs_stats_by_machine ON runs (machine, total, passed, events, started_ms);
  -- The list's full order (time, then id for runs started in the same millisecond), so that a page
  -- deep in the list skips index entries instead of sorting every run of the machine.
  DROP INDEX runs_by_machine_time;
  DROP INDEX runs_by_time;
  CREATE INDEX runs_page_by_machine ON runs (machine, started_ms DESC, id DESC);
  CREATE INDEX runs_page ON runs (started_ms DESC, id DESC);
  `,
  `
  -- No CHECK on kind: the schema in sessions.ts bounds it, so that a new mode needs no migration.
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    machine TEXT NOT NULL,
    subject TEXT NOT NULL,
    title TEXT NOT NULL,
    started_at TEXT NOT NULL,
    started_ms INTEGER NOT NULL,
    finished_at TEXT NOT NULL,
    status TEXT NOT NULL,
    verdict TEXT,
    summary TEXT NOT NULL,
    figures TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  CREATE INDEX sessions_page ON sessions (started_ms DESC, id DESC);
  CREATE INDEX sessions_page_by_kind ON sessions (kind, started_ms DESC, id DESC);
  CREATE INDEX sessions_page_by_machine ON sessions (machine, started_ms DESC, id DESC);
  CREATE INDEX sessions_page_by_machine_kind ON sessions (machine, kind, started_ms DESC, id DESC);
  -- The outbox's CHECK gains 'session'; SQLite changes a CHECK only by copying the table (queue order kept).
  CREATE TABLE outbox_v4 (
    kind TEXT NOT NULL CHECK (kind IN ('run', 'incident', 'session')),
    item_id TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (kind, item_id)
  );
  INSERT INTO outbox_v4 (kind, item_id, queued_at, attempts, last_error)
    SELECT kind, item_id, queued_at, attempts, last_error FROM outbox ORDER BY rowid;
  DROP TABLE outbox;
  ALTER TABLE outbox_v4 RENAME TO outbox;
  `,
  // The training mode's trainees, exercises, attempts and stage answers (src/training/store.ts),
  // and their outbox kind; SQLite changes a CHECK only by copying the table (queue order kept).
  `${TRAINING_MIGRATION}
  CREATE TABLE outbox_v5 (
    kind TEXT NOT NULL CHECK (kind IN ('run', 'incident', 'session', 'attempt')),
    item_id TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (kind, item_id)
  );
  INSERT INTO outbox_v5 (kind, item_id, queued_at, attempts, last_error)
    SELECT kind, item_id, queued_at, attempts, last_error FROM outbox ORDER BY rowid;
  DROP TABLE outbox;
  ALTER TABLE outbox_v5 RENAME TO outbox;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * The history file opened for writing at the current schema, for a store of its own tables (the
 * training records): refused untouched when it is not firedrill's; errors name the file.
 */
export function openHistoryDatabase(file: string): Database.Database {
  return openWritable(file, MIGRATIONS);
}

export type OutboxKind = 'run' | 'incident' | 'session' | 'attempt';

export interface OutboxItem {
  kind: OutboxKind;
  id: string;
  attempts: number;
}

interface RunRow {
  id: string;
  machine: string;
  started_at: string;
  finished_at: string;
  total: number;
  passed: number;
  failed: number;
  events: number;
}

interface ResultRow {
  position: number;
  test: string;
  success: number;
  events_triggered: number;
  started_at: string;
  completed_at: string;
  duration_ms: number;
  measured: string;
  summary: string;
  error: string | null;
  detection: string | null;
}

interface EventRow {
  result_position: number;
  type: string;
  at: string;
  value: number;
  threshold: number | null;
  detail: string | null;
}

interface IncidentRow {
  id: string;
  machine: string;
  scenario_id: string;
  source: string;
  severity: IncidentRecord['severity'];
  started_at: string;
  finished_at: string;
  status: IncidentRecord['status'];
  top_description: string | null;
  top_category: string | null;
  top_confidence: number | null;
  hypotheses: string;
  actions: string;
}

interface SessionRow {
  id: string;
  kind: SessionKind;
  machine: string;
  subject: string;
  title: string;
  started_at: string;
  finished_at: string;
  status: SessionStatus;
  verdict: string | null;
  summary: string;
  figures: string;
  detail?: string;
}

function toSession(row: SessionRow): SessionSummary {
  const session: SessionSummary = {
    id: row.id,
    kind: row.kind,
    machine: row.machine,
    subject: row.subject,
    title: row.title,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: row.status,
    summary: row.summary,
    figures: JSON.parse(row.figures) as SessionSummary['figures'],
  };
  if (row.verdict !== null) session.verdict = row.verdict;
  return session;
}

function epochMs(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : 0;
}

function toSummaryRow(row: RunRow): RunSummaryRow {
  return {
    id: row.id,
    machine: row.machine,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    total: row.total,
    passed: row.passed,
    failed: row.failed,
    events: row.events,
  };
}

function toIncident(row: IncidentRow): IncidentRecord {
  const record: IncidentRecord = {
    id: row.id,
    machine: row.machine,
    scenarioId: row.scenario_id,
    source: row.source,
    severity: row.severity,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: row.status,
    hypotheses: JSON.parse(row.hypotheses) as IncidentRecord['hypotheses'],
    actions: JSON.parse(row.actions) as IncidentRecord['actions'],
  };
  if (row.top_description !== null) {
    record.topHypothesis = {
      description: row.top_description,
      category: row.top_category ?? '',
      confidence: row.top_confidence ?? 0,
    };
  }
  return record;
}

/** The WHERE clause of each session filter (constant text: values go in as @machine and @kind). */
export const SESSION_FILTERS = {
  all: '',
  kind: 'WHERE kind = @kind',
  machine: 'WHERE machine = @machine',
  machineKind: 'WHERE machine = @machine AND kind = @kind',
} as const;
type SessionFilter = keyof typeof SESSION_FILTERS;

function sessionFilters<T>(prepare: (where: string) => T): Record<SessionFilter, T> {
  const entries = Object.entries(SESSION_FILTERS).map(([name, where]) => [name, prepare(where)]);
  return Object.fromEntries(entries) as Record<SessionFilter, T>;
}

function sessionFilterOf(query: { kind?: string; machine?: string }): { filter: SessionFilter; parameters: Record<string, string> } {
  const parameters: Record<string, string> = {};
  if (query.kind !== undefined) parameters.kind = query.kind;
  if (query.machine !== undefined) parameters.machine = query.machine;
  const filter: SessionFilter =
    query.machine === undefined ? (query.kind === undefined ? 'all' : 'kind') : query.kind === undefined ? 'machine' : 'machineKind';
  return { filter, parameters };
}

function prepareStatements(db: Database.Database) {
return {
    insertRun: db.prepare(
      `INSERT INTO runs (id, machine, started_at, started_ms, finished_at, total, passed, failed, events)
       VALUES (@id, @machine, @startedAt, @startedMs, @finishedAt, @total, @passed, @failed, @events)`,
    ),
    deleteRun: db.prepare('DELETE FROM runs WHERE id = ?'),
    insertResult: db.prepare(
      `INSERT INTO results (run_id, position, machine, test, success, events_triggered, started_at, started_ms,
         completed_at, duration_ms, measured, summary, error, detection)
       VALUES (@runId, @position, @machine, @test, @success, @eventsTriggered, @startedAt, @startedMs,
         @completedAt, @durationMs, @measured, @summary, @error, @detection)`,
    ),
    insertEvent: db.prepare(
      `INSERT INTO events (run_id, result_position, position, type, at, value, threshold, detail)
       VALUES (@runId, @resultPosition, @position, @type, @at, @value, @threshold, @detail)`,
    ),
    insertIncident: db.prepare(
      `INSERT OR REPLACE INTO incidents (id, machine, scenario_id, source, severity, started_at, started_ms, finished_at,
         status, top_description, top_category, top_confidence, hypotheses, actions)
       VALUES (@id, @machine, @scenarioId, @source, @severity, @startedAt, @startedMs, @finishedAt,
         @status, @topDescription, @topCategory, @topConfidence, @hypotheses, @actions)`,
    ),
    enqueue: db.prepare(
      `INSERT INTO outbox (kind, item_id, queued_at) VALUES (?, ?, ?)
       ON CONFLICT (kind, item_id) DO UPDATE SET attempts = 0, last_error = NULL`,
    ),
    listRunsAll: db.prepare('SELECT * FROM runs ORDER BY started_ms DESC, id DESC LIMIT ? OFFSET ?'),
    listRunsOf: db.prepare('SELECT * FROM runs WHERE machine = ? ORDER BY started_ms DESC, id DESC LIMIT ? OFFSET ?'),
    countAll: db.prepare('SELECT count(*) AS n FROM runs'),
    countOf: db.prepare('SELECT count(*) AS n FROM runs WHERE machine = ?'),
    getRun: db.prepare('SELECT * FROM runs WHERE id = ?'),
    getResults: db.prepare('SELECT * FROM results WHERE run_id = ? ORDER BY position'),
    getEvents: db.prepare('SELECT * FROM events WHERE run_id = ? ORDER BY result_position, position'),
    // One statement each, rather than one more query per drill (or per machine) for the last one.
    // failures: the counts come from the covering index (…, success, test, started_ms); each drill's
    // newest failure is one seek down the same index per column (ties broken by the primary key, so
    // the three read one row). 1.5x faster than joining back on max(started_ms) and grouping again
    // (30 000 runs, 5 drills: 2.2 against 3.6 ms), and no slower than the query per drill it replaces.
    // compare: the counts from runs_stats_by_machine, then each machine's newest run by one index seek on
    // (machine, started_ms): CROSS JOIN keeps that order (SQLite's planner, without ANALYZE
    // statistics, would otherwise start from every run); the outer GROUP BY keeps one row when two
    // share that millisecond. (Taking the last row's columns beside max() in a single GROUP BY reads
    // every row's text instead: 16x slower at 100 000 runs.)
    failuresAll: db.prepare(
      `SELECT counted.test, count(*) AS n,
         (SELECT newest.started_at FROM results AS newest WHERE newest.success = 0 AND newest.test = counted.test
          ORDER BY newest.started_ms DESC, newest.run_id DESC, newest.position DESC LIMIT 1) AS started_at,
         (SELECT newest.error FROM results AS newest WHERE newest.success = 0 AND newest.test = counted.test
          ORDER BY newest.started_ms DESC, newest.run_id DESC, newest.position DESC LIMIT 1) AS error,
         (SELECT newest.summary FROM results AS newest WHERE newest.success = 0 AND newest.test = counted.test
          ORDER BY newest.started_ms DESC, newest.run_id DESC, newest.position DESC LIMIT 1) AS summary
       FROM results AS counted WHERE counted.success = 0 GROUP BY counted.test`,
    ),
    failuresOf: db.prepare(
      `SELECT counted.test, count(*) AS n,
         (SELECT newest.started_at FROM results AS newest WHERE newest.machine = @machine AND newest.success = 0 AND newest.test = counted.test
          ORDER BY newest.started_ms DESC, newest.run_id DESC, newest.position DESC LIMIT 1) AS started_at,
         (SELECT newest.error FROM results AS newest WHERE newest.machine = @machine AND newest.success = 0 AND newest.test = counted.test
          ORDER BY newest.started_ms DESC, newest.run_id DESC, newest.position DESC LIMIT 1) AS error,
         (SELECT newest.summary FROM results AS newest WHERE newest.machine = @machine AND newest.success = 0 AND newest.test = counted.test
          ORDER BY newest.started_ms DESC, newest.run_id DESC, newest.position DESC LIMIT 1) AS summary
       FROM results AS counted WHERE counted.machine = @machine AND counted.success = 0 GROUP BY counted.test`,
    ),
    compare: db.prepare(
      `SELECT machines.machine, machines.runs, machines.rate, machines.events, last.started_at AS last_at
       FROM (SELECT machine, count(*) AS runs, avg(CASE WHEN total > 0 THEN passed * 1.0 / total END) AS rate,
               sum(events) AS events, max(started_ms) AS last_ms
             FROM runs GROUP BY machine) AS machines
       CROSS JOIN runs AS last ON last.machine = machines.machine AND last.started_ms = machines.last_ms
       GROUP BY machines.machine ORDER BY machines.machine`,
    ),
    statsAll: db.prepare(
      `SELECT count(*) AS runs, avg(CASE WHEN total > 0 THEN passed * 1.0 / total END) AS rate,
         coalesce(sum(events), 0) AS events FROM runs`,
    ),
    statsOf: db.prepare(
      `SELECT count(*) AS runs, avg(CASE WHEN total > 0 THEN passed * 1.0 / total END) AS rate,
         coalesce(sum(events), 0) AS events FROM runs WHERE machine = ?`,
    ),
    spanAll: db.prepare('SELECT min(started_ms) AS first, max(started_ms) AS last FROM runs'),
    spanOf: db.prepare('SELECT min(started_ms) AS first, max(started_ms) AS last FROM runs WHERE machine = ?'),
    trendAll: db.prepare(
      `SELECT CAST((started_ms - @first) / @width AS INTEGER) AS slice, count(*) AS runs,
         coalesce(sum(CASE WHEN total > 0 THEN passed * 1.0 / total END), 0) AS rate_sum,
         count(CASE WHEN total > 0 THEN 1 END) AS rated
       FROM runs GROUP BY slice`,
    ),
    trendOf: db.prepare(
      `SELECT CAST((started_ms - @first) / @width AS INTEGER) AS slice, count(*) AS runs,
         coalesce(sum(CASE WHEN total > 0 THEN passed * 1.0 / total END), 0) AS rate_sum,
         count(CASE WHEN total > 0 THEN 1 END) AS rated
       FROM runs WHERE machine = @machine GROUP BY slice`,
    ),
    machines: db.prepare(
      `SELECT machine FROM runs GROUP BY machine UNION SELECT machine FROM incidents GROUP BY machine
       UNION SELECT machine FROM sessions GROUP BY machine ORDER BY 1`,
    ),
    listIncidentsAll: db.prepare('SELECT * FROM incidents ORDER BY started_ms DESC, id DESC LIMIT ? OFFSET ?'),
    listIncidentsOf: db.prepare('SELECT * FROM incidents WHERE machine = ? ORDER BY started_ms DESC, id DESC LIMIT ? OFFSET ?'),
    // The runs are picked first (newest with a verification, through runs_page*), then joined to
    // their verified results: a run's results are a few rows next to each other in the primary key.
    detectionHistoryAll: db.prepare(
      `SELECT run.id, run.machine, run.started_at AS run_started_at, results.test, results.started_at, results.detection
       FROM (SELECT id, machine, started_at, started_ms FROM runs
             WHERE EXISTS (SELECT 1 FROM results WHERE results.run_id = runs.id AND results.detection IS NOT NULL)
             ORDER BY started_ms DESC, id DESC LIMIT @limit) AS run
       JOIN results ON results.run_id = run.id AND results.detection IS NOT NULL
       ORDER BY run.started_ms DESC, run.id DESC, results.position`,
    ),
    detectionHistoryOf: db.prepare(
      `SELECT run.id, run.machine, run.started_at AS run_started_at, results.test, results.started_at, results.detection
       FROM (SELECT id, machine, started_at, started_ms FROM runs
             WHERE machine = @machine
               AND EXISTS (SELECT 1 FROM results WHERE results.run_id = runs.id AND results.detection IS NOT NULL)
             ORDER BY started_ms DESC, id DESC LIMIT @limit) AS run
       JOIN results ON results.run_id = run.id AND results.detection IS NOT NULL
       ORDER BY run.started_ms DESC, run.id DESC, results.position`,
    ),
    countIncidentsAll: db.prepare('SELECT count(*) AS n FROM incidents'),
    countIncidentsOf: db.prepare('SELECT count(*) AS n FROM incidents WHERE machine = ?'),
    getIncident: db.prepare('SELECT * FROM incidents WHERE id = ?'),
    insertSession: db.prepare(
      `INSERT OR REPLACE INTO sessions (id, kind, machine, subject, title, started_at, started_ms, finished_at, status,
         verdict, summary, figures, detail)
       VALUES (@id, @kind, @machine, @subject, @title, @startedAt, @startedMs, @finishedAt, @status,
         @verdict, @summary, @figures, @detail)`,
    ),
    // A statement per filter (rather than "@kind IS NULL OR kind = @kind"), so that each reads its
    // own index in list order instead of scanning every session.
    listSessions: sessionFilters((where) =>
      db.prepare(
        `SELECT id, kind, machine, subject, title, started_at, finished_at, status, verdict, summary, figures
         FROM sessions ${where} ORDER BY started_ms DESC, id DESC LIMIT @limit OFFSET @offset`,
      ),
    ),
    countSessions: sessionFilters((where) => db.prepare(`SELECT count(*) AS n FROM sessions ${where}`)),
    getSession: db.prepare('SELECT * FROM sessions WHERE id = ?'),
    outboxCount: db.prepare('SELECT count(*) AS n FROM outbox'),
  outboxCountByKind: db.prepare('SELECT kind, count(*) AS n FROM outbox GROUP BY kind'),
    outboxPeek: db.prepare('SELECT kind, item_id, attempts FROM outbox ORDER BY queued_at, rowid LIMIT ?'),
    outboxDone: db.prepare('DELETE FROM outbox WHERE kind = ? AND item_id = ?'),
    outboxFailed: db.prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE kind = ? AND item_id = ?'),
    enqueueAllRuns: db.prepare(
      `INSERT INTO outbox (kind, item_id, queued_at) SELECT 'run', id, started_at FROM runs WHERE true
       ON CONFLICT (kind, item_id) DO NOTHING`,
    ),
    enqueueAllIncidents: db.prepare(
      `INSERT INTO outbox (kind, item_id, queued_at) SELECT 'incident', id, started_at FROM incidents WHERE true
       ON CONFLICT (kind, item_id) DO NOTHING`,
    ),
    enqueueAllSessions: db.prepare(
      `INSERT INTO outbox (kind, item_id, queued_at) SELECT 'session', id, started_at FROM sessions WHERE true
       ON CONFLICT (kind, item_id) DO NOTHING`,
    ),
    enqueueAllAttempts: db.prepare(
      `INSERT INTO outbox (kind, item_id, queued_at) SELECT 'attempt', id, started_at FROM training_attempts WHERE true
       ON CONFLICT (kind, item_id) DO NOTHING`,
    ),
  };
}

export class SqliteHistoryStore implements HistoryStore {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly insertRunTx: Database.Transaction<(report: RunReport, enqueue: boolean) => void>;
  private readonly insertIncidentTx: Database.Transaction<(record: IncidentRecord, enqueue: boolean) => void>;
  private readonly insertSessionTx: Database.Transaction<(record: SessionRecord, enqueue: boolean) => void>;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private closed = false;

  /**
   * Opens `<dataDir>/history.sqlite`: for writing, creating the dir and the file and migrating it
   * when needed; with `readOnly`, without writing anything (a missing file reads as empty). Refuses
   * a file that is not firedrill's without touching it (HistoryFileError, naming the file).
   */
  static open(dataDir: string, options: { readOnly?: boolean } = {}): SqliteHistoryStore {
    const file = path.join(dataDir, HISTORY_FILE_NAME);
    if (!options.readOnly) {
      try {
        mkdirSync(dataDir, { recursive: true });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' || code === 'ENOTDIR') throw new HistoryFileError(dataDir, 'is not a directory: choose another --data-dir');
        throw namingFile(dataDir, error);
      }
    }
    return new SqliteHistoryStore(file, options);
  }

  constructor(file: string, options: { readOnly?: boolean } = {}) {
    this.file = file;
    const db = options.readOnly ? openReadOnly(file, MIGRATIONS) : openWritable(file, MIGRATIONS);
    this.db = db;
    try {
      this.statements = prepareStatements(db);
    } catch (error) {
      db.close();
      throw namingFile(file, error);
    }

    this.insertRunTx = db.transaction((report: RunReport, enqueue: boolean) => {
      const { statements } = this;
      // Saving a run again (a retry after a crash between commit and reply) replaces it whole.
      statements.deleteRun.run(report.runId);
      statements.insertRun.run({
        id: report.runId,
        machine: report.machine,
        startedAt: report.startedAt,
        startedMs: epochMs(report.startedAt),
        finishedAt: report.finishedAt,
        total: report.summary.total,
        passed: report.summary.passed,
        failed: report.summary.failed,
        events: report.summary.eventsTriggered,
      });
      report.results.forEach((result, position) => {
        statements.insertResult.run({
          runId: report.runId,
          position,
          machine: report.machine,
          test: result.test,
          success: result.success ? 1 : 0,
          eventsTriggered: result.eventsTriggered,
          startedAt: result.startedAt,
          startedMs: epochMs(result.startedAt),
          completedAt: result.completedAt,
          durationMs: Math.round(result.durationMs),
          measured: JSON.stringify(result.measured),
          summary: result.summary,
          error: result.error ?? null,
          detection: result.detection ? JSON.stringify(result.detection) : null,
        });
        result.events.forEach((event, eventPosition) => {
          statements.insertEvent.run({
            runId: report.runId,
            resultPosition: position,
            position: eventPosition,
            type: event.type,
            at: event.at,
            value: event.value,
            threshold: event.threshold ?? null,
            detail: event.detail ?? null,
          });
        });
      });
      if (enqueue) statements.enqueue.run('run', report.runId, new Date().toISOString());
    });

    this.insertIncidentTx = db.transaction((record: IncidentRecord, enqueue: boolean) => {
      this.statements.insertIncident.run({
        id: record.id,
        machine: record.machine,
        scenarioId: record.scenarioId,
        source: record.source,
        severity: record.severity,
        startedAt: record.startedAt,
        startedMs: epochMs(record.startedAt),
        finishedAt: record.finishedAt,
        status: record.status,
        topDescription: record.topHypothesis?.description ?? null,
        topCategory: record.topHypothesis?.category ?? null,
        topConfidence: record.topHypothesis?.confidence ?? null,
        hypotheses: JSON.stringify(record.hypotheses),
        actions: JSON.stringify(record.actions),
      });
      if (enqueue) this.statements.enqueue.run('incident', record.id, new Date().toISOString());
    });

    this.insertSessionTx = db.transaction((record: SessionRecord, enqueue: boolean) => {
      this.statements.insertSession.run({
        id: record.id,
        kind: record.kind,
        machine: record.machine,
        subject: record.subject,
        title: record.title,
        startedAt: record.startedAt,
        startedMs: epochMs(record.startedAt),
        finishedAt: record.finishedAt,
        status: record.status,
        verdict: record.verdict ?? null,
        summary: record.summary,
        figures: JSON.stringify(record.figures),
        detail: JSON.stringify(record.detail),
      });
      if (enqueue) this.statements.enqueue.run('session', record.id, new Date().toISOString());
    });
  }

  async saveRun(report: RunReport): Promise<void> {
    this.saveRunSync(report, false);
  }

  /** Commits the run and, when `enqueueForReplication`, its outbox entry, in one transaction. */
  saveRunSync(report: RunReport, enqueueForReplication: boolean): void {
    // IMMEDIATE takes the write lock up front, so two writers queue on busy_timeout instead of
    // one of them failing with SQLITE_BUSY when it upgrades a read lock.
    this.insertRunTx.immediate(report, enqueueForReplication);
  }

  /** Many runs in one transaction (imports, benchmarks): all of them or none. */
  saveRunsSync(reports: readonly RunReport[], enqueueForReplication: boolean): void {
    this.db.transaction(() => {
      for (const report of reports) this.insertRunTx(report, enqueueForReplication);
    }).immediate();
  }

  async saveIncident(record: IncidentRecord): Promise<void> {
    this.saveIncidentSync(record, false);
  }

  saveIncidentSync(record: IncidentRecord, enqueueForReplication: boolean): void {
    this.insertIncidentTx.immediate(record, enqueueForReplication);
  }

  async saveSession(record: SessionRecord): Promise<void> {
    this.saveSessionSync(record, false);
  }

  /** Validates the record (InvalidSessionError names the field), then commits it and, when asked, its outbox entry. */
  saveSessionSync(record: SessionRecord, enqueueForReplication: boolean): void {
    this.insertSessionTx.immediate(validateSession(record), enqueueForReplication);
  }

  async listSessions(query: SessionQuery): Promise<SessionSummary[]> {
    const { filter, parameters } = sessionFilterOf(query);
    const rows = this.statements.listSessions[filter].all({ ...parameters, limit: query.limit, offset: query.offset ?? 0 }) as SessionRow[];
    return rows.map(toSession);
  }

  async countSessions(query: { kind?: SessionKind; machine?: string } = {}): Promise<number> {
    const { filter, parameters } = sessionFilterOf(query);
    return (this.statements.countSessions[filter].get(parameters) as { n: number }).n;
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    return this.getSessionSync(id);
  }

  getSessionSync(id: string): SessionRecord | null {
    const row = this.statements.getSession.get(id) as (SessionRow & { detail: string }) | undefined;
    return row ? { ...toSession(row), detail: JSON.parse(row.detail) as SessionRecord['detail'] } : null;
  }

  async listRuns(query: PageQuery): Promise<RunSummaryRow[]> {
    const offset = query.offset ?? 0;
    const rows = (
      query.machine === undefined
        ? this.statements.listRunsAll.all(query.limit, offset)
        : this.statements.listRunsOf.all(query.machine, query.limit, offset)
    ) as RunRow[];
    return rows.map(toSummaryRow);
  }

  async countRuns(machine?: string): Promise<number> {
    const row = (machine === undefined ? this.statements.countAll.get() : this.statements.countOf.get(machine)) as { n: number };
    return row.n;
  }

  async getRun(id: string): Promise<RunReport | null> {
    return this.getRunSync(id);
  }

  getRunSync(id: string): RunReport | null {
    // One read transaction, so that the run, its results and its events come from one snapshot.
    return this.db.transaction(() => {
      const run = this.statements.getRun.get(id) as RunRow | undefined;
      if (!run) return null;
      const resultRows = this.statements.getResults.all(id) as ResultRow[];
      const eventRows = this.statements.getEvents.all(id) as EventRow[];
      const results: DrillResult[] = resultRows.map((row) => {
        const events: MonitorEvent[] = eventRows
          .filter((event) => event.result_position === row.position)
          .map((event) => ({
            type: event.type as MonitorEventType,
            at: event.at,
            value: event.value,
            ...(event.threshold === null ? {} : { threshold: event.threshold }),
            ...(event.detail === null ? {} : { detail: event.detail }),
          }));
        const result: DrillResult = {
          test: row.test as DrillName,
          success: row.success === 1,
          eventsTriggered: row.events_triggered,
          events,
          startedAt: row.started_at,
          completedAt: row.completed_at,
          durationMs: row.duration_ms,
          measured: JSON.parse(row.measured) as Measured,
          summary: row.summary,
        };
        if (row.error !== null) result.error = row.error;
        if (row.detection !== null) result.detection = JSON.parse(row.detection) as Detection[];
        return result;
      });
      return {
        machine: run.machine,
        runId: run.id,
        startedAt: run.started_at,
        finishedAt: run.finished_at,
        results,
        summary: { total: run.total, passed: run.passed, failed: run.failed, eventsTriggered: run.events },
      };
    })();
  }

  async failures(query: { machine?: string }): Promise<FailureRow[]> {
    const { machine } = query;
    const rows = (machine === undefined ? this.statements.failuresAll.all() : this.statements.failuresOf.all({ machine })) as Array<{
      test: string;
      n: number;
      started_at: string;
      error: string | null;
      summary: string;
    }>;
    return rows
      .map((row) => ({ drill: row.test, failures: row.n, lastFailedAt: row.started_at, lastReason: row.error ?? row.summary }))
      .sort((a, b) => b.failures - a.failures || a.drill.localeCompare(b.drill));
  }

  async compare(): Promise<MachineRow[]> {
    const rows = this.statements.compare.all() as Array<{ machine: string; runs: number; rate: number | null; events: number; last_at: string | null }>;
    return rows.map((row) => ({
      machine: row.machine,
      runs: row.runs,
      passRatePercent: row.rate === null ? null : row.rate * 100,
      events: row.events,
      lastRunAt: row.last_at,
    }));
  }

  async stats(machine?: string): Promise<HistoryStats> {
    const row = (machine === undefined ? this.statements.statsAll.get() : this.statements.statsOf.get(machine)) as {
      runs: number;
      rate: number | null;
      events: number;
    };
    return { runs: row.runs, averagePassRatePercent: row.rate === null ? null : row.rate * 100, events: row.events };
  }

  async passRateTrend(machine: string | undefined, buckets: number): Promise<TrendBucket[]> {
    const span = (machine === undefined ? this.statements.spanAll.get() : this.statements.spanOf.get(machine)) as {
      first: number | null;
      last: number | null;
    };
    if (span.first === null || span.last === null) return [];
    const width = trendSliceMs(span.first, span.last, buckets);
    const parameters = { first: span.first, width, machine };
    const rows = (
      machine === undefined ? this.statements.trendAll.all({ first: span.first, width }) : this.statements.trendOf.all(parameters)
    ) as Array<{ slice: number; runs: number; rate_sum: number; rated: number }>;
    const points = rows.map((row) => ({
      atMs: span.first! + (row.slice + 0.5) * width,
      runs: row.runs,
      passRateSum: row.rate_sum,
      ratedRuns: row.rated,
    }));
    return bucketTrend(points, span.first, span.last, buckets);
  }

  async machines(): Promise<string[]> {
    return (this.statements.machines.all() as Array<{ machine: string }>).map((row) => row.machine);
  }

  async listIncidents(query: PageQuery): Promise<IncidentRecord[]> {
    const offset = query.offset ?? 0;
    const rows = (
      query.machine === undefined
        ? this.statements.listIncidentsAll.all(query.limit, offset)
        : this.statements.listIncidentsOf.all(query.machine, query.limit, offset)
    ) as IncidentRow[];
    return rows.map(toIncident);
  }

  async countIncidents(machine?: string): Promise<number> {
    const row = (
      machine === undefined ? this.statements.countIncidentsAll.get() : this.statements.countIncidentsOf.get(machine)
    ) as { n: number };
    return row.n;
  }

  async detectionHistory(query: { machine?: string; limit: number }): Promise<DetectionRecord[]> {
    const rows = (
      query.machine === undefined
        ? this.statements.detectionHistoryAll.all({ limit: query.limit })
        : this.statements.detectionHistoryOf.all({ machine: query.machine, limit: query.limit })
    ) as Array<{ id: string; machine: string; run_started_at: string; test: string; started_at: string; detection: string }>;
    return rows.map((row) => ({
      runId: row.id,
      machine: row.machine,
      runStartedAt: row.run_started_at,
      drill: row.test,
      startedAt: row.started_at,
      detection: JSON.parse(row.detection) as Detection[],
    }));
  }

  getIncidentSync(id: string): IncidentRecord | null {
    const row = this.statements.getIncident.get(id) as IncidentRow | undefined;
    return row ? toIncident(row) : null;
  }

  /** How many runs and incidents wait to be replicated. */
  outboxCount(): number {
    return (this.statements.outboxCount.get() as { n: number }).n;
  }

  outboxCountByKind(): { runs: number; incidents: number; sessions: number; attempts: number } {
    const rows = this.statements.outboxCountByKind.all() as Array<{ kind: OutboxKind; n: number }>;
    return {
      runs: rows.find((row) => row.kind === 'run')?.n ?? 0,
      incidents: rows.find((row) => row.kind === 'incident')?.n ?? 0,
      sessions: rows.find((row) => row.kind === 'session')?.n ?? 0,
      attempts: rows.find((row) => row.kind === 'attempt')?.n ?? 0,
    };
  }

  /** The oldest entries waiting to be replicated. */
  outboxPeek(limit: number): OutboxItem[] {
    return (this.statements.outboxPeek.all(limit) as Array<{ kind: OutboxKind; item_id: string; attempts: number }>).map(
      (row) => ({ kind: row.kind, id: row.item_id, attempts: row.attempts }),
    );
  }

  outboxDone(item: OutboxItem): void {
    this.statements.outboxDone.run(item.kind, item.id);
  }

  outboxFailed(item: OutboxItem, error: string): void {
    this.statements.outboxFailed.run(error, item.kind, item.id);
  }

  /** Queues every stored run, incident and session (for a Neo4j configured after the fact); returns how many were added. */
  enqueueEverything(): number {
    return this.db.transaction(() => {
      const { statements } = this;
      return (
        statements.enqueueAllRuns.run().changes +
        statements.enqueueAllIncidents.run().changes +
        statements.enqueueAllSessions.run().changes +
        statements.enqueueAllAttempts.run().changes
      );
    }).immediate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

/**
 * Every error of the store names its file ("database disk image is malformed" alone says not
 * which): each method is wrapped once here, so that none added later can forget to.
 */
for (const name of Object.getOwnPropertyNames(SqliteHistoryStore.prototype)) {
  const method: unknown = Reflect.get(SqliteHistoryStore.prototype, name);
  if (name === 'constructor' || typeof method !== 'function') continue;
  Object.defineProperty(SqliteHistoryStore.prototype, name, {
    value: function namedErrors(this: SqliteHistoryStore, ...args: unknown[]) {
      try {
        const result: unknown = (method as (...input: unknown[]) => unknown).apply(this, args);
        return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(namingFile(this.file, error))) : result;
      } catch (error) {
        throw namingFile(this.file, error);
      }
    },
    writable: true,
    configurable: true,
  });
}
