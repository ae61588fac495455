import { Text } from 'ink';
import { useTerminalSize } from '../hooks/use-terminal-size.js';

/** Room taken on each row by ink-select-input's indicator, plus a margin. */
const INDICATOR_WIDTH = 3;

/**
 * A select-list row that stays on one line, however narrow the terminal: cut here, with an
 * ellipsis, because Ink's own truncation squeezes the indicator column instead.
 */
export function MenuItem({ isSelected = false, label }: { isSelected?: boolean; label: string }) {
  const { columns } = useTerminalSize();
  const room = Math.max(10, columns - INDICATOR_WIDTH);
  return <Text color={isSelected ? 'cyan' : undefined}>{label.length > room ? `${label.slice(0, room - 1)}…` : label}</Text>;
}
