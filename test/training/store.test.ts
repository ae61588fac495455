import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HISTORY_FILE_NAME, MIGRATIONS, SCHEMA_VERSION, SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import type { ExerciseInfo } from '../../src/training/ladder.js';
import { TRAINING_MIGRATION } from '../../src/training/migration.js';
import { rosterOf, scorecardFromStore } from '../../src/training/report.js';
import { SqliteTrainingStore } from '../../src/training/store.js';
import { STAGES, type AttemptRecord } from '../../src/training/types.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-training-store-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const exercises: ExerciseInfo[] = [
  { id: 'memory_leak_gradual', kind: 'scenario', level: 'beginner', title: 'Gradual Memory Leak', service: 'payment-service', severity: 'critical' },
  { id: 'disk_full_log_volume', kind: 'scenario', level: 'beginner', title: 'Disk Filled by Log Volume', service: 'order-service', severity: 'critical' },
  { id: 'pod_crash_loop', kind: 'scenario', level: 'intermediate', title: 'Pod Crash Loop After Bad Deployment', service: 'payment-service', severity: 'critical' },
];

function attempt(id: string, trainee: string, exerciseId: string, right: boolean[], { score, durationMs = 60_000, at = '2026-12-01T10:00:00.000Z' }: { score: number; durationMs?: number; at?: string }): AttemptRecord {
  const exercise = exercises.find((entry) => entry.id === exerciseId)!;
  return {
    id, trainee, exerciseId, exerciseTitle: exercise.title, kind: 'scenario', level: exercise.level, machine: 'host-a', seed: 7,
    startedAt: at, finishedAt: at, durationMs, parSeconds: 120, hintsUsed: 0, score, passed: score >= 80,
    answers: STAGES.map((stage, index) => ({ stage, candidateId: `${stage}-answer`, label: `${stage} label`, correct: right[index]!, answeredAt: at, elapsedMs: 1000 * (index + 1), hintsUsed: 0 })),
    parts: [{ label: 'Detection right', points: 20 }],
  };
}

