import { describe, expect, it } from 'vitest';
import { buildLadder, type ExerciseInfo, type ExerciseStats } from '../../src/training/ladder.js';
import { ladderItems } from '../../src/ui/training/ladder-items.js';

const exercise = (id: string, level: ExerciseInfo['level'], kind: ExerciseInfo['kind'] = 'scenario'): ExerciseInfo => ({
  id, kind, level, title: `Title of ${id}`, service: `${id}-service`, severity: 'high',
});
const exercises = [exercise('b1', 'beginner'), exercise('b2', 'beginner'), exercise('i1', 'intermediate'), exercise('a1', 'advanced'), exercise('live_cpu', 'advanced', 'live')];
const stats = (exerciseId: string, bestScore: number, attempts = 1): ExerciseStats => ({ exerciseId, attempts, bestScore, bestTimeMs: 30_000, lastAt: '2026-12-01T10:00:00.000Z' });

describe('the ladder', () => {
  it('opens beginner only, and hides the names of exercises not tried yet', () => {
    const ladder = buildLadder('ana', exercises, [], 80);
    expect(ladder.levels.map((level) => [level.level, level.unlocked])).toEqual([['beginner', true], ['intermediate', false], ['advanced', false]]);
    expect(ladder.level).toBe('beginner');
    expect(ladder.levels[0]!.entries.map((entry) => entry.label)).toEqual(['1 · b1-service · high', '2 · b2-service · high']);
    expect(ladder.levels[1]!.lockedReason).toBe('pass every beginner exercise (score 80 or more) to unlock');
    expect(ladder.levels[2]!.entries.map((entry) => entry.label)).toEqual(['4 · a1-service · high', '5 · live fault · high']);
  });

  it('opens the next level when every exercise of the level is passed, and not before', () => {
    expect(buildLadder('ana', exercises, [stats('b1', 95), stats('b2', 79, 3)], 80).level).toBe('beginner');
    const opened = buildLadder('ana', exercises, [stats('b1', 95), stats('b2', 80, 3)], 80);
    expect(opened.level).toBe('intermediate');
    expect(opened.levels[0]!.passed).toBe(true);
    expect(opened.levels[0]!.entries[1]).toMatchObject({ label: 'Title of b2', attempts: 3, bestScore: 80, passed: true });
    expect(opened.levels[2]!.lockedReason).toBe('pass every intermediate exercise (score 80 or more) to unlock');
    expect(buildLadder('ana', exercises, [stats('b1', 95), stats('b2', 80), stats('i1', 100)], 80).level).toBe('advanced');
  });

  it('recomputes passing from the best score, so that the pass score from the config decides', () => {
    const records = [stats('b1', 85), stats('b2', 85)];
    expect(buildLadder('ana', exercises, records, 80).level).toBe('intermediate');
    expect(buildLadder('ana', exercises, records, 90).level).toBe('beginner');
  });

  it('as menu lines: a header per level, locked exercises not pickable', () => {
    const items = ladderItems(buildLadder('ana', exercises, [stats('b1', 92, 2)], 80));
    expect(items.map((item) => [item.label, item.hint, Boolean(item.disabled)])).toEqual([
      ['── beginner', 'open', true],
      ['✓ Title of b1', 'best 92 · 2 attempts · best time 30.0 s · passed', false],
      ['  2 · b2-service · high', 'not tried yet', false],
      ['── intermediate', 'locked: pass every beginner exercise (score 80 or more) to unlock', true],
      ['  3 · i1-service · high', 'locked', true],
      ['── advanced', 'locked: pass every beginner exercise (score 80 or more) to unlock', true],
      ['  4 · a1-service · high', 'locked', true],
      ['  5 · live fault · high', 'locked', true],
    ]);
  });
});
