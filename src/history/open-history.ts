/**
 * The history a command or the console uses. Nothing is lost:
 *  - every run, incident and session is committed to SQLite first (history.sqlite in the data dir);
 *  - when Neo4j is configured, the same transaction queues it in an outbox, and the outbox is pushed
 *    to Neo4j right after the save and by `firedrill sync`, with retries and backoff; a run made
 *    while Neo4j is down stays queued until a later push succeeds;
 *  - reads go to Neo4j when it is configured and answers at open (it holds the whole fleet), else to
 *    SQLite (this machine); if Neo4j stops answering mid-session, reads fall back to SQLite.
 * neo4j-driver is imported only when Neo4j is configured, to keep the commands' start-up light.
 */
import type { FiredrillConfig } from '../config/config.js';
import type { RunReport } from '../drills/types.js';
import type { FiredrillPaths } from '../paths.js';
import type { Neo4jHistoryStore } from './neo4j-store.js';
import { resolveNeo4jSettings, type Neo4jOverrides } from './neo4j-settings.js';
import { SqliteHistoryStore, type OutboxItem } from './sqlite-store.js';
import { SqliteTrainingStore } from '../training/store.js';
import type { SessionQuery, SessionRecord } from './sessions.js';
import type { HistoryStore, IncidentRecord, PageQuery } from './store.js';

export { resolveNeo4jSettings, type Neo4jOverrides };


export interface SyncOutcome {
  /** Runs, incidents and sessions that reached Neo4j in this push. */
  pushed: number;
  pushedRuns: number;
  pushedIncidents: number;
  pushedSessions: number;
  /** Training attempts (src/training/). */
  pushedAttempts: number;
  /** Still queued after it. */
  pending: number;
  pendingRuns: number;
  pendingIncidents: number;
  pendingSessions: number;
  pendingAttempts: number;
  /** Why the push stopped early (Neo4j unreachable, a statement refused), in one line. */
  error?: string;
  /** True when it stopped because Neo4j did not answer (rather than refusing an item). */
  unreachable?: boolean;
}

/** The part of the config history reads (a whole FiredrillConfig will do). */
export type HistoryConfig = Pick<FiredrillConfig, 'neo4j'>;

export interface OpenHistoryOptions {
  paths: FiredrillPaths;
  config: HistoryConfig;
  env: NodeJS.ProcessEnv;
  neo4j?: Neo4jOverrides;
  /**
   * Reads only (history, failures, compare, the console's browser): the local file is opened
   * read-only and nothing is written to it, so these work in a data dir that cannot be written.
   */
  readOnly?: boolean;
  /** How long to wait for Neo4j to answer at open and per connection. Default 3 s. */
  connectionTimeoutMs?: number;
  /** Attempts per queued item in one push, and the first backoff (doubled each time). Default 3 and 250 ms. */
  retry?: { attempts: number; baseDelayMs: number };
}

export interface ReplicatedHistory extends HistoryStore {
  /** Which store answers reads right now. */
  readonly readsFrom: 'sqlite' | 'neo4j';
  /** The Neo4j URI when Neo4j is configured. */
  readonly neo4jUri: string | undefined;
  /** A sentence for the user when reads do not come from where they might expect (Neo4j down). */
  readonly notice: string | undefined;
  /** The SQLite file. */
  readonly localFile: string;
  pendingCount(): Promise<number>;
  /** Pushes what the outbox holds. Never throws for Neo4j being down: says so in `error`. */
  sync(signal?: AbortSignal): Promise<SyncOutcome>;
  /** Queues every run, incident, session and training attempt already stored locally (for a Neo4j configured later). Returns how many were queued. */
  queueEverything(): Promise<number>;
}

const DEFAULT_CONNECTION_TIMEOUT_MS = 3_000;
const DEFAULT_RETRY = { attempts: 3, baseDelayMs: 250 };


