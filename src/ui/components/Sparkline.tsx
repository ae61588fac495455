import { Text } from 'ink';
import { sparkline } from '../format.js';

/** The last `width` values as block characters, scaled between `min` and `max`. */
export function Sparkline({ values, width, min = 0, max, color }: { values: readonly number[]; width: number; min?: number; max?: number; color?: string }) {
  return <Text color={color}>{sparkline(values, width, min, max)}</Text>;
}
