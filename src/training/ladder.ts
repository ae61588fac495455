/**
 * The ladder: levels beginner, intermediate and advanced, from the scenarios' difficulty (live
 * exercises are advanced). A level is open when every exercise of the levels below has been
 * passed (best score >= the pass score, which is configurable: passing is recomputed from the best
 * score, never read from a stored flag, so that changing the pass score changes the ladder).
 * Before its first attempt an exercise is shown by its number, service and severity only: its
 * name gives the answer away ("Gradual Memory Leak").
 */
import { DIFFICULTIES, type Severity } from '../incidents/types.js';
import type { ExerciseKind, Level } from './types.js';

export interface ExerciseInfo {
  id: string;
  kind: ExerciseKind;
  level: Level;
  title: string;
  service: string;
  severity: Severity;
}

/** One trainee's record on one exercise, as the store adds it up. */
export interface ExerciseStats {
  exerciseId: string;
  attempts: number;
  bestScore: number;
  /** The fastest passing attempt, else the fastest attempt. */
  bestTimeMs: number;
  lastAt: string;
}

export interface LadderEntry {
  exercise: ExerciseInfo;
  /** The title once attempted, else "3 · service · severity". */
  label: string;
  attempts: number;
  bestScore: number | null;
  bestTimeMs: number | null;
  passed: boolean;
  locked: boolean;
}

export interface LadderLevel {
  level: Level;
  unlocked: boolean;
  passed: boolean;
  entries: LadderEntry[];
  /** Why it is locked, for the screen. */
  lockedReason?: string;
}

export interface Ladder {
  trainee: string;
  passScore: number;
  levels: LadderLevel[];
  /** The highest open level: the trainee's level. */
  level: Level;
}

export function buildLadder(trainee: string, exercises: readonly ExerciseInfo[], stats: readonly ExerciseStats[], passScore: number): Ladder {
  const byId = new Map(stats.map((entry) => [entry.exerciseId, entry]));
  const levels: LadderLevel[] = [];
  let open = true;
  let blocker: Level | undefined;
  let number = 0;
  for (const level of DIFFICULTIES) {
    const entries = exercises
      .filter((exercise) => exercise.level === level)
      .sort((a, b) => Number(a.kind === 'live') - Number(b.kind === 'live') || a.id.localeCompare(b.id))
      .map((exercise): LadderEntry => {
        const record = byId.get(exercise.id);
        const passed = record !== undefined && record.bestScore >= passScore;
        number += 1;
        return {
          exercise,
          label: record ? exercise.title : `${number} · ${exercise.kind === 'live' ? 'live fault' : exercise.service} · ${exercise.severity}`,
          attempts: record?.attempts ?? 0,
          bestScore: record?.bestScore ?? null,
          bestTimeMs: record?.bestTimeMs ?? null,
          passed,
          locked: !open,
        };
      });
    const passed = entries.every((entry) => entry.passed);
    levels.push({ level, unlocked: open, passed, entries, ...(open ? {} : { lockedReason: `pass every ${blocker} exercise (score ${passScore} or more) to unlock` }) });
    if (open && !passed) {
      open = false;
      blocker = level;
    }
  }
  const level = [...levels].reverse().find((entry) => entry.unlocked)?.level ?? 'beginner';
  return { trainee, passScore, levels, level };
}