/** The driver's message, without its long advice about encryption settings. */
export function describeNeo4jError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = /Caused by: (.*)$/s.exec(message)?.[1];
  return (cause ?? message).split('\n')[0]!.trim();
}

/** Errors that mean "Neo4j is not there right now": retry later, and stop pushing the rest meanwhile. */
function isUnreachable(error: unknown): boolean {
  const { code, retriable } = error as { code?: string; retriable?: boolean };
  return retriable === true || code === 'ServiceUnavailable' || code === 'SessionExpired' || /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND/.test(String((error as Error)?.message));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

class Replicated implements ReplicatedHistory {
  readsFrom: 'sqlite' | 'neo4j';
  notice: string | undefined;
  private pushing: Promise<SyncOutcome> | undefined;
  /** After Neo4j failed to answer, the push that follows a save tries once instead of backing off (it would hold the command up). */
  private lastContactFailed: boolean;
  private attempts: SqliteTrainingStore | undefined;

  private readonly remote: Neo4jHistoryStore | null;
  /** The configured Neo4j: every save is queued for it, even while it cannot be reached or used. */
  private readonly uri: string | undefined;
  /** Why the driver refused the configured URI (no store then; saves stay queued for a later sync). */
  private readonly unusable: string | undefined;

  constructor(
    private readonly local: SqliteHistoryStore,
    neo4j: { store: Neo4jHistoryStore | null; uri: string | undefined; reachable: boolean; unusable?: string },
    notice: string | undefined,
    private readonly retry: { attempts: number; baseDelayMs: number },
  ) {
    this.remote = neo4j.store;
    this.uri = neo4j.uri;
    this.unusable = neo4j.unusable;
    this.readsFrom = this.remote && neo4j.reachable ? 'neo4j' : 'sqlite';
    this.notice = notice;
    this.lastContactFailed = this.uri !== undefined && !neo4j.reachable;
  }

  get neo4jUri(): string | undefined {
    return this.uri;
  }

  /** Whether saves are queued for Neo4j. */
  private get replicates(): boolean {
    return this.uri !== undefined;
  }

  get localFile(): string {
    return this.local.file;
  }

  /** Reads from Neo4j while it answers; the first time it does not, from SQLite for the rest of the session. */
  private async read<T>(query: (store: HistoryStore) => Promise<T>): Promise<T> {
    if (this.readsFrom === 'neo4j' && this.remote) {
      try {
        return await query(this.remote);
      } catch (error) {
        if (!isUnreachable(error)) throw error;
        this.readsFrom = 'sqlite';
        this.notice = `Neo4j at ${this.remote.uri} stopped answering (${describeNeo4jError(error)}): showing this machine's local history.`;
      }
    }
    return query(this.local);
  }

  async saveRun(report: RunReport): Promise<void> {
    this.local.saveRunSync(report, this.replicates);
    if (this.remote) await this.sync(undefined, this.lastContactFailed ? 1 : undefined);
  }

  async saveIncident(record: IncidentRecord): Promise<void> {
    this.local.saveIncidentSync(record, this.replicates);
    if (this.remote) await this.sync(undefined, this.lastContactFailed ? 1 : undefined);
  }

  async saveSession(record: SessionRecord): Promise<void> {
    this.local.saveSessionSync(record, this.replicates);
    if (this.remote) await this.sync(undefined, this.lastContactFailed ? 1 : undefined);
  }

  listSessions(query: SessionQuery) {
    return this.read((store) => store.listSessions(query));
  }
  countSessions(query?: Omit<SessionQuery, 'limit' | 'offset'>) {
    return this.read((store) => store.countSessions(query));
  }
  async getSession(id: string) {
    // A session still queued for Neo4j is found locally.
    return (await this.read((store) => store.getSession(id))) ?? (this.readsFrom === 'neo4j' ? this.local.getSessionSync(id) : null);
  }

  listRuns(query: PageQuery) {
    return this.read((store) => store.listRuns(query));
  }
  countRuns(machine?: string) {
    return this.read((store) => store.countRuns(machine));
  }
  async getRun(id: string) {
    // A run still queued for Neo4j is found locally.
    return (await this.read((store) => store.getRun(id))) ?? (this.readsFrom === 'neo4j' ? this.local.getRun(id) : null);
  }
  failures(query: { machine?: string }) {
    return this.read((store) => store.failures(query));
  }
  compare() {
    return this.read((store) => store.compare());
  }
  stats(machine?: string) {
    return this.read((store) => store.stats(machine));
  }
  passRateTrend(machine: string | undefined, buckets: number) {
    return this.read((store) => store.passRateTrend(machine, buckets));
  }
  machines() {
    return this.read((store) => store.machines());
  }
  listIncidents(query: PageQuery) {
    return this.read((store) => store.listIncidents(query));
  }
  countIncidents(machine?: string) {
    return this.read((store) => store.countIncidents(machine));
  }
  detectionHistory(query: { machine?: string; limit: number }) {
    return this.read((store) => store.detectionHistory(query));
  }

  async pendingCount(): Promise<number> {
    return this.local.outboxCount();
  }

  async queueEverything(): Promise<number> {
    return this.local.enqueueEverything();
  }

  sync(signal?: AbortSignal, attempts = this.retry.attempts): Promise<SyncOutcome> {
    // One push at a time per process; another process pushing the same items is harmless (MERGE).
    this.pushing ??= this.push(signal, attempts)
      .then((outcome) => {
        this.lastContactFailed = outcome.unreachable === true;
        return outcome;
      })
      .finally(() => {
        this.pushing = undefined;
      });
    return this.pushing;
  }

  private async send(item: OutboxItem): Promise<void> {
    const remote = this.remote!;
    switch (item.kind) {
      case 'run': {
        const report = this.local.getRunSync(item.id);
        if (report) await remote.saveRun(report);
        return;
      }
      case 'incident': {
        const record = this.local.getIncidentSync(item.id);
        if (record) await remote.saveIncident(record);
        return;
      }
      case 'session': {
        const session = this.local.getSessionSync(item.id);
        if (session) await remote.saveSession(session);
        return;
      }
      case 'attempt': {
        // The training records live in the same file; their store reads them (src/training/store.ts).
        this.attempts ??= SqliteTrainingStore.openFile(this.local.file);
        const attempt = this.attempts.getAttempt(item.id);
        if (attempt) await remote.saveAttempt(attempt);
        return;
      }
      default:
        item.kind satisfies never;
    }
  }

  private async push(signal: AbortSignal | undefined, attempts: number): Promise<SyncOutcome> {
    const outcome: SyncOutcome = {
      pushed: 0,
      pushedRuns: 0,
      pushedIncidents: 0,
      pushedSessions: 0,
      pushedAttempts: 0,
      pending: 0,
      pendingRuns: 0,
      pendingIncidents: 0,
      pendingSessions: 0,
      pendingAttempts: 0,
    };
    if (!this.remote) {
      this.countPending(outcome);
      outcome.error = this.unusable ?? 'Neo4j is not configured';
      if (this.unusable !== undefined) outcome.unreachable = true;
      return outcome;
    }
    if (this.local.outboxCount() === 0) {
      // Nothing to push: still say whether Neo4j answers, rather than report a success it did not give.
      try {
        await this.remote.verify();
      } catch (error) {
        outcome.error = describeNeo4jError(error);
        outcome.unreachable = true;
      }
      return outcome;
    }
    // Items Neo4j refused for a reason of their own stay queued but do not block the others.
    const refused = new Set<string>();
    let unreachable = false;
    while (!unreachable && !signal?.aborted) {
      const batch = this.local.outboxPeek(refused.size + 50).filter((item) => !refused.has(`${item.kind}:${item.id}`));
      if (batch.length === 0) break;
      for (const item of batch) {
        if (signal?.aborted) break;
        const failure = await this.pushOne(item, attempts, signal);
        if (failure === undefined) {
          outcome.pushed += 1;
          if (item.kind === 'run') outcome.pushedRuns += 1;
          else if (item.kind === 'incident') outcome.pushedIncidents += 1;
          else if (item.kind === 'session') outcome.pushedSessions += 1;
          else outcome.pushedAttempts += 1;
          continue;
        }
        outcome.error = failure.message;
        if (failure.unreachable) {
          unreachable = true;
          outcome.unreachable = true;
          break;
        }
        refused.add(`${item.kind}:${item.id}`);
      }
    }
    this.countPending(outcome);
    return outcome;
  }

  private countPending(outcome: SyncOutcome): void {
    const { runs, incidents, sessions, attempts } = this.local.outboxCountByKind();
    outcome.pendingRuns = runs;
    outcome.pendingIncidents = incidents;
    outcome.pendingSessions = sessions;
    outcome.pendingAttempts = attempts;
    outcome.pending = runs + incidents + sessions + attempts;
  }

  /** Sends one item with retries and exponential backoff; undefined when it arrived. */
  private async pushOne(
    item: OutboxItem,
    attempts: number,
    signal?: AbortSignal,
  ): Promise<{ message: string; unreachable: boolean } | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.send(item);
        this.local.outboxDone(item);
        return undefined;
      } catch (error) {
        const unreachable = isUnreachable(error);
        if (unreachable && attempt < attempts && !signal?.aborted) {
          await sleep(this.retry.baseDelayMs * 2 ** (attempt - 1), signal);
          continue;
        }
        const message = describeNeo4jError(error);
        this.local.outboxFailed(item, message);
        return { message, unreachable };
      }
    }
  }

  async close(): Promise<void> {
    await this.pushing?.catch(() => undefined);
    await this.remote?.close();
    this.attempts?.close();
    await this.local.close();
  }
}

