import { DIFFICULTIES, type Difficulty, type Scenario } from '../../incidents/types.js';

export interface PickerState {
  /** Every scenario, beginner first, in load order within a difficulty. */
  ordered: Scenario[];
  /** Null while not filtering; '' right after `/`. */
  query: string | null;
  /** Index into the visible (filtered) scenarios. */
  cursor: number;
}

export type PickerAction =
  | { type: 'start-filter' }
  | { type: 'type-filter'; text: string }
  | { type: 'erase-filter' }
  | { type: 'clear-filter' }
  | { type: 'move'; delta: number }
  /** A reloaded list: the filter stays, and so does the cursor's scenario when it is still there. */
  | { type: 'set-scenarios'; scenarios: readonly Scenario[] };

export function orderByDifficulty(scenarios: readonly Scenario[]): Scenario[] {
  return DIFFICULTIES.flatMap((difficulty) => scenarios.filter((scenario) => scenario.difficulty === difficulty));
}

/** `highlightedId` puts the cursor on that scenario (the one the user last ran, say). */
export function createPickerState(scenarios: readonly Scenario[], highlightedId?: string): PickerState {
  const ordered = orderByDifficulty(scenarios);
  return { ordered, query: null, cursor: Math.max(0, ordered.findIndex((scenario) => scenario.id === highlightedId)) };
}

/** Every word of the query must appear in the name, id, service or a tag (case-insensitive). */
export function matchesQuery(scenario: Scenario, query: string): boolean {
  const haystack = [scenario.name, scenario.id, scenario.service, ...scenario.tags].join('\n').toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word.length > 0)
    .every((word) => haystack.includes(word));
}

export function visibleScenarios(state: PickerState): Scenario[] {
  const { query } = state;
  return query ? state.ordered.filter((scenario) => matchesQuery(scenario, query)) : state.ordered;
}

export function highlightedScenario(state: PickerState): Scenario | undefined {
  return visibleScenarios(state)[state.cursor];
}

export function pickerReducer(state: PickerState, action: PickerAction): PickerState {
  switch (action.type) {
    case 'start-filter':
      return { ...state, query: state.query ?? '' };
    case 'type-filter':
      return { ...state, query: (state.query ?? '') + action.text, cursor: 0 };
    case 'erase-filter':
      return state.query ? { ...state, query: state.query.slice(0, -1), cursor: 0 } : state;
    case 'clear-filter':
      return { ...state, query: null, cursor: 0 };
    case 'move': {
      const count = visibleScenarios(state).length;
      if (count === 0) return state;
      return { ...state, cursor: Math.min(Math.max(state.cursor + action.delta, 0), count - 1) };
    }
    case 'set-scenarios': {
      const highlightedId = highlightedScenario(state)?.id;
      const next = { ...state, ordered: orderByDifficulty(action.scenarios), cursor: 0 };
      return { ...next, cursor: Math.max(0, visibleScenarios(next).findIndex((scenario) => scenario.id === highlightedId)) };
    }
    default: {
      const unhandled: never = action;
      return unhandled;
    }
  }
}

export type PickerRow = { kind: 'group'; difficulty: Difficulty } | { kind: 'scenario'; scenario: Scenario; position: number };

/** The visible scenarios with a heading before each difficulty. */
export function pickerRows(scenarios: readonly Scenario[]): PickerRow[] {
  const rows: PickerRow[] = [];
  scenarios.forEach((scenario, position) => {
    if (scenarios[position - 1]?.difficulty !== scenario.difficulty) rows.push({ kind: 'group', difficulty: scenario.difficulty });
    rows.push({ kind: 'scenario', scenario, position });
  });
  return rows;
}

/**
 * The rows that fit in `capacity` lines with the cursor in view, and how many scenarios were left
 * out above and below. A window that starts inside a group repeats that group's heading.
 */
export function windowRows(rows: readonly PickerRow[], cursor: number, capacity: number): { shown: PickerRow[]; hiddenAbove: number; hiddenBelow: number } {
  const size = Math.max(2, capacity);
  if (rows.length <= size) return { shown: [...rows], hiddenAbove: 0, hiddenBelow: 0 };
  const cursorRow = Math.max(0, rows.findIndex((row) => row.kind === 'scenario' && row.position === cursor));
  // Keep the cursor about a third of the way down, so the next few choices stay in view.
  let start = Math.min(Math.max(cursorRow - Math.floor(size / 3), 0), rows.length - size);
  let end = start + size;
  let heading: PickerRow[] = [];
  const first = rows[start];
  if (first?.kind === 'scenario') {
    // The repeated heading takes a line: give up the last row, or the first if the cursor is last.
    if (cursorRow === end - 1) start += 1;
    else end -= 1;
    const firstShown = rows[start];
    if (firstShown?.kind === 'scenario') heading = [{ kind: 'group', difficulty: firstShown.scenario.difficulty }];
  }
  const countScenarios = (part: readonly PickerRow[]) => part.filter((row) => row.kind === 'scenario').length;
  return {
    shown: [...heading, ...rows.slice(start, end)],
    hiddenAbove: countScenarios(rows.slice(0, start)),
    hiddenBelow: countScenarios(rows.slice(end)),
  };
}
