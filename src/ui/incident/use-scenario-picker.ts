import { useEffect, useMemo, useRef, useState } from 'react';
import { useKeys } from '../keys/use-keys.js';
import type { Scenario } from '../../incidents/types.js';
import { createPickerState, highlightedScenario, pickerReducer, visibleScenarios, type PickerAction, type PickerState } from './picker-state.js';

const PAGE = 5;

/** Maps keys to the picker's reducer; only listens while active and when stdin is a terminal. */
export function useScenarioPicker(
  scenarios: readonly Scenario[],
  { onPick, onBack, isActive, initialScenarioId }: { onPick(scenario: Scenario): void; onBack(): void; isActive: boolean; initialScenarioId?: string },
): { state: PickerState; visible: Scenario[]; canListen: boolean } {
  // Keys can arrive faster than React re-renders: each key reads and updates this ref, so the
  // second of two quick keys never acts on the state from before the first.
  const latest = useRef<PickerState | null>(null);
  latest.current ??= createPickerState(scenarios, initialScenarioId);
  const [state, setState] = useState(latest.current);
  const visible = useMemo(() => visibleScenarios(state), [state]);

  const dispatch = (action: PickerAction) => {
    latest.current = pickerReducer(latest.current!, action);
    setState(latest.current);
  };

  const shownList = useRef(scenarios);
  useEffect(() => {
    if (shownList.current === scenarios) return;
    shownList.current = scenarios;
    dispatch({ type: 'set-scenarios', scenarios });
  }, [scenarios]);

  const canListen = useKeys(
    (input, key) => {
      const current = latest.current!;
      const filtering = current.query !== null;
      // Ink reports Esc with `meta` set too: it is handled before modified keys are ignored.
      if (key.escape) {
        if (filtering) dispatch({ type: 'clear-filter' });
        else onBack();
        return;
      }
      if (key.ctrl || key.meta) return;
      if (key.return) {
        const picked = highlightedScenario(current);
        if (picked) onPick(picked);
        return;
      }
      if (key.upArrow) return dispatch({ type: 'move', delta: -1 });
      if (key.downArrow) return dispatch({ type: 'move', delta: 1 });
      if (key.pageUp) return dispatch({ type: 'move', delta: -PAGE });
      if (key.pageDown) return dispatch({ type: 'move', delta: PAGE });
      if (filtering) {
        // Terminals send DEL (0x7f) for the backspace key, which Ink reports as `delete`.
        if (key.backspace || key.delete) dispatch({ type: 'erase-filter' });
        else if (input.length > 0 && !key.tab) dispatch({ type: 'type-filter', text: input });
        return;
      }
      if (input === '/') dispatch({ type: 'start-filter' });
      else if (input === 'q') onBack();
      else if (input === 'k') dispatch({ type: 'move', delta: -1 });
      else if (input === 'j') dispatch({ type: 'move', delta: 1 });
    },
    { isActive },
  );

  return { state, visible, canListen };
}
