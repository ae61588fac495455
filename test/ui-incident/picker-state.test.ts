import { describe, expect, it } from 'vitest';
import {
  createPickerState,
  highlightedScenario,
  matchesQuery,
  pickerReducer,
  pickerRows,
  visibleScenarios,
  windowRows,
  type PickerAction,
  type PickerState,
} from '../../src/ui/incident/picker-state.js';
import { PICKER_SCENARIOS, scenario } from './fixtures.js';

function apply(actions: PickerAction[], state: PickerState = createPickerState(PICKER_SCENARIOS)): PickerState {
  return actions.reduce(pickerReducer, state);
}

describe('picker state', () => {
  it('orders beginner, intermediate, advanced, keeping load order inside a difficulty', () => {
    expect(createPickerState(PICKER_SCENARIOS).ordered.map((item) => item.id)).toEqual(['memory_leak', 'cpu_surge', 'slow_queries', 'crash_loop', 'gateway_timeout']);
  });

  it('matches every word of the query against name, id, service and tags', () => {
    const [gateway] = PICKER_SCENARIOS;
    expect(matchesQuery(gateway!, 'GATEWAY')).toBe(true);
    expect(matchesQuery(gateway!, 'gateway_timeout')).toBe(true);
    expect(matchesQuery(gateway!, 'checkout external')).toBe(true);
    expect(matchesQuery(gateway!, 'checkout resource')).toBe(false);
  });

  it('typing narrows the list and resets the cursor; erasing and clearing widen it again', () => {
    const moved = apply([{ type: 'move', delta: 3 }]);
    expect(moved.cursor).toBe(3);
    const narrowed = apply([{ type: 'start-filter' }, { type: 'type-filter', text: 'r' }, { type: 'type-filter', text: 'e' }, { type: 'type-filter', text: 's' }], moved);
    expect(narrowed.cursor).toBe(0);
    expect(visibleScenarios(narrowed).map((item) => item.id)).toEqual(['memory_leak', 'cpu_surge']);
    expect(pickerReducer(narrowed, { type: 'erase-filter' }).query).toBe('re');
    const cleared = pickerReducer(narrowed, { type: 'clear-filter' });
    expect(cleared.query).toBeNull();
    expect(visibleScenarios(cleared)).toHaveLength(5);
  });

  it('moves within the visible list only', () => {
    expect(apply([{ type: 'move', delta: -1 }]).cursor).toBe(0);
    expect(apply([{ type: 'move', delta: 50 }]).cursor).toBe(4);
    const filtered = apply([{ type: 'start-filter' }, { type: 'type-filter', text: 'payment' }, { type: 'move', delta: 5 }]);
    expect(highlightedScenario(filtered)?.id).toBe('crash_loop');
    const nothing = apply([{ type: 'start-filter' }, { type: 'type-filter', text: 'zzz' }, { type: 'move', delta: 1 }]);
    expect(highlightedScenario(nothing)).toBeUndefined();
  });

  it('a reloaded list keeps the filter and the highlighted scenario', () => {
    const state = apply([{ type: 'start-filter' }, { type: 'type-filter', text: 'payment' }, { type: 'move', delta: 1 }]);
    expect(highlightedScenario(state)?.id).toBe('crash_loop');
    const extra = scenario({ id: 'payment_timeouts', name: 'Payment Timeouts', difficulty: 'beginner' });
    const reloaded = pickerReducer(state, { type: 'set-scenarios', scenarios: [...PICKER_SCENARIOS, extra] });
    expect(reloaded.query).toBe('payment');
    expect(highlightedScenario(reloaded)?.id).toBe('crash_loop');
    expect(visibleScenarios(reloaded).map((item) => item.id)).toEqual(['memory_leak', 'payment_timeouts', 'crash_loop']);
  });

  it('windows a long list around the cursor, repeating the heading of a group cut at the top', () => {
    const many = Array.from({ length: 30 }, (_, n) => scenario({ id: `s${n}`, name: `Scenario ${n}`, difficulty: n < 20 ? 'beginner' : 'advanced' }));
    const rows = pickerRows(many);
    expect(rows).toHaveLength(32);
    const top = windowRows(rows, 0, 10);
    expect(top.shown).toHaveLength(10);
    expect(top).toMatchObject({ hiddenAbove: 0, hiddenBelow: 21 });
    const middle = windowRows(rows, 15, 10);
    expect(middle.shown).toHaveLength(10);
    expect(middle.shown[0]).toEqual({ kind: 'group', difficulty: 'beginner' });
    expect(middle.shown.some((row) => row.kind === 'scenario' && row.position === 15)).toBe(true);
    const last = windowRows(rows, 29, 10);
    expect(last.shown.at(-1)).toMatchObject({ kind: 'scenario', position: 29 });
    expect(last.hiddenBelow).toBe(0);
    expect(last.shown.length).toBeLessThanOrEqual(10);
  });
});
