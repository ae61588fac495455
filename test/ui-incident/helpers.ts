import { setTimeout as sleep } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';
import type { IncidentEvent, Scenario, ScenarioMetric } from '../../src/incidents/types.js';

export const KEYS = {
  up: '\u001B[A',
  down: '\u001B[B',
  enter: '\r',
  escape: '\u001B',
  backspace: '\u007F',
} as const;

/** Ink acts on one key per input chunk with fresh state: keys go one at a time with a tiny pause. */
export const KEY_PAUSE_MS = 15;

interface FrameSource {
  lastFrame(): string | undefined;
}

/**
 * Polls the last frame until it passes `expected` (text it must contain, or a predicate), and
 * returns it as a person reads it: without color codes, whatever FORCE_COLOR says.
 */
export async function waitForFrame(instance: FrameSource, expected: string | ((frame: string) => boolean), timeoutMs = 4000): Promise<string> {
  const passes = typeof expected === 'string' ? (frame: string) => frame.includes(expected) : expected;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = stripVTControlCharacters(instance.lastFrame() ?? '');
    if (passes(frame)) return frame;
    if (Date.now() > deadline) {
      throw new Error(`The frame never showed ${typeof expected === 'string' ? JSON.stringify(expected) : 'what was expected'}; last frame:\n${frame}`);
    }
    await sleep(10);
  }
}

/** Polls a condition outside the frame (a callback was called, a generator finished). */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting until ${what}.`);
    await sleep(10);
  }
}

export async function press(stdin: { write(data: string): void }, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    stdin.write(key);
    await sleep(KEY_PAUSE_MS);
  }
}

export async function type(stdin: { write(data: string): void }, text: string): Promise<void> {
  await press(stdin, ...text.split(''));
}

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
