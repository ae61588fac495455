import { Text, useStdout } from 'ink';

/** Room taken on each row by ink-select-input's indicator, plus a margin. */
const INDICATOR_WIDTH = 3;

/**
 * A select-list row that stays on one line, however narrow the terminal: cut here, with an
 * ellipsis, because Ink's own truncation squeezes the indicator column instead.
 */
export function MenuItem({ isSelected = false, label }: { isSelected?: boolean; label: string }) {
  const { stdout } = useStdout();
  const room = Math.max(10, (stdout.columns || 80) - INDICATOR_WIDTH);
  return <Text color={isSelected ? 'cyan' : undefined}>{label.length > room ? `${label.slice(0, room - 1)}…` : label}</Text>;
}
