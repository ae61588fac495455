/**
 * The ladder as menu lines: a header per level (not pickable) and its exercises, with the best
 * score, attempts and best time; locked exercises are shown greyed. Pure (tested without Ink).
 */
import { formatDuration } from '../../format.js';
import type { Ladder } from '../../training/ladder.js';
import type { MenuItem } from '../components/Menu.js';

export function ladderItems(ladder: Ladder): MenuItem<string | null>[] {
  return ladder.levels.flatMap((level) => {
    const state = !level.unlocked ? `locked: ${level.lockedReason ?? ''}` : level.passed ? 'passed' : 'open';
    const header: MenuItem<string | null> = { value: null, label: `── ${level.level}`, hint: state, disabled: true };
    const entries = level.entries.map(
      (entry): MenuItem<string | null> => ({
        value: entry.exercise.id,
        label: `${entry.passed ? '✓' : ' '} ${entry.label}`,
        hint:
          entry.attempts === 0
            ? entry.locked
              ? 'locked'
              : 'not tried yet'
            : `best ${entry.bestScore} · ${entry.attempts} attempt${entry.attempts === 1 ? '' : 's'} · best time ${formatDuration(entry.bestTimeMs)}${entry.passed ? ' · passed' : ''}`,
        disabled: entry.locked,
      }),
    );
    return [header, ...entries];
  });
}
