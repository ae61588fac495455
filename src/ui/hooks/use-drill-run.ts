import { useEffect, useReducer, useRef } from 'react';
import type { DrillName, RunEvent, RunReport } from '../../drills/types.js';
import { trackTask } from '../../lifecycle.js';
import { initialRunState, runReducer, type RunState } from '../state/run-state.js';

/**
 * Starts the run once, folds its events into RunState, and aborts it on unmount.
 * `stop()` aborts it from the screen (q / Esc); `done` is true once the runner has cleaned up.
 */
export function useDrillRun(
  drills: DrillName[],
  start: (drills: DrillName[], signal: AbortSignal) => AsyncGenerator<RunEvent, RunReport | undefined>,
): { state: RunState; stop(): void; done: boolean } {
  const [state, dispatch] = useReducer(runReducer, drills, initialRunState);
  const controller = useRef(new AbortController());
  const [done, setDone] = useReducerFlag();

  useEffect(() => {
    const abort = controller.current;
    let cancelled = false;
    void trackTask((async () => {
      try {
        const run = start(drills, abort.signal);
        // Read to the end even after the screen is gone: the runner cleans up as it finishes.
        for (;;) {
          const next = await run.next();
          if (next.done) break;
          if (!cancelled) dispatch(next.value);
        }
        if (!cancelled && abort.signal.aborted) dispatch({ type: 'run-aborted' });
      } catch (error) {
        if (!cancelled) dispatch({ type: 'run-failed', error: (error as Error).message });
      } finally {
        if (!cancelled) setDone();
      }
    })());
    return () => {
      cancelled = true;
      abort.abort(new Error('left the run screen'));
    };
    // The run starts once per mount: the drills never change for one screen.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return {
    state,
    done,
    stop: () => {
      if (!controller.current.signal.aborted) {
        controller.current.abort(new Error('stopped by the user'));
        dispatch({ type: 'run-aborted' });
      }
    },
  };
}

function useReducerFlag(): [boolean, () => void] {
  const [flag, set] = useReducer(() => true, false);
  return [flag, set];
}
