import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { runCli } from '../helpers/cli.js';
import { makeSession } from './fixtures/reports.js';

// The built CLI; TZ pinned so that dates print the same everywhere.
const ENV = { TZ: 'UTC', NEO4J_URI: '', NEO4J_PASSWORD: '', FIREDRILL_DATA_DIR: '' };

let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-cli-sessions-'));
  const store = SqliteHistoryStore.open(dataDir);
  for (let index = 0; index < 4; index += 1) await store.saveSession(makeSession(index, 'host-a', 'experiment'));
  await store.saveSession(makeSession(5, 'host-a', 'demo'));
  await store.saveSession(makeSession(6, 'host-b', 'workload'));
  await store.close();
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('firedrill history --sessions (built CLI)', () => {
  it('lists the machine\'s sessions newest first: date, kind, subject, result, summary', async () => {
    const result = await runCli(['history', '--sessions', '--machine', 'host-a', '--limit', '3', '--data-dir', dataDir], { env: ENV });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Sessions on host-a');
    expect(result.stdout).toContain('Last 3 of 5, newest first:');
    const rows = result.stdout.split('\n').filter((line) => /^2026-/.test(line));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^2026-01-01 17:45:00\s+demo\s+demo-subject-2\s+completed\s+demo 5: recovered after 6\.5 s$/);
    expect(rows[1]).toMatch(/^2026-01-01 15:45:00\s+experiment\s+experiment-subject-0\s+stopped\s+experiment 3: recovered after 4\.5 s$/);
    expect(rows[2]).toMatch(/^2026-01-01 14:45:00\s+experiment\s+experiment-subject-2\s+passed\s+experiment 2/);
  });

  it('--kind lists one kind (and implies --sessions); --json gives the rows, figures included', async () => {
    const result = await runCli(['history', '--kind', 'experiment', '--json', '--machine', 'host-a', '--data-dir', dataDir], { env: ENV });
    expect(result.code, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout) as { kind: string; total: number; sessions: Array<{ id: string; figures: Record<string, unknown>; detail?: unknown }> };
    expect(answer.kind).toBe('experiment');
    expect(answer.total).toBe(4);
    expect(answer.sessions.map((session) => session.id)).toEqual([3, 2, 1, 0].map((index) => makeSession(index, 'host-a').id));
    expect(answer.sessions[0]!.figures).toEqual(makeSession(3, 'host-a').figures);
    expect(answer.sessions[0]).not.toHaveProperty('detail');
  });

  it('--session ID prints one session whole, figures in their units and detail; --json gives the record', async () => {
    const session = makeSession(2, 'host-a', 'experiment');
    const text = await runCli(['history', '--session', session.id, '--data-dir', dataDir], { env: ENV });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('experiment number 2: experiment experiment-subject-2 on host-a, passed (completed)');
    expect(text.stdout).toMatch(/time to recover\s+3\.5 s/);
    expect(text.stdout).toContain('"text": "fault injected"');
    const json = await runCli(['history', '--session', session.id, '--json', '--data-dir', dataDir], { env: ENV });
    expect(JSON.parse(json.stdout)).toEqual(session);
    const missing = await runCli(['history', '--session', 'no-such', '--data-dir', dataDir], { env: ENV });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('firedrill history: no session "no-such" in the history');
  });

  it('says when there is none, and refuses an unknown kind or two listings at once with exit 2', async () => {
    const none = await runCli(['history', '--kind', 'gameday', '--machine', 'host-a', '--data-dir', dataDir], { env: ENV });
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain('No gameday recorded on host-a yet.');
    const unknown = await runCli(['history', '--kind', 'party', '--data-dir', dataDir], { env: ENV });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--kind must be one of demo, experiment, gameday, workload, got "party"');
    const both = await runCli(['history', '--sessions', '--detection', '--data-dir', dataDir], { env: ENV });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--detection and --sessions are different listings: choose one');
  });
});
