/**
 * A list to move through and pick from (home menu, pickers, answers): the one widget for it, so
 * that every list takes every key of a burst (see use-menu.ts and keys/KeyRouter.tsx).
 *
 *   <Menu items={[{ value: 'drills', label: 'Local event drills', hint: 'load this machine' }]}
 *         onSelect={(item) => go(item.value)} rows={10} />
 *
 * Renders one line per item, in `rows` rows at most (scrolling with "↑ N more" lines) and
 * `columns` columns (cut with an ellipsis, never wrapped): the label in a column as wide as the
 * longest label, the hint dimmed after it. Disabled items are dimmed and skipped by the cursor.
 */
import { Box, Text } from 'ink';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { paint } from '../palette.js';
import { menuWindow } from './menu-state.js';
import { useMenu, type MenuItem, type MenuOptions } from './use-menu.js';

export type { MenuItem } from './use-menu.js';

export const CURSOR = '›';
const GAP = 2;
const MAX_LABEL_WIDTH = 28;

export interface MenuProps<T> extends MenuOptions<T> {
  items: readonly MenuItem<T>[];
  /** Row budget; all items when not given. */
  rows?: number;
  /** Column budget; the terminal's width when not given. */
  columns?: number;
  /** The widest the label column gets before labels are cut (default 28). */
  maxLabelWidth?: number;
}

/** Cuts `text` to `width` columns with an ellipsis (labels are one line by design). */
export function cut(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

export function Menu<T>({ items, rows, columns, maxLabelWidth = MAX_LABEL_WIDTH, ...options }: MenuProps<T>) {
  const terminal = useTerminalSize();
  const width = columns ?? terminal.columns;
  const { state } = useMenu(items, options);
  const window = menuWindow(items.length, state.cursor, rows ?? items.length);
  const labelWidth = Math.min(maxLabelWidth, Math.max(0, ...items.map((item) => item.label.length)));
  const room = width - 2;
  return (
    <Box flexDirection="column">
      {window.hiddenAbove > 0 ? <Text dimColor>  ↑ {window.hiddenAbove} more</Text> : null}
      {items.slice(window.start, window.end).map((item, offset) => {
        const index = window.start + offset;
        const selected = index === state.cursor;
        const label = item.hint ? cut(item.label, labelWidth).padEnd(labelWidth + GAP) : cut(item.label, room);
        const hint = item.hint ? cut(item.hint, room - label.length) : '';
        return (
          <Text key={index} wrap="truncate">
            <Text color={paint('cyan')}>{selected ? `${CURSOR} ` : '  '}</Text>
            <Text color={selected ? paint('cyan') : undefined} bold={selected} dimColor={item.disabled}>
              {cut(label, room)}
            </Text>
            <Text dimColor>{hint}</Text>
          </Text>
        );
      })}
      {window.hiddenBelow > 0 ? <Text dimColor>  ↓ {window.hiddenBelow} more</Text> : null}
    </Box>
  );
}