describe('the training records', () => {
  it('migrate a history file of the schema before them, with runs, incidents and queued items in it, keeping all of it', async () => {
    const file = path.join(dataDir, HISTORY_FILE_NAME);
    const before = MIGRATIONS.indexOf(MIGRATIONS.find((migration) => migration.includes(TRAINING_MIGRATION))!);
    expect(before).toBeGreaterThan(0);
    const old = new Database(file);
    for (const migration of MIGRATIONS.slice(0, before)) old.exec(migration);
    old.exec(`
      INSERT INTO runs (id, machine, started_at, started_ms, finished_at, total, passed, failed, events)
        VALUES ('old-run', 'host-a', '2026-11-30T09:00:00.000Z', ${Date.parse('2026-11-30T09:00:00.000Z')}, '2026-11-30T09:05:00.000Z', 0, 0, 0, 0);
      INSERT INTO incidents (id, machine, scenario_id, source, severity, started_at, started_ms, finished_at, status, hypotheses, actions)
        VALUES ('sim_old', 'host-a', 'memory_leak_gradual', 'built-in', 'critical', '2026-11-30T09:10:00.000Z', 0, '2026-11-30T09:11:00.000Z', 'completed', '[]', '[]');
      INSERT INTO outbox (kind, item_id, queued_at) VALUES ('incident', 'sim_old', '2026-11-30T09:11:00.000Z');
      INSERT INTO outbox (kind, item_id, queued_at, attempts, last_error) VALUES ('run', 'old-run', '2026-11-30T09:05:00.000Z', 2, 'Neo4j unreachable');
      PRAGMA user_version = ${before};
    `);
    old.close();

    const store = SqliteTrainingStore.open(dataDir);
    store.saveAttempt(attempt('att_1', 'ana', 'memory_leak_gradual', [true, true, false, true], { score: 70 }), exercises[0]!, { enqueue: true });
    store.close();

    const history = SqliteHistoryStore.open(dataDir);
    expect((await history.getRun('old-run'))?.machine).toBe('host-a');
    expect(await history.countIncidents('host-a')).toBe(1);
    await history.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT kind, item_id, attempts, last_error FROM outbox ORDER BY rowid').all()).toEqual([
      { kind: 'incident', item_id: 'sim_old', attempts: 0, last_error: null },
      { kind: 'run', item_id: 'old-run', attempts: 2, last_error: 'Neo4j unreachable' },
      { kind: 'attempt', item_id: 'att_1', attempts: 0, last_error: null },
    ]);
    db.close();
  });

  it('keep each attempt with its stage answers, and add up a trainee\'s best, attempts, best time and accuracy per stage', () => {
    const store = SqliteTrainingStore.open(dataDir);
    store.saveAttempt(attempt('att_1', 'ana', 'memory_leak_gradual', [true, true, false, true], { score: 70, durationMs: 50_000, at: '2026-12-01T10:00:00.000Z' }), exercises[0]!);
    store.saveAttempt(attempt('att_2', 'ana', 'memory_leak_gradual', [true, true, true, true], { score: 95, durationMs: 90_000, at: '2026-12-01T11:00:00.000Z' }), exercises[0]!);
    store.saveAttempt(attempt('att_3', 'ana', 'disk_full_log_volume', [false, true, true, true], { score: 80, durationMs: 40_000, at: '2026-12-01T12:00:00.000Z' }), exercises[1]!);
    store.saveAttempt(attempt('att_4', 'ben', 'memory_leak_gradual', [false, false, true, false], { score: 30 }), exercises[0]!);
    // Saving an attempt again replaces it.
    store.saveAttempt(attempt('att_4', 'ben', 'memory_leak_gradual', [false, false, true, false], { score: 30 }), exercises[0]!);

    expect(store.exerciseStats('ana').sort((a, b) => a.exerciseId.localeCompare(b.exerciseId))).toEqual([
      { exerciseId: 'disk_full_log_volume', attempts: 1, bestScore: 80, bestTimeMs: 40_000, lastAt: '2026-12-01T12:00:00.000Z' },
      // The best time is the fastest passing attempt (90 s), not the faster failed one.
      { exerciseId: 'memory_leak_gradual', attempts: 2, bestScore: 95, bestTimeMs: 90_000, lastAt: '2026-12-01T11:00:00.000Z' },
    ]);
    expect(store.stageAccuracy('ana')).toEqual([
      { stage: 'detection', asked: 3, right: 2, meanMs: 1000 },
      { stage: 'localisation', asked: 3, right: 3, meanMs: 2000 },
      { stage: 'root_cause', asked: 3, right: 2, meanMs: 3000 },
      { stage: 'mitigation', asked: 3, right: 3, meanMs: 4000 },
    ]);
    const again = store.getAttempt('att_2')!;
    expect(again).toEqual(attempt('att_2', 'ana', 'memory_leak_gradual', [true, true, true, true], { score: 95, durationMs: 90_000, at: '2026-12-01T11:00:00.000Z' }));
    expect(store.recentAttempts('ana', 2).map((entry) => entry.id)).toEqual(['att_3', 'att_2']);

    const card = scorecardFromStore(store, 'ana', exercises, 80);
    // Detection and root cause are both 2 of 3: the slower of the two is the weaker.
    expect(card).toMatchObject({ trainee: 'ana', level: 'intermediate', attempts: 3, weakestStage: 'root_cause' });
    expect(card.exercises.map((exercise) => [exercise.title, exercise.bestScore, exercise.passed, exercise.locked])).toEqual([
      ['Disk Filled by Log Volume', 80, true, false],
      ['Gradual Memory Leak', 95, true, false],
      ['3 · payment-service · critical', null, false, false],
    ]);

    const roster = rosterOf(store.roster(exercises, 80), exercises);
    expect(roster).toEqual([
      { trainee: 'ana', level: 'intermediate', attempts: 3, exercisesPassed: 2, exercisesTotal: 3, meanScore: 81.7, lastAt: '2026-12-01T12:00:00.000Z', weakestStage: 'detection' },
      { trainee: 'ben', level: 'beginner', attempts: 1, exercisesPassed: 0, exercisesTotal: 3, meanScore: 30, lastAt: '2026-12-01T10:00:00.000Z', weakestStage: 'detection' },
    ]);
    store.close();
  });
});
