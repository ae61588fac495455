/** Scenarios, metrics and a scriptable event source for the incident screens' tests. */
import type { IncidentEvent, Scenario, ScenarioMetric } from '../../src/incidents/types.js';

export function metric(overrides: Partial<ScenarioMetric> & Pick<ScenarioMetric, 'name'>): ScenarioMetric {
  return { value: 10, baseline: 2, deviationSigma: 4, pattern: 'linear', unit: 'count', ...overrides };
}

export function scenario(overrides: Partial<Scenario> & Pick<Scenario, 'id' | 'name'>): Scenario {
  return {
    description: `${overrides.name}, described.`,
    service: 'payment-service',
    severity: 'high',
    difficulty: 'beginner',
    tags: [],
    durationSeconds: 60,
    metrics: [],
    context: {},
    expectedRootCause: 'memory_leak',
    expectedActionTypes: [],
    ...overrides,
  };
}

/** Five scenarios given out of difficulty order, so that grouping has something to do. */
export const PICKER_SCENARIOS: Scenario[] = [
  scenario({ id: 'gateway_timeout', name: 'Gateway Timeout', difficulty: 'advanced', severity: 'high', service: 'checkout', tags: ['external', 'availability'] }),
  scenario({ id: 'slow_queries', name: 'Slow Database Queries', difficulty: 'intermediate', severity: 'medium', service: 'ledger-db', tags: ['performance'] }),
  scenario({ id: 'memory_leak', name: 'Gradual Memory Leak', difficulty: 'beginner', severity: 'critical', service: 'payment-service', tags: ['resource'] }),
  scenario({ id: 'crash_loop', name: 'Pod Crash Loop', difficulty: 'intermediate', severity: 'critical', service: 'payment-service', tags: ['configuration'] }),
  scenario({ id: 'cpu_surge', name: 'CPU Surge', difficulty: 'beginner', severity: 'low', service: 'search', tags: ['resource', 'performance'] }),
];

/**
 * An event source the test drives: events are yielded as they are pushed, and the generator
 * waits for more until `end()` or the consumer's signal aborts. `finallyRan` tells that it was
 * closed, whichever way.
 */
export function eventFeed() {
  const queue: IncidentEvent[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let failure: Error | undefined;
  const feed = {
    finallyRan: false,
    signal: undefined as AbortSignal | undefined,
    push(...events: IncidentEvent[]) {
      queue.push(...events);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    fail(error: Error) {
      failure = error;
      wake?.();
    },
    async *source(signal: AbortSignal): AsyncGenerator<IncidentEvent> {
      feed.signal = signal;
      const onAbort = () => wake?.();
      signal.addEventListener('abort', onAbort);
      try {
        for (;;) {
          while (queue.length > 0) yield queue.shift()!;
          if (failure) throw failure;
          if (ended || signal.aborted) return;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
      } finally {
        signal.removeEventListener('abort', onAbort);
        feed.finallyRan = true;
      }
    },
  };
  return feed;
}
