import { Text } from 'ink';
import { bar } from '../format.js';

/** A horizontal bar filled to `fraction` (0..1). */
export function Bar({ fraction, width, color }: { fraction: number; width: number; color?: string }) {
  const { filled, empty } = bar(fraction, width);
  return (
    <Text>
      <Text color={color}>{filled}</Text>
      <Text dimColor>{empty}</Text>
    </Text>
  );
}
