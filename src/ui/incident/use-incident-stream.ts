import { useCallback, useEffect, useRef, useState } from 'react';
import type { IncidentEvent, Scenario } from '../../incidents/types.js';
import { incidentReducer, initialIncidentState, type IncidentScreenEvent, type IncidentState } from './incident-state.js';

/** Metric ticks can arrive far faster than a person reads: at most this many renders a second. */
export const MAX_RENDERS_PER_SECOND = 10;

export type IncidentEventSource = (signal: AbortSignal) => AsyncIterable<IncidentEvent>;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Consumes an incident's events until they end, the component unmounts or `stop()` is called.
 * Events are folded into a ref as they come and the screen re-renders on a timer, so a burst of
 * ticks costs one render rather than one each.
 */
export function useIncidentStream(scenario: Scenario, events: IncidentEventSource): { state: IncidentState; stop(): void } {
  const [state, setState] = useState(() => initialIncidentState(scenario));
  const foldedRef = useRef(state);
  const controllerRef = useRef<AbortController | null>(null);
  // The source is read once per scenario: a parent that passes a new closure on every render
  // must not restart the incident.
  const eventsRef = useRef(events);
  eventsRef.current = events;

  useEffect(() => {
    const controller = new AbortController();
    controllerRef.current = controller;
    foldedRef.current = initialIncidentState(scenario);
    const minimumGapMs = 1000 / MAX_RENDERS_PER_SECOND;
    let lastRenderAt = 0;
    let pendingRender: NodeJS.Timeout | undefined;

    const render = () => {
      pendingRender = undefined;
      lastRenderAt = Date.now();
      setState(foldedRef.current);
    };
    const scheduleRender = () => {
      if (pendingRender !== undefined || controller.signal.aborted) return;
      pendingRender = setTimeout(render, Math.max(0, minimumGapMs - (Date.now() - lastRenderAt)));
    };
    const fold = (event: IncidentScreenEvent) => {
      foldedRef.current = incidentReducer(foldedRef.current, event);
      scheduleRender();
    };

    void (async () => {
      try {
        for await (const event of eventsRef.current(controller.signal)) {
          // Leaving the loop calls the iterator's return(), so a generator's finally runs.
          if (controller.signal.aborted) break;
          fold(event);
        }
        if (!controller.signal.aborted) fold({ type: 'stream-ended' });
      } catch (error) {
        // An abort is how the user left the screen, not a failure to show.
        if (!controller.signal.aborted) fold({ type: 'stream-failed', message: messageOf(error) });
      }
    })();

    return () => {
      controller.abort();
      if (pendingRender !== undefined) clearTimeout(pendingRender);
    };
  }, [scenario.id]);

  const stop = useCallback(() => controllerRef.current?.abort(), []);
  return { state, stop };
}
