import { describe, expect, it } from 'vitest';
import { createMenuState, menuReducer, menuWindow, type MenuAction } from '../../src/ui/components/menu-state.js';

function fold(enabled: boolean[], actions: MenuAction[], initialIndex?: number) {
  return actions.reduce(menuReducer, createMenuState(enabled, initialIndex));
}

describe('menuReducer', () => {
  it('counts every move of a burst and stops at the ends', () => {
    const four = [true, true, true, true];
    expect(fold(four, [{ type: 'move', delta: 1 }, { type: 'move', delta: 1 }, { type: 'move', delta: 1 }]).cursor).toBe(3);
    expect(fold(four, Array.from({ length: 9 }, () => ({ type: 'move', delta: 1 }) as const)).cursor).toBe(3);
    expect(fold(four, [{ type: 'move', delta: -1 }]).cursor).toBe(0);
    expect(fold(four, [{ type: 'move', delta: 5 }, { type: 'move', delta: -2 }]).cursor).toBe(1);
  });

  it('skips items that cannot be picked, and starts on the first that can', () => {
    const locked = [false, true, false, true, false];
    expect(createMenuState(locked).cursor).toBe(1);
    expect(fold(locked, [{ type: 'move', delta: 1 }]).cursor).toBe(3);
    expect(fold(locked, [{ type: 'last' }]).cursor).toBe(3);
    expect(fold(locked, [{ type: 'go-to', index: 2 }]).cursor).toBe(1);
    expect(createMenuState([false, false]).cursor).toBe(-1);
  });

  it('keeps the cursor where it was when the items change, or on the nearest one left', () => {
    const state = fold([true, true, true], [{ type: 'move', delta: 2 }]);
    expect(menuReducer(state, { type: 'set-items', enabled: [true, true, true, true] }).cursor).toBe(2);
    expect(menuReducer(state, { type: 'set-items', enabled: [true, true] }).cursor).toBe(1);
    expect(menuReducer(state, { type: 'set-items', enabled: [true, true, false] }).cursor).toBe(1);
  });
});

describe('menuWindow', () => {
  it('shows everything that fits, else keeps the cursor in view with "more" lines inside the budget', () => {
    expect(menuWindow(4, 3, 10)).toEqual({ start: 0, end: 4, hiddenAbove: 0, hiddenBelow: 0 });
    for (let cursor = 0; cursor < 20; cursor += 1) {
      const window = menuWindow(20, cursor, 6);
      const lines = window.end - window.start + (window.hiddenAbove > 0 ? 1 : 0) + (window.hiddenBelow > 0 ? 1 : 0);
      expect(lines).toBeLessThanOrEqual(6);
      expect(cursor).toBeGreaterThanOrEqual(window.start);
      expect(cursor).toBeLessThan(window.end);
      expect(window.hiddenAbove + (window.end - window.start) + window.hiddenBelow).toBe(20);
    }
    expect(menuWindow(20, 0, 6)).toEqual({ start: 0, end: 5, hiddenAbove: 0, hiddenBelow: 15 });
    expect(menuWindow(20, 19, 6)).toEqual({ start: 15, end: 20, hiddenAbove: 15, hiddenBelow: 0 });
    expect(menuWindow(20, 7, 2)).toMatchObject({ start: 7, end: 9 });
  });
});
