/**
 * The training records, in the history database (history.sqlite in the data dir, the same file
 * and migrations as runs and incidents: src/history/sqlite-store.ts applies TRAINING_MIGRATION in
 * its turn). Trainees, exercises, attempts and the answer of each stage. Reads are local: the
 * ladder works offline and the roster adds up 50,000 attempts in one pass (each attempt row
 * carries whether each of its stages was right, so that accuracy needs no join).
 * Each attempt is queued for Neo4j in the same transaction when Neo4j is configured.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { HistoryFileError } from '../history/sqlite-file.js';
import { HISTORY_FILE_NAME, openHistoryDatabase } from '../history/sqlite-store.js';
import type { ExerciseInfo, ExerciseStats } from './ladder.js';
import { STAGES, type AttemptRecord, type Level, type Stage } from './types.js';

export { TRAINING_MIGRATION } from './migration.js';


/** Per stage, over a trainee's attempts (or all of them). */
export interface StageAccuracy {
  stage: Stage;
  asked: number;
  right: number;
  /** Mean time from the stage's opening to the answer. */
  meanMs: number | null;
}

export interface TraineeSummary {
  trainee: string;
  attempts: number;
  meanScore: number;
  lastAt: string;
  /** Exercises of the given list passed (best score >= the pass score), per level. */
  passedByLevel: Partial<Record<Level, number>>;
  /** Right answers per stage over every attempt. */
  stages: Record<Stage, { asked: number; right: number }>;
}

export interface TrainingStore {
  saveAttempt(attempt: AttemptRecord, exercise: ExerciseInfo, options?: { enqueue?: boolean }): void;
  exerciseStats(trainee: string): ExerciseStats[];
  stageAccuracy(trainee: string): StageAccuracy[];
  /** Every trainee, with the exercises of `exercises` passed at `passScore`. */
  roster(exercises: readonly { id: string; level: Level }[], passScore: number): TraineeSummary[];
  recentAttempts(trainee: string, limit: number): AttemptRecord[];
  getAttempt(id: string): AttemptRecord | null;
  close(): void;
}

interface AttemptRow {
  id: string;
  trainee: string;
  exercise_id: string;
  title: string;
  kind: string;
  level: string;
  machine: string;
  seed: number;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  par_seconds: number;
  hints: number;
  score: number;
  passed: number;
  parts: string;
}

interface AnswerRow {
  position: number;
  stage: Stage;
  answer: string | null;
  label: string | null;
  correct: number;
  risk_level: string | null;
  answered_at: string;
  elapsed_ms: number;
  hints: number;
}

const RIGHT_COLUMN: Record<Stage, string> = {
  detection: 'detection_right',
  localisation: 'localisation_right',
  root_cause: 'root_cause_right',
  mitigation: 'mitigation_right',
};

export class SqliteTrainingStore implements TrainingStore {
  private readonly statements;
  private readonly saveTx: Database.Transaction<(attempt: AttemptRecord, exercise: ExerciseInfo, enqueue: boolean) => void>;

  /** Opens (creating and migrating if needed) the history database of the data dir. */
  static open(dataDir: string): SqliteTrainingStore {
    mkdirSync(dataDir, { recursive: true });
    return SqliteTrainingStore.openFile(path.join(dataDir, HISTORY_FILE_NAME));
  }

  static openFile(file: string): SqliteTrainingStore {
    let db: Database.Database;
    try {
      db = openHistoryDatabase(file);
    } catch (error) {
      // A file that is not firedrill's (or damaged) is named and explained already.
      if (error instanceof HistoryFileError) throw error;
      throw new Error(`${file}: cannot open the training records (${(error as Error).message})`);
    }
    return new SqliteTrainingStore(db);
  }

