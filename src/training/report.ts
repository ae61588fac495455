/**
 * The scorecard of one trainee (`train --report`) and the instructor's roster (`train --roster`),
 * added up from the store; the agent's scorecard (`train --agent`) has the same stage figures.
 */
import { DIFFICULTIES } from '../incidents/types.js';
import { buildLadder, type ExerciseInfo, type Ladder } from './ladder.js';
import type { StageAccuracy, TraineeSummary, TrainingStore } from './store.js';
import { STAGES, type Level, type Stage } from './types.js';

export interface StageFigure {
  stage: Stage;
  asked: number;
  right: number;
  /** 0..1, null when never asked. */
  accuracy: number | null;
  meanMs: number | null;
}

export interface Scorecard {
  trainee: string;
  level: Level;
  passScore: number;
  attempts: number;
  exercises: {
    id: string;
    title: string;
    level: Level;
    kind: string;
    attempts: number;
    bestScore: number | null;
    bestTimeMs: number | null;
    passed: boolean;
    locked: boolean;
  }[];
  stages: StageFigure[];
  /** The stage with the lowest accuracy (the slower one on a tie); null before any attempt. */
  weakestStage: Stage | null;
}

export interface RosterRow {
  trainee: string;
  level: Level;
  attempts: number;
  exercisesPassed: number;
  exercisesTotal: number;
  meanScore: number;
  lastAt: string;
  weakestStage: Stage | null;
}

export function scorecardOf(trainee: string, ladder: Ladder, stages: readonly StageAccuracy[]): Scorecard {
  const exercises = ladder.levels.flatMap((level) =>
    level.entries.map((entry) => ({
      id: entry.exercise.id,
      // Named once attempted: the scorecard shows what the ladder shows.
      title: entry.label,
      level: entry.exercise.level,
      kind: entry.exercise.kind,
      attempts: entry.attempts,
      bestScore: entry.bestScore,
      bestTimeMs: entry.bestTimeMs,
      passed: entry.passed,
      locked: entry.locked,
    })),
  );
  const figures = stages.map(stageFigure);
  return {
    trainee,
    level: ladder.level,
    passScore: ladder.passScore,
    attempts: exercises.reduce((sum, exercise) => sum + exercise.attempts, 0),
    exercises,
    stages: figures,
    weakestStage: weakestStage(figures),
  };
}

export function stageFigure(entry: { stage: Stage; asked: number; right: number; meanMs: number | null }): StageFigure {
  return { ...entry, accuracy: entry.asked > 0 ? entry.right / entry.asked : null };
}

export function weakestStage(figures: readonly StageFigure[]): Stage | null {
  const asked = figures.filter((figure) => figure.accuracy !== null);
  if (asked.length === 0) return null;
  asked.sort((a, b) => a.accuracy! - b.accuracy! || (b.meanMs ?? 0) - (a.meanMs ?? 0));
  return asked[0]!.stage;
}

export function rosterOf(summaries: readonly TraineeSummary[], exercises: readonly ExerciseInfo[]): RosterRow[] {
  return summaries
    .map((summary) => {
      const figures = STAGES.map((stage) => stageFigure({ stage, ...summary.stages[stage], meanMs: null }));
      return {
        trainee: summary.trainee,
        level: levelFromCounts(exercises, summary.passedByLevel),
        attempts: summary.attempts,
        exercisesPassed: Object.values(summary.passedByLevel).reduce((sum, count) => sum + (count ?? 0), 0),
        exercisesTotal: exercises.length,
        meanScore: Math.round(summary.meanScore * 10) / 10,
        lastAt: summary.lastAt,
        weakestStage: weakestStage(figures),
      };
    })
    .sort((a, b) => a.trainee.localeCompare(b.trainee));
}

/** The highest level open: every exercise of each level below it passed. */
function levelFromCounts(exercises: readonly ExerciseInfo[], passedByLevel: Partial<Record<Level, number>>): Level {
  let level: Level = DIFFICULTIES[0];
  for (const current of DIFFICULTIES) {
    level = current;
    const total = exercises.filter((exercise) => exercise.level === current).length;
    if ((passedByLevel[current] ?? 0) < total) break;
  }
  return level;
}

/** The scorecard straight from the store. */
export function scorecardFromStore(store: TrainingStore, trainee: string, exercises: readonly ExerciseInfo[], passScore: number): Scorecard {
  const ladder = buildLadder(trainee, exercises, store.exerciseStats(trainee), passScore);
  return scorecardOf(trainee, ladder, store.stageAccuracy(trainee));
}
