/**
 * The training records in Neo4j, next to the history's graph (src/history/cypher.ts):
 * (:Trainee {name})-[:MADE]->(:TrainingAttempt {id})-[:OF]->(:Exercise {id}), and the attempt
 * -[:ON]->(:TestMachine {hostname}) it was made on. Parameterised constants only (linted in
 * test/training/cypher-lint.test.ts); MERGE on ids, so that a second delivery from the outbox is a
 * no-op.
 */
import type { AttemptRecord } from './types.js';

export const TRAINING_SCHEMA_STATEMENTS = [
  'CREATE CONSTRAINT firedrill_trainee_name IF NOT EXISTS FOR (t:Trainee) REQUIRE t.name IS UNIQUE',
  'CREATE CONSTRAINT firedrill_exercise_id IF NOT EXISTS FOR (e:Exercise) REQUIRE e.id IS UNIQUE',
  'CREATE CONSTRAINT firedrill_training_attempt_id IF NOT EXISTS FOR (a:TrainingAttempt) REQUIRE a.id IS UNIQUE',
  'CREATE INDEX firedrill_training_attempt_time IF NOT EXISTS FOR (a:TrainingAttempt) ON (a.trainee, a.started_at)',
] as const;

/**
 * $attempt: {id, trainee, hostname, exercise_id, exercise_kind, exercise_level, exercise_title, seed, started_at,
 * finished_at, duration_ms, par_seconds, hints, score, passed, answers (JSON), parts (JSON)}.
 */
export const SAVE_TRAINING_ATTEMPT = `
MERGE (machine:TestMachine {hostname: $attempt.hostname})
MERGE (trainee:Trainee {name: $attempt.trainee})
MERGE (exercise:Exercise {id: $attempt.exercise_id})
SET exercise.kind = $attempt.exercise_kind, exercise.level = $attempt.exercise_level, exercise.title = $attempt.exercise_title
MERGE (attempt:TrainingAttempt {id: $attempt.id})
SET
  attempt.trainee = $attempt.trainee,
  attempt.hostname = $attempt.hostname,
  attempt.seed = $attempt.seed,
  attempt.started_at = datetime($attempt.started_at),
  attempt.finished_at = datetime($attempt.finished_at),
  attempt.duration_ms = $attempt.duration_ms,
  attempt.par_seconds = $attempt.par_seconds,
  attempt.hints = $attempt.hints,
  attempt.score = $attempt.score,
  attempt.passed = $attempt.passed,
  attempt.answers = $attempt.answers,
  attempt.parts = $attempt.parts
MERGE (trainee)-[:MADE]->(attempt)
MERGE (attempt)-[:OF]->(exercise)
MERGE (attempt)-[:ON]->(machine)
`;

/** $trainee: the trainee's attempts, newest first (for a fleet-wide look from Neo4j Browser or a script). */
export const TRAINEE_ATTEMPTS = `
MATCH (trainee:Trainee {name: $trainee})-[:MADE]->(attempt:TrainingAttempt)-[:OF]->(exercise:Exercise)
RETURN attempt.id AS id, exercise.id AS exerciseId, attempt.score AS score, attempt.passed AS passed,
  toString(attempt.started_at) AS startedAt
ORDER BY attempt.started_at DESC
`;

export const TRAINING_CYPHER: { name: string; query: string }[] = [
  { name: 'SAVE_TRAINING_ATTEMPT', query: SAVE_TRAINING_ATTEMPT },
  { name: 'TRAINEE_ATTEMPTS', query: TRAINEE_ATTEMPTS },
  ...TRAINING_SCHEMA_STATEMENTS.map((query, index) => ({ name: `TRAINING_SCHEMA_${index}`, query })),
];

/** The parameters of SAVE_TRAINING_ATTEMPT for an attempt. */
export function attemptParameters(attempt: AttemptRecord): Record<string, unknown> {
  return {
    id: attempt.id,
    trainee: attempt.trainee,
    hostname: attempt.machine,
    exercise_id: attempt.exerciseId,
    exercise_kind: attempt.kind,
    exercise_level: attempt.level,
    exercise_title: attempt.exerciseTitle,
    seed: attempt.seed,
    started_at: attempt.startedAt,
    finished_at: attempt.finishedAt,
    duration_ms: Math.round(attempt.durationMs),
    par_seconds: attempt.parSeconds,
    hints: attempt.hintsUsed,
    score: attempt.score,
    passed: attempt.passed,
    answers: JSON.stringify(attempt.answers),
    parts: JSON.stringify(attempt.parts),
  };
}
