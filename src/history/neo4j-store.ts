/**
 * History for a fleet: the Neo4j graph mythos-test wrote, extended (see cypher.ts). Imported only
 * when Neo4j is configured (neo4j-driver is heavy to load), through `openHistory`.
 */
import { attemptParameters, SAVE_TRAINING_ATTEMPT, TRAINING_SCHEMA_STATEMENTS } from '../training/cypher.js';
import type { AttemptRecord } from '../training/types.js';
import neo4j, { type Driver, type Session } from 'neo4j-driver';
import type { Detection, DrillResult, RunReport } from '../drills/types.js';
import {
  COMPARE,
  COUNT_INCIDENTS,
  COUNT_RUNS,
  DETECTION_HISTORY,
  COUNT_SESSIONS,
  FAILURES,
  GET_RUN,
  GET_SESSION,
  LIST_SESSIONS,
  SAVE_SESSION,
  LIST_INCIDENTS,
  LIST_RUNS,
  MACHINES,
  PASS_RATE_TREND,
  RUN_SPAN,
  SAVE_DRILL_RESULTS,
  SAVE_EVENTS,
  SAVE_INCIDENT,
  SAVE_RUN,
  SCHEMA_STATEMENTS,
  STATS,
} from './cypher.js';
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
import { validateSession, type SessionKind, type SessionRecord, type SessionSummary } from './sessions.js';

export interface Neo4jSettings {
  uri: string;
  username: string;
  password?: string;
  /** Default: the server's default database. */
  database?: string;
  /** How long to wait for a connection before calling Neo4j unreachable. */
  connectionTimeoutMs?: number;
}

type Params = Record<string, unknown>;

function runParameters(report: RunReport) {
  return {
    id: report.runId,
    hostname: report.machine,
    timestamp: report.startedAt,
    finished_at: report.finishedAt,
    total_tests: report.summary.total,
    passed_tests: report.summary.passed,
    failed_tests: report.summary.failed,
    events_triggered: report.summary.eventsTriggered,
    // The whole DrillResult list, as the original's `results` property: getRun rebuilds the report from it.
    results: JSON.stringify(report.results),
  };
}

function resultId(runId: string, position: number): string {
  return `${runId}:${position}`;
}

function resultParameters(report: RunReport) {
  return report.results.map((result, position) => ({
    id: resultId(report.runId, position),
    hostname: report.machine,
    test: result.test,
    position,
    success: result.success,
    events_triggered: result.eventsTriggered,
    started_at: result.startedAt,
    completed_at: result.completedAt,
    duration_ms: Math.round(result.durationMs),
    summary: result.summary,
    error: result.error ?? null,
    measured: JSON.stringify(result.measured),
    detection: result.detection ? JSON.stringify(result.detection) : null,
  }));
}

function eventParameters(report: RunReport) {
  return report.results.flatMap((result, position) =>
    result.events.map((event, index) => ({
      id: `${resultId(report.runId, position)}:${index}`,
      result_id: resultId(report.runId, position),
      type: event.type,
      timestamp: event.at,
      data: JSON.stringify({ value: event.value, threshold: event.threshold, detail: event.detail, drill: result.test }),
    })),
  );
}

function toSessionSummary(row: Params): SessionSummary {
  const session: SessionSummary = {
    id: String(row.id),
    kind: row.kind as SessionKind,
    machine: String(row.machine),
    subject: String(row.subject),
    title: String(row.title),
    startedAt: String(row.startedAt),
    finishedAt: String(row.finishedAt),
    status: row.status as SessionSummary['status'],
    summary: String(row.summary),
    figures: JSON.parse(String(row.figures ?? '{}')) as SessionSummary['figures'],
  };
  if (row.verdict !== null && row.verdict !== undefined) session.verdict = String(row.verdict);
  return session;
}

function numberOf(value: unknown): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}

function toSummaryRow(record: Params): RunSummaryRow {
  return {
    id: String(record.id),
    machine: String(record.machine),
    startedAt: String(record.startedAt),
    finishedAt: String(record.finishedAt ?? record.startedAt),
    total: numberOf(record.total),
    passed: numberOf(record.passed),
    failed: numberOf(record.failed),
    events: numberOf(record.events),
  };
}

export class Neo4jHistoryStore implements HistoryStore {
  readonly uri: string;
  private readonly driver: Driver;
  private readonly database: string | undefined;
  private readonly schemas = new Map<readonly string[], Promise<void>>();

  constructor(settings: Neo4jSettings) {
    this.uri = settings.uri;
    this.database = settings.database;
    const auth = settings.password === undefined ? undefined : neo4j.auth.basic(settings.username, settings.password);
    this.driver = neo4j.driver(settings.uri, auth, {
      disableLosslessIntegers: true,
      connectionTimeout: settings.connectionTimeoutMs ?? 5_000,
      connectionAcquisitionTimeout: settings.connectionTimeoutMs ?? 5_000,
    });
  }

