/**
 * The state of a Menu (a list the user moves through and picks from), as a pure reducer: the
 * cursor, which items can be picked, and the window of rows shown. Tested without Ink in
 * test/ui/menu-state.test.ts; use-menu.ts maps keys to these actions, Menu.tsx only renders.
 */
export interface MenuState {
  /** Index of the highlighted item; -1 when no item can be picked. */
  cursor: number;
  /** One entry per item: false for an item shown but not pickable (a locked level, a heading). */
  enabled: readonly boolean[];
}

export type MenuAction =
  | { type: 'move'; delta: number }
  | { type: 'first' }
  | { type: 'last' }
  | { type: 'go-to'; index: number }
  /** The items changed: keep the cursor on the same index when it can still be picked. */
  | { type: 'set-items'; enabled: readonly boolean[] };

export function createMenuState(enabled: readonly boolean[], initialIndex = 0): MenuState {
  return { enabled, cursor: nearestEnabled(enabled, initialIndex, 1) };
}

/** The first pickable index at or after `from` in `direction`, else the other way, else -1. */
function nearestEnabled(enabled: readonly boolean[], from: number, direction: 1 | -1): number {
  const start = Math.min(Math.max(from, 0), enabled.length - 1);
  for (let index = start; index >= 0 && index < enabled.length; index += direction) if (enabled[index]) return index;
  for (let index = start; index >= 0 && index < enabled.length; index -= direction) if (enabled[index]) return index;
  return -1;
}

export function menuReducer(state: MenuState, action: MenuAction): MenuState {
  const { enabled } = state;
  switch (action.type) {
    case 'move': {
      if (state.cursor < 0 || action.delta === 0) return state;
      const direction = action.delta > 0 ? 1 : -1;
      // Moves `|delta|` pickable items, stopping at the ends (no wrap: a burst of Downs lands on
      // the last item, predictably, rather than wherever the count happens to wrap to).
      let cursor = state.cursor;
      for (let steps = Math.abs(action.delta); steps > 0; ) {
        let next = cursor + direction;
        while (next >= 0 && next < enabled.length && !enabled[next]) next += direction;
        if (next < 0 || next >= enabled.length) break;
        cursor = next;
        steps -= 1;
      }
      return cursor === state.cursor ? state : { ...state, cursor };
    }
    case 'first':
      return { ...state, cursor: nearestEnabled(enabled, 0, 1) };
    case 'last':
      return { ...state, cursor: nearestEnabled(enabled, enabled.length - 1, -1) };
    case 'go-to':
      return enabled[action.index] ? { ...state, cursor: action.index } : state;
    case 'set-items':
      return { enabled: action.enabled, cursor: nearestEnabled(action.enabled, state.cursor, 1) };
    default: {
      const unknown: never = action;
      return unknown;
    }
  }
}

/**
 * Which items fit in `rows`, keeping the cursor in view with a little context around it; the
 * rows that say "↑ N more" / "↓ N more" (shown when the count is above 0) come out of the same
 * budget. Below 3 rows there are no such lines.
 */
export function menuWindow(count: number, cursor: number, rows: number): { start: number; end: number; hiddenAbove: number; hiddenBelow: number } {
  if (rows <= 0 || count === 0) return { start: 0, end: 0, hiddenAbove: 0, hiddenBelow: count };
  if (count <= rows) return { start: 0, end: count, hiddenAbove: 0, hiddenBelow: 0 };
  const focus = Math.max(cursor, 0);
  if (rows < 3) {
    // Too short for "more" lines: just the cursor and what fits beside it.
    const start = Math.max(0, Math.min(focus, count - rows));
    return { start, end: start + rows, hiddenAbove: 0, hiddenBelow: 0 };
  }
  // Room for items once the two "more" lines that may be needed are set aside.
  const room = Math.max(1, rows - 2);
  let start = Math.max(0, Math.min(focus - Math.floor((room - 1) / 2), count - room));
  // At either end one "more" line is not needed: give its row to an item.
  if (start === 0) return { start: 0, end: rows - 1, hiddenAbove: 0, hiddenBelow: count - (rows - 1) };
  if (start + room >= count) {
    start = count - (rows - 1);
    return { start, end: count, hiddenAbove: start, hiddenBelow: 0 };
  }
  return { start, end: start + room, hiddenAbove: start, hiddenBelow: count - start - room };
}
