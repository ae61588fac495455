import { Text } from 'ink';

/** A select-list row that stays on one line, however narrow the terminal. */
export function MenuItem({ isSelected = false, label }: { isSelected?: boolean; label: string }) {
  return (
    <Text color={isSelected ? 'cyan' : undefined} wrap="truncate-end">
      {label}
    </Text>
  );
}
