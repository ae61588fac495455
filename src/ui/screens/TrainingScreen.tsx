/**
 * The training ladder: the levels in order, each exercise with its best score, attempts and best
 * time, locked levels greyed out with what unlocks them. Enter opens an exercise.
 */
import { Text } from 'ink';
import { useEffect, useState } from 'react';
import type { Ladder } from '../../training/ladder.js';
import { Menu, type MenuItem } from '../components/Menu.js';
import { ladderItems } from '../training/ladder-items.js';
import type { ConsoleServices } from '../services.js';
import { ScreenShell } from '../shell/ScreenShell.js';
import { useKeys } from '../keys/use-keys.js';

export function TrainingScreen({
  services,
  initialExerciseId,
  onOpen,
  onBack,
}: {
  services: ConsoleServices;
  initialExerciseId?: string;
  onOpen(exerciseId: string): void;
  onBack(): void;
}) {
  const training = services.training;
  const [ladder, setLadder] = useState<Ladder>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!training) return;
    let current = true;
    training.ladder(training.trainee).then(
      (loaded) => current && setLadder(loaded),
      (failure: unknown) => current && setError(failure instanceof Error ? failure.message : String(failure)),
    );
    return () => {
      current = false;
    };
  }, [training]);
  // Keys typed while the ladder loads wait for its menu (the KeyRouter holds them); when it cannot
  // load there is no menu, and q and Esc must still lead back.
  useKeys((input, key) => (input === 'q' || key.escape) && onBack(), { isActive: !ladder && (error !== undefined || !training) });

  const items: MenuItem<string | null>[] = ladder ? ladderItems(ladder) : [];
  const initialIndex = Math.max(0, items.findIndex((item) => item.value === initialExerciseId));
  const caption = !training
    ? 'training is not available in this console'
    : error
      ? error
      : ladder
        ? `level ${ladder.level} · an exercise is passed at ${ladder.passScore} · the next level opens when all of a level's are`
        : 'loading the ladder…';
  return (
    <ScreenShell
      title={
        <>
          Training<Text dimColor> · </Text>
          <Text bold={false}>{training?.trainee ?? ''}</Text>
        </>
      }
      caption={caption}
      captionTone={error ? 'bad' : 'info'}
      panels={[
        ladder
          ? {
              id: 'ladder',
              min: Math.min(4, items.length),
              want: items.length,
              render: ({ rows, columns }) => (
                <Menu
                  items={items}
                  rows={rows}
                  columns={columns}
                  initialIndex={initialIndex}
                  onSelect={(item) => item.value !== null && onOpen(item.value)}
                  onBack={onBack}
                />
              ),
            }
          : null,
      ]}
      keys={[
        { key: '↑↓', label: 'move' },
        { key: 'Enter', label: 'start the exercise' },
        { key: 'q/Esc', label: 'back' },
      ]}
    />
  );
}
