/**
 * The console's one reader of keys: every key of a burst reaches the screen, in order, each
 * after React has applied the one before.
 *
 * Why: Ink hands all keys of one stdin chunk to its input handlers in a synchronous loop, before
 * React re-renders. A handler that reads state from its closure (ink-select-input did) then acts
 * on the state from before the burst, and a key that follows a screen change in the same chunk
 * goes to the screen being left. Here the router takes Ink's keys, cuts runs of plain characters
 * into single keys (split-keys.ts), queues them, and hands out the next one only after the
 * previous one's commit, when every screen has re-rendered and re-subscribed (its effect runs
 * after its children's). Ctrl-C skips the queue: `onInterrupt` runs at once and the queue is
 * dropped.
 *
 * Screens listen with `useKeys` (use-keys.ts), never with Ink's `useInput`. Without a terminal
 * on stdin (no raw mode) nothing is read and `useKeys` reports that it cannot listen.
 */
import { useInput, useStdin, type Key } from 'ink';
import { createContext, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { isInterrupt, splitKeys, type KeyPress } from './split-keys.js';

export type KeyHandler = (input: string, key: Key) => void;

/** A screen's subscription: the handler is read when a key is delivered, so it is never stale. */
export interface KeyListener {
  handler: { current: KeyHandler };
}

export interface KeyRouterApi {
  /** Whether keys can be read at all (stdin is a terminal). */
  readonly canRead: boolean;
  listen(listener: KeyListener): () => void;
}

export const KeyRouterContext = createContext<KeyRouterApi | null>(null);

export function KeyRouter({ children, onInterrupt }: { children: ReactNode; onInterrupt?: () => void }) {
  const { isRawModeSupported } = useStdin();
  const listeners = useRef(new Set<KeyListener>());
  const queue = useRef<KeyPress[]>([]);
  const awaitingCommit = useRef(false);
  const [delivered, setDelivered] = useState(0);
  const interrupt = useRef(onInterrupt);
  interrupt.current = onInterrupt;

  const deliverNext = useCallback(() => {
    if (awaitingCommit.current) return;
    const next = queue.current.shift();
    if (!next) return;
    awaitingCommit.current = true;
    for (const listener of [...listeners.current]) listener.handler.current(next.input, next.key);
    setDelivered((count) => count + 1);
  }, []);

  // Runs after the commit that followed a delivery (children's effects first): the next key
  // goes out on a fresh turn of the event loop, so a long paste never nests renders.
  useEffect(() => {
    awaitingCommit.current = false;
    if (queue.current.length === 0) return;
    const next = setImmediate(deliverNext);
    return () => clearImmediate(next);
  }, [delivered, deliverNext]);

  useInput(
    (input, key) => {
      for (const press of splitKeys(input, key)) {
        if (isInterrupt(press) && interrupt.current) {
          queue.current = [];
          interrupt.current();
          return;
        }
        queue.current.push(press);
      }
      deliverNext();
    },
    { isActive: isRawModeSupported },
  );

  const api = useMemo<KeyRouterApi>(
    () => ({
      canRead: isRawModeSupported,
      listen(listener) {
        listeners.current.add(listener);
        return () => listeners.current.delete(listener);
      },
    }),
    [isRawModeSupported],
  );
  return <KeyRouterContext.Provider value={api}>{children}</KeyRouterContext.Provider>;
}
