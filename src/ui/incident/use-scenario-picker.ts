import { useMemo, useReducer } from 'react';
import { useInput, useStdin } from 'ink';
import type { Scenario } from '../../incidents/types.js';
import { createPickerState, pickerReducer, visibleScenarios, type PickerState } from './picker-state.js';

const PAGE = 5;

/** Maps keys to the picker's reducer; only listens while active and when stdin can do raw mode. */
export function useScenarioPicker(
  scenarios: readonly Scenario[],
  { onPick, onBack, isActive }: { onPick(scenario: Scenario): void; onBack(): void; isActive: boolean },
): { state: PickerState; visible: Scenario[]; canListen: boolean } {
  const [state, dispatch] = useReducer(pickerReducer, scenarios, createPickerState);
  const visible = useMemo(() => visibleScenarios(state), [state]);
  const { isRawModeSupported } = useStdin();
  const canListen = isActive && isRawModeSupported;
  const filtering = state.query !== null;

  useInput(
    (input, key) => {
      if (key.ctrl || key.meta) return;
      if (key.escape) {
        if (filtering) dispatch({ type: 'clear-filter' });
        else onBack();
        return;
      }
      if (key.return) {
        const picked = visible[state.cursor];
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
    { isActive: canListen },
  );

  return { state, visible, canListen };
}