  constructor(private readonly db: Database.Database) {
    this.statements = {
      upsertTrainee: db.prepare('INSERT INTO trainees (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING'),
      upsertExercise: db.prepare(
        `INSERT INTO exercises (id, kind, level, title) VALUES (@id, @kind, @level, @title)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, level = excluded.level, title = excluded.title`,
      ),
      insertAttempt: db.prepare(
        `INSERT OR REPLACE INTO training_attempts (id, trainee, exercise_id, machine, seed, started_at, started_ms, finished_at,
           duration_ms, par_seconds, hints, score, passed, detection_right, localisation_right, root_cause_right, mitigation_right, parts)
         VALUES (@id, @trainee, @exerciseId, @machine, @seed, @startedAt, @startedMs, @finishedAt,
           @durationMs, @parSeconds, @hints, @score, @passed, @detection, @localisation, @root_cause, @mitigation, @parts)`,
      ),
      deleteAnswers: db.prepare('DELETE FROM training_stage_answers WHERE attempt_id = ?'),
      insertAnswer: db.prepare(
        `INSERT INTO training_stage_answers (attempt_id, position, stage, answer, label, correct, risk_level, answered_at, elapsed_ms, hints)
         VALUES (@attemptId, @position, @stage, @answer, @label, @correct, @riskLevel, @answeredAt, @elapsedMs, @hints)`,
      ),
      enqueue: db.prepare(
        `INSERT INTO outbox (kind, item_id, queued_at) VALUES ('attempt', ?, ?)
         ON CONFLICT (kind, item_id) DO UPDATE SET attempts = 0, last_error = NULL`,
      ),
      exerciseStats: db.prepare(
        `SELECT exercise_id, count(*) AS attempts, max(score) AS best, max(started_ms) AS last_ms,
           min(CASE WHEN passed = 1 THEN duration_ms END) AS best_passed_ms, min(duration_ms) AS best_ms
         FROM training_attempts WHERE trainee = ? GROUP BY exercise_id`,
      ),
      stageRights: db.prepare(
        `SELECT ${STAGES.map((stage) => `count(${RIGHT_COLUMN[stage]}) AS ${stage}_asked, total(${RIGHT_COLUMN[stage]}) AS ${stage}_right`).join(', ')}
         FROM training_attempts WHERE trainee = ?`,
      ),
      stageTimes: db.prepare(
        `SELECT s.stage, avg(s.elapsed_ms) AS mean_ms FROM training_stage_answers s
         JOIN training_attempts a ON a.id = s.attempt_id WHERE a.trainee = ? GROUP BY s.stage`,
      ),
      updateBest: db.prepare(
        `INSERT OR REPLACE INTO training_bests (trainee, exercise_id, attempts, best)
         SELECT trainee, exercise_id, count(*), max(score) FROM training_attempts
         WHERE trainee = @trainee AND exercise_id = @exerciseId GROUP BY trainee, exercise_id`,
      ),
      updateTotals: db.prepare(
        `INSERT OR REPLACE INTO training_totals
         SELECT trainee, count(*), sum(score), max(started_ms),
           ${STAGES.map((stage) => `count(${RIGHT_COLUMN[stage]}), total(${RIGHT_COLUMN[stage]})`).join(', ')}
         FROM training_attempts WHERE trainee = @trainee GROUP BY trainee`,
      ),
      totals: db.prepare('SELECT * FROM training_totals'),
      // Rows as arrays: a tenth of the time of objects for the roster's tens of thousands.
      passed: db.prepare('SELECT trainee, exercise_id FROM training_bests WHERE best >= ?').raw(),
      catalogue: db.prepare('SELECT signature, content FROM training_catalogue WHERE source = ?'),
      saveCatalogue: db.prepare('INSERT OR REPLACE INTO training_catalogue (source, signature, content) VALUES (?, ?, ?)'),
      recent: db.prepare(
        `SELECT a.*, e.title, e.kind, e.level FROM training_attempts a JOIN exercises e ON e.id = a.exercise_id
         WHERE a.trainee = ? ORDER BY a.started_ms DESC, a.id DESC LIMIT ?`,
      ),
      getAttempt: db.prepare('SELECT a.*, e.title, e.kind, e.level FROM training_attempts a JOIN exercises e ON e.id = a.exercise_id WHERE a.id = ?'),
      answersOf: db.prepare('SELECT * FROM training_stage_answers WHERE attempt_id = ? ORDER BY position'),
    };
    this.saveTx = db.transaction((attempt: AttemptRecord, exercise: ExerciseInfo, enqueue: boolean) => {
      const { statements } = this;
      statements.upsertTrainee.run(attempt.trainee, attempt.startedAt);
      statements.upsertExercise.run({ id: exercise.id, kind: exercise.kind, level: exercise.level, title: exercise.title });
      const rights = Object.fromEntries(
        STAGES.map((stage) => {
          const answer = attempt.answers.find((entry) => entry.stage === stage);
          return [stage, answer === undefined ? null : Number(answer.correct)];
        }),
      );
      statements.deleteAnswers.run(attempt.id);
      statements.insertAttempt.run({
        id: attempt.id,
        trainee: attempt.trainee,
        exerciseId: attempt.exerciseId,
        machine: attempt.machine,
        seed: attempt.seed,
        startedAt: attempt.startedAt,
        startedMs: Date.parse(attempt.startedAt) || 0,
        finishedAt: attempt.finishedAt,
        durationMs: Math.round(attempt.durationMs),
        parSeconds: attempt.parSeconds,
        hints: attempt.hintsUsed,
        score: attempt.score,
        passed: Number(attempt.passed),
        ...rights,
        parts: JSON.stringify(attempt.parts),
      });
      attempt.answers.forEach((answer, position) =>
        statements.insertAnswer.run({
          attemptId: attempt.id,
          position,
          stage: answer.stage,
          answer: answer.candidateId,
          label: answer.label,
          correct: Number(answer.correct),
          riskLevel: answer.riskLevel ?? null,
          answeredAt: answer.answeredAt,
          elapsedMs: Math.round(answer.elapsedMs),
          hints: answer.hintsUsed,
        }),
      );
      statements.updateBest.run({ trainee: attempt.trainee, exerciseId: attempt.exerciseId });
      statements.updateTotals.run({ trainee: attempt.trainee });
      if (enqueue) statements.enqueue.run(attempt.id, attempt.finishedAt);
    });
  }