/** Opens this machine's SQLite history and, when configured, the Neo4j it replicates to. */
export async function openHistory(options: OpenHistoryOptions): Promise<ReplicatedHistory> {
  // Settings first: a mistyped URI is a UsageError before the file is even opened.
  const settings = resolveNeo4jSettings(options.config, options.env, options.neo4j);
  const local = SqliteHistoryStore.open(options.paths.dataDir, { readOnly: options.readOnly ?? false });
  const retry = options.retry ?? DEFAULT_RETRY;
  if (!settings) return new Replicated(local, { store: null, uri: undefined, reachable: false }, undefined, retry);

  const timeout = options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
  let remote: Neo4jHistoryStore;
  try {
    const { Neo4jHistoryStore: Store } = await import('./neo4j-store.js');
    remote = new Store({ ...settings, connectionTimeoutMs: timeout });
  } catch (error) {
    // The driver refused a URI the check let through: the local history still opens and saves,
    // each save is queued, and the user is told why replication cannot happen yet.
    const unusable = `the driver cannot use it: ${describeNeo4jError(error)}`;
    const notice = `Neo4j at ${settings.uri} cannot be used (${describeNeo4jError(error)}): saving on this machine, queued for "firedrill sync".`;
    return new Replicated(local, { store: null, uri: settings.uri, reachable: false, unusable }, notice, retry);
  }
  let reachable = false;
  let notice: string | undefined;
  try {
    await remote.verify();
    reachable = true;
    const pending = local.outboxCount();
    if (pending > 0) {
      notice = `${pending} item${pending === 1 ? '' : 's'} saved while Neo4j was unreachable ${pending === 1 ? 'is' : 'are'} not in Neo4j yet: run "firedrill sync".`;
    }
  } catch (error) {
    notice = `Neo4j at ${settings.uri} is not reachable (${describeNeo4jError(error)}): showing this machine's local history.`;
  }
  return new Replicated(local, { store: remote, uri: settings.uri, reachable }, notice, retry);
}