  /** Resolves when the server answers; rejects with the driver's reason otherwise. */
  async verify(): Promise<void> {
    await this.driver.getServerInfo(this.database === undefined ? {} : { database: this.database });
  }

  /** Creates the constraints and indexes once per store (all IF NOT EXISTS, so harmless on every start). */
  ensureSchema(): Promise<void> {
    return this.ensure(SCHEMA_STATEMENTS);
  }

  /** Runs a set of schema statements once per store; a failure is retried next time. */
  private ensure(statements: readonly string[]): Promise<void> {
    let ready = this.schemas.get(statements);
    if (!ready) {
      ready = this.withSession('WRITE', async (session) => {
        for (const statement of statements) await session.run(statement);
      }).catch((error: unknown) => {
        this.schemas.delete(statements);
        throw error;
      });
      this.schemas.set(statements, ready);
    }
    return ready;
  }

  /**
   * Plain sessions and explicit transactions rather than the driver's managed ones: those retry for
   * a second or more on an unreachable server, and the outbox already retries with its own backoff.
   */
  private async withSession<T>(mode: 'READ' | 'WRITE', work: (session: Session) => Promise<T>): Promise<T> {
    const session = this.driver.session({
      database: this.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
    });
    try {
      return await work(session);
    } finally {
      await session.close();
    }
  }

  private read(query: string, parameters: Params): Promise<Params[]> {
    return this.withSession('READ', async (session) => {
      const { records } = await session.run(query, parameters);
      return records.map((record) => record.toObject() as Params);
    });
  }

  async saveRun(report: RunReport): Promise<void> {
    await this.ensureSchema();
    await this.withSession('WRITE', async (session) => {
      // One transaction: the run, its drill results and their events arrive together or not at all.
      const tx = session.beginTransaction();
      try {
        await tx.run(SAVE_RUN, { run: runParameters(report) });
        await tx.run(SAVE_DRILL_RESULTS, { runId: report.runId, results: resultParameters(report) });
        await tx.run(SAVE_EVENTS, { events: eventParameters(report) });
        await tx.commit();
      } catch (error) {
        if (tx.isOpen()) await tx.rollback().catch(() => undefined);
        throw error;
      }
    });
  }

  async saveIncident(record: IncidentRecord): Promise<void> {
    await this.ensureSchema();
    await this.withSession('WRITE', (session) =>
      session.run(SAVE_INCIDENT, {
        incident: {
          id: record.id,
          hostname: record.machine,
          scenario_id: record.scenarioId,
          source: record.source,
          severity: record.severity,
          started_at: record.startedAt,
          finished_at: record.finishedAt,
          status: record.status,
          top_description: record.topHypothesis?.description ?? null,
          top_category: record.topHypothesis?.category ?? null,
          top_confidence: record.topHypothesis?.confidence ?? null,
          hypotheses: JSON.stringify(record.hypotheses),
          actions: JSON.stringify(record.actions),
        },
      }),
    );
  }

  async listRuns(query: PageQuery): Promise<RunSummaryRow[]> {
    const rows = await this.read(LIST_RUNS, {
      machine: query.machine ?? null,
      offset: neo4j.int(query.offset ?? 0),
      limit: neo4j.int(query.limit),
    });
    return rows.map(toSummaryRow);
  }

  async countRuns(machine?: string): Promise<number> {
    const [row] = await this.read(COUNT_RUNS, { machine: machine ?? null });
    return numberOf(row?.runs);
  }

  async getRun(id: string): Promise<RunReport | null> {
    const [row] = await this.read(GET_RUN, { id });
    if (!row) return null;
    const summary = toSummaryRow(row);
    return {
      machine: summary.machine,
      runId: summary.id,
      startedAt: summary.startedAt,
      finishedAt: summary.finishedAt,
      results: typeof row.results === 'string' ? (JSON.parse(row.results) as DrillResult[]) : [],
      summary: { total: summary.total, passed: summary.passed, failed: summary.failed, eventsTriggered: summary.events },
    };
  }

  async failures(query: { machine?: string }): Promise<FailureRow[]> {
    const rows = await this.read(FAILURES, { machine: query.machine ?? null });
    return rows.map((row) => ({
      drill: String(row.test),
      failures: numberOf(row.failures),
      lastFailedAt: String(row.lastFailedAt),
      lastReason: String(row.lastReason ?? ''),
    }));
  }

  async compare(): Promise<MachineRow[]> {
    const rows = await this.read(COMPARE, {});
    return rows.map((row) => ({
      machine: String(row.machine),
      runs: numberOf(row.runs),
      passRatePercent: row.rate === null || row.rate === undefined ? null : numberOf(row.rate) * 100,
      events: numberOf(row.events),
      lastRunAt: row.lastRunAt === null || row.lastRunAt === undefined ? null : String(row.lastRunAt),
    }));
  }

