/**
 * Maps keys to a Menu's reducer (menu-state.ts); the Menu component only renders what this
 * returns. Keys: ↑/k and ↓/j move, PgUp/PgDn move a page, Home/End the ends, Enter picks, an
 * item's own `shortcut` letter picks it at once, q/Esc call `onBack` when given.
 *
 * The state lives in a ref that each key reads and replaces before React re-renders, so even
 * without the KeyRouter's pacing, a burst never acts on stale state (issue 8, item 3).
 */
import { useEffect, useRef, useState } from 'react';
import { useKeys } from '../keys/use-keys.js';
import { createMenuState, menuReducer, type MenuAction, type MenuState } from './menu-state.js';

export interface MenuItem<T> {
  value: T;
  label: string;
  /** A second column, dimmed: what the item does. */
  hint?: string;
  /** Shown but not pickable (a locked level). */
  disabled?: boolean;
  /** One character that picks this item directly. */
  shortcut?: string;
}

export interface MenuOptions<T> {
  onSelect(item: MenuItem<T>, index: number): void;
  onBack?(): void;
  isActive?: boolean;
  /** Where the cursor starts (e.g. on the item picked last time); the first pickable otherwise. */
  initialIndex?: number;
  /** How far PgUp/PgDn move. */
  pageSize?: number;
}

export function useMenu<T>(items: readonly MenuItem<T>[], options: MenuOptions<T>): { state: MenuState; listening: boolean } {
  const enabled = items.map((item) => !item.disabled);
  const latest = useRef<MenuState | null>(null);
  latest.current ??= createMenuState(enabled, options.initialIndex);
  const [state, setState] = useState(latest.current);
  const dispatch = (action: MenuAction) => {
    const next = menuReducer(latest.current!, action);
    if (next === latest.current) return;
    latest.current = next;
    setState(next);
  };

  const enabledKey = enabled.map((flag) => (flag ? '1' : '0')).join('');
  useEffect(() => {
    if (latest.current!.enabled.length === enabled.length && latest.current!.enabled.every((flag, index) => flag === enabled[index])) return;
    dispatch({ type: 'set-items', enabled });
    // Only a change in which items exist or can be picked matters, not a new array of the same.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [enabledKey]);

  const listening = useKeys(
    (input, key) => {
      if (key.escape || (input === 'q' && !key.ctrl && !key.meta)) return options.onBack?.();
      if (key.ctrl || key.meta) return;
      const page = options.pageSize ?? 5;
      if (key.upArrow || input === 'k') return dispatch({ type: 'move', delta: -1 });
      if (key.downArrow || input === 'j') return dispatch({ type: 'move', delta: 1 });
      if (key.pageUp) return dispatch({ type: 'move', delta: -page });
      if (key.pageDown) return dispatch({ type: 'move', delta: page });
      if (key.home) return dispatch({ type: 'first' });
      if (key.end) return dispatch({ type: 'last' });
      if (key.return) {
        const { cursor } = latest.current!;
        const item = items[cursor];
        if (item && !item.disabled) options.onSelect(item, cursor);
        return;
      }
      const shortcut = input.length === 1 ? items.findIndex((item) => item.shortcut === input && !item.disabled) : -1;
      if (shortcut >= 0) {
        dispatch({ type: 'go-to', index: shortcut });
        options.onSelect(items[shortcut]!, shortcut);
      }
    },
    { isActive: options.isActive ?? true },
  );
  return { state, listening };
}
