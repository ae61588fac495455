import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_FILE_NAME, MIGRATIONS, SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { SqliteTrainingStore } from '../../src/training/store.js';
import { CLI, runCli } from '../helpers/cli.js';
import { makeReport } from './fixtures/reports.js';

const ENV = { TZ: 'UTC', NEO4J_URI: '', NEO4J_PASSWORD: '', FIREDRILL_DATA_DIR: '' };
const run = promisify(execFile);

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'firedrill-foreign-'));
  // Readable by the unprivileged user of the read-only tests below.
  chmodSync(root, 0o755);
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function dir(name: string): string {
  const made = path.join(root, name);
  mkdirSync(made, { recursive: true });
  return made;
}

const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Another program's database under firedrill's file name, in rollback-journal mode. */
function foreignFile(dataDir: string, schema: string): string {
  const file = path.join(dataDir, HISTORY_FILE_NAME);
  const db = new Database(file);
  db.exec(schema);
  db.close();
  return file;
}

describe('a history.sqlite that is not firedrill\'s', () => {
  it.each([
    ['another program\'s tables', 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES (\'keep me\');', /holds tables \(notes\) but no firedrill schema/],
    [
      'a "runs" table of its own with a schema version',
      'CREATE TABLE runs (name TEXT); CREATE TABLE results (x); CREATE TABLE events (y); PRAGMA user_version = 1;',
      /its "runs" table is not firedrill's/,
    ],
    ['another application id', 'PRAGMA application_id = 1234; CREATE TABLE t (x);', /its application id is 1234, not firedrill's/],
  ])('with %s is refused, naming the file, and left byte for byte as it was (no tables added, no WAL)', async (_what, schema, reason) => {
    const dataDir = dir(`foreign-${Math.random().toString(36).slice(2)}`);
    const file = foreignFile(dataDir, schema);
    const before = digest(file);
    expect(() => SqliteHistoryStore.open(dataDir)).toThrow(new RegExp(`^${file}: not a firedrill history \\(`));
    expect(() => SqliteHistoryStore.open(dataDir)).toThrow(reason);
    expect(() => SqliteHistoryStore.open(dataDir, { readOnly: true })).toThrow(reason);
    // The training records share the file: refused the same way, before any of their tables.
    expect(() => SqliteTrainingStore.open(dataDir)).toThrow(new RegExp(`^${file}: not a firedrill history \\(`));
    const history = await runCli(['history', '--data-dir', dataDir], { env: ENV });
    expect(history.code).toBe(1);
    expect(history.stderr).toContain(`firedrill history: ${file}: not a firedrill history`);
    expect(digest(file)).toBe(before);
    expect(readFileSync(file).subarray(18, 20)).toEqual(Buffer.from([1, 1]));
    expect(readdirSync(dataDir)).toEqual([HISTORY_FILE_NAME]);
  });
});

describe('a damaged history.sqlite', () => {
  it('that is not a database at all: every command names the file', async () => {
    const dataDir = dir('garbage');
    const file = path.join(dataDir, HISTORY_FILE_NAME);
    writeFileSync(file, 'this is a text file, not SQLite\n'.repeat(200));
    for (const command of ['history', 'failures', 'compare', 'sync']) {
      const result = await runCli([command, '--data-dir', dataDir, ...(command === 'sync' ? ['--neo4j-uri', 'bolt://127.0.0.1:9'] : [])], { env: ENV });
      expect(result.code, command).toBe(1);
      expect(result.stderr).toContain(`firedrill ${command}: ${file}: file is not a database`);
    }
  });

  it('with a malformed page: the error of the query names the file', async () => {
    const dataDir = dir('malformed');
    const store = SqliteHistoryStore.open(dataDir);
    store.saveRunsSync(Array.from({ length: 300 }, (_, index) => makeReport(index, 'host-a')), false);
    await store.close();
    const file = path.join(dataDir, HISTORY_FILE_NAME);
    const pageSize = readFileSync(file).readUInt16BE(16);
    const pages = statSync(file).size / pageSize;
    // Scribble over the pages after the schema: the header and sqlite_master still read, the runs do not.
    const handle = openSync(file, 'r+');
    for (let page = 3; page < pages; page += 1) writeSync(handle, Buffer.alloc(pageSize, 0x5a), 0, pageSize, page * pageSize);
    closeSync(handle);
    const result = await runCli(['history', '--machine', 'host-a', '--data-dir', dataDir], { env: ENV });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`firedrill history: ${file}: (database disk image is malformed|file is not a database)`));
  });
});

const asNobody = process.getuid?.() === 0;

describe.skipIf(!asNobody)('read-only commands in a data dir that cannot be written (as user nobody; needs root to switch)', () => {
  /** The built CLI as uid/gid 65534, for whom the data dir (root's, mode 755) is read-only. */
  async function cliAsNobody(args: string[]) {
    try {
      const { stdout, stderr } = await run('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', process.execPath, CLI, ...args], {
        env: { ...process.env, ...ENV, HOME: root, XDG_CONFIG_HOME: root, XDG_DATA_HOME: root },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('history, failures and compare read a WAL-mode history and write nothing beside it', async () => {
    const dataDir = dir('readonly-wal');
    const store = SqliteHistoryStore.open(dataDir);
    for (let index = 0; index < 3; index += 1) await store.saveRun(makeReport(index, 'host-a', { failEvery: 2 }));
    await store.close();
    const file = path.join(dataDir, HISTORY_FILE_NAME);
    expect(readFileSync(file).subarray(18, 20)).toEqual(Buffer.from([2, 2]));
    chmodSync(dataDir, 0o755);
    chmodSync(file, 0o644);
    const before = digest(file);
    const history = await cliAsNobody(['history', '--machine', 'host-a', '--data-dir', dataDir]);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toContain('Total runs: 3');
    const failures = await cliAsNobody(['failures', '--machine', 'host-a', '--data-dir', dataDir]);
    expect(failures.code, failures.stderr).toBe(0);
    expect(failures.stdout).toContain('cpu_spike');
    const compare = await cliAsNobody(['compare', '--data-dir', dataDir]);
    expect(compare.code, compare.stderr).toBe(0);
    expect(compare.stdout).toMatch(/host-a\s+3/);
    expect(readdirSync(dataDir)).toEqual([HISTORY_FILE_NAME]);
    expect(digest(file)).toBe(before);
  });

  it('read an older (v3) history without upgrading it, and an absent one as empty without creating it', async () => {
    const dataDir = dir('readonly-v3');
    const file = path.join(dataDir, HISTORY_FILE_NAME);
    const old = new Database(file);
    for (const step of MIGRATIONS.slice(0, 3)) old.exec(step);
    old.exec(`INSERT INTO runs VALUES ('v3-run', 'host-a', '2026-01-02T10:00:00.000Z', ${Date.parse('2026-01-02T10:00:00.000Z')}, '2026-01-02T10:05:00.000Z', 1, 1, 0, 0)`);
    old.pragma('user_version = 3');
    old.close();
    const before = digest(file);
    const history = await cliAsNobody(['history', '--machine', 'host-a', '--data-dir', dataDir]);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toContain('Total runs: 1');
    expect(digest(file)).toBe(before);
    const sessions = await cliAsNobody(['history', '--sessions', '--machine', 'host-a', '--data-dir', dataDir]);
    expect(sessions.stdout).toContain('No demo, experiment, gameday or workload recorded on host-a yet.');

    const empty = dir('readonly-empty');
    const none = await cliAsNobody(['history', '--machine', 'host-a', '--data-dir', empty]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain('No runs recorded for host-a yet');
    expect(readdirSync(empty)).toEqual([]);
  });
});