  async stats(machine?: string): Promise<HistoryStats> {
    const [row] = await this.read(STATS, { machine: machine ?? null });
    const rate = row?.rate;
    return {
      runs: numberOf(row?.runs),
      averagePassRatePercent: rate === null || rate === undefined ? null : numberOf(rate) * 100,
      events: numberOf(row?.events),
    };
  }

  async passRateTrend(machine: string | undefined, buckets: number): Promise<TrendBucket[]> {
    const [span] = await this.read(RUN_SPAN, { machine: machine ?? null });
    if (!span || span.first === null || span.last === null) return [];
    const first = numberOf(span.first);
    const last = numberOf(span.last);
    const width = trendSliceMs(first, last, buckets);
    const rows = await this.read(PASS_RATE_TREND, { machine: machine ?? null, first, width });
    const points = rows.map((row) => ({
      atMs: first + (numberOf(row.slice) + 0.5) * width,
      runs: numberOf(row.runs),
      passRateSum: numberOf(row.rateSum),
      ratedRuns: numberOf(row.rated),
    }));
    return bucketTrend(points, first, last, buckets);
  }

  async machines(): Promise<string[]> {
    const rows = await this.read(MACHINES, {});
    return rows.map((row) => String(row.machine));
  }

  async listIncidents(query: PageQuery): Promise<IncidentRecord[]> {
    const rows = await this.read(LIST_INCIDENTS, {
      machine: query.machine ?? null,
      offset: neo4j.int(query.offset ?? 0),
      limit: neo4j.int(query.limit),
    });
    return rows.map((row) => {
      const record: IncidentRecord = {
        id: String(row.id),
        machine: String(row.machine),
        scenarioId: String(row.scenarioId),
        source: String(row.source),
        severity: row.severity as IncidentRecord['severity'],
        startedAt: String(row.startedAt),
        finishedAt: String(row.finishedAt),
        status: row.status as IncidentRecord['status'],
        hypotheses: JSON.parse(String(row.hypotheses ?? '[]')) as IncidentRecord['hypotheses'],
        actions: JSON.parse(String(row.actions ?? '[]')) as IncidentRecord['actions'],
      };
      if (row.topDescription !== null && row.topDescription !== undefined) {
        record.topHypothesis = {
          description: String(row.topDescription),
          category: String(row.topCategory ?? ''),
          confidence: numberOf(row.topConfidence),
        };
      }
      return record;
    });
  }

  async countIncidents(machine?: string): Promise<number> {
    const [row] = await this.read(COUNT_INCIDENTS, { machine: machine ?? null });
    return numberOf(row?.incidents);
  }

  async detectionHistory(query: { machine?: string; limit: number }): Promise<DetectionRecord[]> {
    const rows = await this.read(DETECTION_HISTORY, { machine: query.machine ?? null, limit: neo4j.int(query.limit) });
    return rows.map((row) => ({
      runId: String(row.runId),
      machine: String(row.machine),
      runStartedAt: String(row.runStartedAt),
      drill: String(row.drill),
      startedAt: String(row.startedAt),
      detection: JSON.parse(String(row.detection)) as Detection[],
    }));
  }

  /** A training attempt (src/training/cypher.ts), with the training constraints the first time. */
  async saveAttempt(attempt: AttemptRecord): Promise<void> {
    await this.ensureSchema();
    await this.ensure(TRAINING_SCHEMA_STATEMENTS);
    await this.withSession('WRITE', (session) => session.run(SAVE_TRAINING_ATTEMPT, { attempt: attemptParameters(attempt) }));
  }

  async saveSession(record: SessionRecord): Promise<void> {
    const session = validateSession(record);
    await this.ensureSchema();
    await this.withSession('WRITE', (neo4jSession) =>
      neo4jSession.run(SAVE_SESSION, {
        session: {
          id: session.id,
          kind: session.kind,
          hostname: session.machine,
          subject: session.subject,
          title: session.title,
          started_at: session.startedAt,
          finished_at: session.finishedAt,
          status: session.status,
          verdict: session.verdict ?? null,
          summary: session.summary,
          figures: JSON.stringify(session.figures),
          detail: JSON.stringify(session.detail),
        },
      }),
    );
  }

  async listSessions(query: { kind?: SessionKind; machine?: string; limit: number; offset?: number }): Promise<SessionSummary[]> {
    const rows = await this.read(LIST_SESSIONS, {
      machine: query.machine ?? null,
      kind: query.kind ?? null,
      offset: neo4j.int(query.offset ?? 0),
      limit: neo4j.int(query.limit),
    });
    return rows.map(toSessionSummary);
  }

  async countSessions(query: { kind?: SessionKind; machine?: string } = {}): Promise<number> {
    const [row] = await this.read(COUNT_SESSIONS, { machine: query.machine ?? null, kind: query.kind ?? null });
    return numberOf(row?.sessions);
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const [row] = await this.read(GET_SESSION, { id });
    if (!row) return null;
    return { ...toSessionSummary(row), detail: JSON.parse(String(row.detail ?? 'null')) as SessionRecord['detail'] };
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}
