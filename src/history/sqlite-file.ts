/**
 * Opening history.sqlite, and only ever writing to it when it is firedrill's. A file someone else
 * made (another program's database under the same name, a file from a backup tool) is refused
 * before anything is written to it: no table added, no switch to WAL. A firedrill file carries its
 * application_id (set since schema 4; older ones are known by their tables). Every error names
 * the file. Read-only opens (history, failures, compare, the console's browser) never write, even
 * in a data dir that cannot be written: when SQLite cannot read a WAL-mode file there (it would
 * need to create the -shm file beside it), or the file is of an older schema, they read a copy in
 * memory.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { formatBytes } from '../format.js';
import { InvalidSessionError } from './sessions.js';

/** "FDRH": firedrill history, in the SQLite header's application_id (see https://sqlite.org/pragma.html#pragma_application_id). */
export const FIREDRILL_APPLICATION_ID = 0x46445248;

/** How long a writer waits for another process's transaction before giving up. */
const BUSY_TIMEOUT_MS = 10_000;

/** The largest file a read-only open copies into memory (a read-only data dir, an older schema). */
export const MAX_SNAPSHOT_BYTES = 1024 * 1024 * 1024;

/** The tables every firedrill history has had since schema 1. */
const FIREDRILL_TABLES = ['runs', 'results', 'events'] as const;

/** A history file firedrill cannot use (not its own, damaged, too new); the message names the file. */
export class HistoryFileError extends Error {
  override name = 'HistoryFileError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** The message of any error, with the file named in front unless it already is (a refused record is not the file's fault). */
export function namingFile(file: string, error: unknown): Error {
  if (error instanceof HistoryFileError || error instanceof InvalidSessionError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith(file) ? (error as Error) : new HistoryFileError(file, message);
}

type Ownership = { kind: 'empty' } | { kind: 'firedrill'; version: number } | { kind: 'foreign'; reason: string };

/** Whose file this is, from what it holds; reads only. */
function ownership(db: Database.Database): Ownership {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map(
    (row) => row.name,
  );
  if (applicationId === FIREDRILL_APPLICATION_ID) return { kind: 'firedrill', version };
  if (applicationId !== 0) return { kind: 'foreign', reason: `its application id is ${applicationId}, not firedrill's` };
  if (version === 0 && tables.length === 0) return { kind: 'empty' };
  const shown = tables.length > 6 ? `${tables.slice(0, 6).join(', ')}, ...` : tables.join(', ');
  if (version === 0) return { kind: 'foreign', reason: `it holds tables (${shown}) but no firedrill schema` };
  const missing = FIREDRILL_TABLES.filter((table) => !tables.includes(table));
  if (missing.length > 0) return { kind: 'foreign', reason: `it has schema version ${version} but not firedrill's tables (it holds ${shown || 'none'})` };
  const runColumns = (db.prepare('SELECT name FROM pragma_table_info(?)').all('runs') as Array<{ name: string }>).map((row) => row.name);
  if (!['id', 'machine', 'started_ms'].every((column) => runColumns.includes(column))) {
    return { kind: 'foreign', reason: 'its "runs" table is not firedrill\'s' };
  }
  return { kind: 'firedrill', version };
}

function refuseForeign(file: string, owner: Ownership): void {
  if (owner.kind !== 'foreign') return;
  throw new HistoryFileError(
    file,
    `not a firedrill history (${owner.reason}); firedrill leaves it as it is: move it away, or use another --data-dir`,
  );
}

function refuseNewer(file: string, version: number, known: number): void {
  if (version > known) {
    throw new HistoryFileError(file, `this history was written by a newer firedrill (schema ${version}, this one knows ${known}); upgrade firedrill`);
  }
}

/**
 * Brings a firedrill database to the current schema with `migrations` (each from version N to
 * N+1). Safe when two processes open a new file at once: the version is read again under the lock.
 */
export function migrate(db: Database.Database, migrations: readonly string[]): void {
  const target = migrations.length;
  const current = db.pragma('user_version', { simple: true }) as number;
  refuseNewer(db.name, current, target);
  const stamped = (db.pragma('application_id', { simple: true }) as number) === FIREDRILL_APPLICATION_ID;
  if (current === target && stamped) return;
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let step = version; step < target; step += 1) db.exec(migrations[step]!);
    db.pragma(`user_version = ${target}`);
    db.pragma(`application_id = ${FIREDRILL_APPLICATION_ID}`);
  }).immediate();
}

/** Opens (creating if needed) a history for writing: refused, untouched, when it is not firedrill's. */
export function openWritable(file: string, migrations: readonly string[]): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Who owns it is read before anything is written: a foreign file stays as it was.
    refuseForeign(file, ownership(db));
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a power cut may lose the last commit, never corrupt the file.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations);
    return db;
  } catch (error) {
    db?.close();
    throw namingFile(file, error);
  }
}

/**
 * Opens a history for reading only; nothing is written to it or beside it that SQLite does not
 * itself need. A missing file reads as an empty history (and is not created).
 */
export function openReadOnly(file: string, migrations: readonly string[]): Database.Database {
  if (!existsSync(file)) return emptyHistory(migrations);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const owner = ownership(db);
    refuseForeign(file, owner);
    const version = owner.kind === 'firedrill' ? owner.version : 0;
    refuseNewer(file, version, migrations.length);
    if (version === migrations.length) return db;
    // Older than this firedrill (or empty): brought up to date in memory, the file left as it is.
    db.close();
    db = undefined;
    return snapshot(file, migrations);
  } catch (error) {
    db?.close();
    if (isUnreadableHere(error)) return snapshot(file, migrations);
    throw namingFile(file, error);
  }
}

/** SQLite cannot read a WAL-mode file in a directory it cannot write (it would create the -shm file). */
function isUnreadableHere(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'SQLITE_READONLY_DIRECTORY' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY_CANTINIT';
}

/** An in-memory copy of the file, at the current schema (never written back). */
function snapshot(file: string, migrations: readonly string[]): Database.Database {
  let db: Database.Database | undefined;
  try {
    const size = statSync(file).size;
    if (size > MAX_SNAPSHOT_BYTES) {
      throw new HistoryFileError(
        file,
        `cannot be read here without writing beside it, and at ${formatBytes(size)} it is too large to read as a copy (at most ${formatBytes(MAX_SNAPSHOT_BYTES)}): read it where its directory can be written`,
      );
    }
    const image = readFileSync(file);
    // Bytes 18 and 19 say WAL (2); an in-memory database reads the same pages in rollback mode (1).
    if (image.length >= 20 && image[18] === 2 && image[19] === 2) image.fill(1, 18, 20);
    db = new Database(image);
    const owner = ownership(db);
    refuseForeign(file, owner);
    refuseNewer(file, owner.kind === 'firedrill' ? owner.version : 0, migrations.length);
    migrate(db, migrations);
    return db;
  } catch (error) {
    db?.close();
    throw namingFile(file, error);
  }
}

function emptyHistory(migrations: readonly string[]): Database.Database {
  const db = new Database(':memory:');
  migrate(db, migrations);
  return db;
}
