/**
 * The training tables, a migration of the history database (src/history/sqlite-store.ts lists it
 * among its MIGRATIONS). In a module of its own, without imports, so that the history store can
 * take it without loading the training store (which imports the history store).
 */
export const TRAINING_MIGRATION = `
  CREATE TABLE trainees (
    name TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
  );
  CREATE TABLE exercises (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    title TEXT NOT NULL
  );
  CREATE TABLE training_attempts (
    id TEXT PRIMARY KEY,
    trainee TEXT NOT NULL REFERENCES trainees (name),
    exercise_id TEXT NOT NULL REFERENCES exercises (id),
    machine TEXT NOT NULL,
    seed INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    started_ms INTEGER NOT NULL,
    finished_at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    par_seconds INTEGER NOT NULL,
    hints INTEGER NOT NULL,
    score INTEGER NOT NULL,
    passed INTEGER NOT NULL,
    -- 1 right, 0 wrong, NULL not asked (live exercises ask three stages).
    detection_right INTEGER,
    localisation_right INTEGER,
    root_cause_right INTEGER,
    mitigation_right INTEGER,
    parts TEXT NOT NULL
  );
  -- The ladder and the roster read only this index.
  CREATE INDEX training_attempts_by_trainee ON training_attempts (
    trainee, exercise_id, score, duration_ms, passed, started_ms,
    detection_right, localisation_right, root_cause_right, mitigation_right
  );
  -- Kept up to date with every save (recomputed from the attempts, so a save repeated is harmless):
  -- the roster reads a row per trainee and per exercise tried instead of every attempt.
  CREATE TABLE training_bests (
    trainee TEXT NOT NULL,
    exercise_id TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    best INTEGER NOT NULL,
    PRIMARY KEY (trainee, exercise_id)
  ) WITHOUT ROWID;
  CREATE INDEX training_bests_by_score ON training_bests (best, trainee, exercise_id);
  CREATE TABLE training_totals (
    trainee TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,
    score_sum INTEGER NOT NULL,
    last_ms INTEGER NOT NULL,
    detection_asked INTEGER NOT NULL,
    detection_right INTEGER NOT NULL,
    localisation_asked INTEGER NOT NULL,
    localisation_right INTEGER NOT NULL,
    root_cause_asked INTEGER NOT NULL,
    root_cause_right INTEGER NOT NULL,
    mitigation_asked INTEGER NOT NULL,
    mitigation_right INTEGER NOT NULL
  ) WITHOUT ROWID;
  -- The exercises a scenarios folder offered when its files last changed (catalogue.ts): the roster
  -- and the report read it instead of parsing every scenario file again.
  CREATE TABLE training_catalogue (
    source TEXT PRIMARY KEY,
    signature TEXT NOT NULL,
    content TEXT NOT NULL
  );
  CREATE TABLE training_stage_answers (
    attempt_id TEXT NOT NULL REFERENCES training_attempts (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    stage TEXT NOT NULL,
    answer TEXT,
    label TEXT,
    correct INTEGER NOT NULL,
    risk_level TEXT,
    answered_at TEXT NOT NULL,
    elapsed_ms INTEGER NOT NULL,
    hints INTEGER NOT NULL,
    PRIMARY KEY (attempt_id, position)
  ) WITHOUT ROWID;
`;