  saveAttempt(attempt: AttemptRecord, exercise: ExerciseInfo, { enqueue = false }: { enqueue?: boolean } = {}): void {
    this.saveTx.immediate(attempt, exercise, enqueue);
  }

  exerciseStats(trainee: string): ExerciseStats[] {
    const rows = this.statements.exerciseStats.all(trainee) as Array<{
      exercise_id: string;
      attempts: number;
      best: number;
      last_ms: number;
      best_passed_ms: number | null;
      best_ms: number;
    }>;
    return rows.map((row) => ({
      exerciseId: row.exercise_id,
      attempts: row.attempts,
      bestScore: row.best,
      bestTimeMs: row.best_passed_ms ?? row.best_ms,
      lastAt: new Date(row.last_ms).toISOString(),
    }));
  }

  stageAccuracy(trainee: string): StageAccuracy[] {
    const rights = this.statements.stageRights.get(trainee) as Record<string, number>;
    const times = new Map((this.statements.stageTimes.all(trainee) as Array<{ stage: Stage; mean_ms: number }>).map((row) => [row.stage, row.mean_ms]));
    return STAGES.map((stage) => ({
      stage,
      asked: rights[`${stage}_asked`] ?? 0,
      right: rights[`${stage}_right`] ?? 0,
      meanMs: times.get(stage) ?? null,
    }));
  }

  roster(exercises: readonly { id: string; level: Level }[], passScore: number): TraineeSummary[] {
    const levelOf = new Map(exercises.map((exercise) => [exercise.id, exercise.level]));
    const passed = new Map<string, Partial<Record<Level, number>>>();
    for (const [trainee, exerciseId] of this.statements.passed.iterate(passScore) as IterableIterator<[string, string]>) {
      const level = levelOf.get(exerciseId);
      if (level === undefined) continue;
      const levels = passed.get(trainee) ?? {};
      levels[level] = (levels[level] ?? 0) + 1;
      passed.set(trainee, levels);
    }
    return (this.statements.totals.all() as Array<Record<string, number> & { trainee: string }>).map((row) => ({
      trainee: row.trainee,
      attempts: row.attempts!,
      meanScore: row.attempts! > 0 ? row.score_sum! / row.attempts! : 0,
      lastAt: new Date(row.last_ms!).toISOString(),
      passedByLevel: passed.get(row.trainee) ?? {},
      stages: Object.fromEntries(STAGES.map((stage) => [stage, { asked: row[`${stage}_asked`]!, right: row[`${stage}_right`]! }])) as TraineeSummary['stages'],
    }));
  }

  /** What was cached for `source` (a scenarios folder) and under which signature. */
  catalogue(source: string): { signature: string; content: string } | undefined {
    return this.statements.catalogue.get(source) as { signature: string; content: string } | undefined;
  }

  saveCatalogue(source: string, signature: string, content: string): void {
    this.statements.saveCatalogue.run(source, signature, content);
  }

  recentAttempts(trainee: string, limit: number): AttemptRecord[] {
    return (this.statements.recent.all(trainee, limit) as AttemptRow[]).map((row) => this.attemptFrom(row));
  }

  getAttempt(id: string): AttemptRecord | null {
    const row = this.statements.getAttempt.get(id) as AttemptRow | undefined;
    return row ? this.attemptFrom(row) : null;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private attemptFrom(row: AttemptRow): AttemptRecord {
    const answers = (this.statements.answersOf.all(row.id) as AnswerRow[]).map((answer) => ({
      stage: answer.stage,
      candidateId: answer.answer,
      label: answer.label,
      correct: answer.correct === 1,
      ...(answer.risk_level ? { riskLevel: answer.risk_level as 'low' | 'medium' | 'high' } : {}),
      answeredAt: answer.answered_at,
      elapsedMs: answer.elapsed_ms,
      hintsUsed: answer.hints,
    }));
    return {
      id: row.id,
      trainee: row.trainee,
      exerciseId: row.exercise_id,
      exerciseTitle: row.title,
      kind: row.kind as AttemptRecord['kind'],
      level: row.level as AttemptRecord['level'],
      machine: row.machine,
      seed: row.seed,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      durationMs: row.duration_ms,
      parSeconds: row.par_seconds,
      hintsUsed: row.hints,
      score: row.score,
      passed: row.passed === 1,
      answers,
      parts: JSON.parse(row.parts) as AttemptRecord['parts'],
    };
  }
}
