/**
 * Runs an engine for as long as the screen is mounted and folds its events into state:
 *
 *   const { state, stop, done } = useEngine((signal) => runExperiment(plan, signal), experimentReducer, initialState);
 *
 * - The engine (any `(signal) => AsyncIterable<Event>`) starts once, when the screen mounts; to
 *   run another, remount the screen (a new React `key`).
 * - Each event goes through `reduce(state, event)`, a pure function the mode tests without Ink.
 *   Besides the engine's own events the reducer receives an EngineSignal: `engine-stopped` (the
 *   user stopped it: at once, before the engine has wound down), `engine-failed` (it threw) or
 *   `engine-ended` (it finished by itself).
 * - Events are folded as they come and the screen re-renders at most `maxFps` times a second, so
 *   a burst of ticks costs one render.
 * - `stop()` aborts the signal; leaving the screen aborts it too. The engine is read to its end
 *   either way (its cleanup runs as it finishes) and that reading is tracked, so the console's
 *   exit waits for it. `done` turns true once the engine has ended and cleaned up.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { trackTask } from '../../lifecycle.js';

export type EngineSignal = { type: 'engine-stopped' } | { type: 'engine-failed'; message: string } | { type: 'engine-ended' };

export type EngineReducer<S, E> = (state: S, event: E | EngineSignal) => S;

export interface EngineRun<S> {
  state: S;
  stop(): void;
  done: boolean;
}

export function useEngine<S, E>(
  start: (signal: AbortSignal) => AsyncIterable<E>,
  reduce: EngineReducer<S, E>,
  initial: () => S,
  { maxFps = 10 }: { maxFps?: number } = {},
): EngineRun<S> {
  const [state, setState] = useState(initial);
  const [done, setDone] = useState(false);
  const folded = useRef(state);
  const controller = useRef(new AbortController());
  const flush = useRef<() => void>(() => {});
  // Read once: a parent passing new closures on every render must not restart the engine.
  const engine = useRef({ start, reduce });

  useEffect(() => {
    const abort = controller.current;
    const { start: begin, reduce: fold } = engine.current;
    const minimumGapMs = 1000 / maxFps;
    let mounted = true;
    let lastRenderAt = 0;
    let pendingRender: NodeJS.Timeout | undefined;
    const render = () => {
      pendingRender = undefined;
      lastRenderAt = Date.now();
      if (mounted) setState(folded.current);
    };
    const apply = (event: E | EngineSignal) => {
      folded.current = fold(folded.current, event);
      if (pendingRender === undefined && mounted) pendingRender = setTimeout(render, Math.max(0, minimumGapMs - (Date.now() - lastRenderAt)));
    };
    flush.current = () => {
      if (pendingRender !== undefined) clearTimeout(pendingRender);
      render();
    };
    const stoppedByUser = () => abort.signal.aborted && abort.signal.reason === STOPPED;

    void trackTask(
      (async () => {
        try {
          const iterator = begin(abort.signal)[Symbol.asyncIterator]();
          for (;;) {
            const next = await iterator.next();
            if (next.done) break;
            if (mounted) apply(next.value);
          }
          if (mounted && !stoppedByUser()) apply(abort.signal.aborted ? { type: 'engine-stopped' } : { type: 'engine-ended' });
        } catch (error) {
          if (mounted && !abort.signal.aborted) apply({ type: 'engine-failed', message: error instanceof Error ? error.message : String(error) });
        } finally {
          if (mounted) {
            flush.current();
            setDone(true);
          }
        }
      })(),
    );
    return () => {
      mounted = false;
      if (pendingRender !== undefined) clearTimeout(pendingRender);
      abort.abort(new Error('left the screen'));
    };
    // The engine starts once per mount (see above).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const stop = useCallback(() => {
    const abort = controller.current;
    if (abort.signal.aborted) return;
    abort.abort(STOPPED);
    folded.current = engine.current.reduce(folded.current, { type: 'engine-stopped' });
    flush.current();
  }, []);

  return { state, stop, done };
}

const STOPPED = new Error('stopped by the user');
