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
 * after its children's). Keys that arrive while no screen listens (the console still starting,
 * a screen between unmount and mount) wait for the next listener. Ctrl-C skips the queue: the
 * innermost router's `onInterrupt` runs at once and the queue is dropped.
 *
 * Routers nest: an inner one (App inside the console's boot frame, or inside a test's router)
 * reads nothing itself; its screens listen through the outer one and its `onInterrupt` takes
 * over while it is mounted.
 *
 * Screens listen with `useKeys` (use-keys.ts), never with Ink's `useInput`. Without a terminal
 * on stdin (no raw mode) nothing is read and `useKeys` reports that it cannot listen.
 */
import { useInput, useStdin, type Key } from 'ink';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
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
  /** Makes `handler` the one that Ctrl-C calls, until the returned function is called. */
  interruptWith(handler: { current: (() => void) | undefined }): () => void;
}

/** Past this many keys waiting, the oldest are dropped: nobody types that far ahead on purpose. */
const MAX_WAITING_KEYS = 64;

export const KeyRouterContext = createContext<KeyRouterApi | null>(null);

export function KeyRouter({ children, onInterrupt }: { children: ReactNode; onInterrupt?: () => void }) {
  const outer = useContext(KeyRouterContext);
  const interrupt = useRef(onInterrupt);
  interrupt.current = onInterrupt;
  useEffect(() => outer?.interruptWith(interrupt), [outer]);
  if (outer) return <>{children}</>;
  return <RootKeyRouter interrupt={interrupt}>{children}</RootKeyRouter>;
}

function RootKeyRouter({ children, interrupt }: { children: ReactNode; interrupt: { current: (() => void) | undefined } }) {
  const { isRawModeSupported } = useStdin();
  const listeners = useRef(new Set<KeyListener>());
  const interrupts = useRef([interrupt]);
  const queue = useRef<KeyPress[]>([]);
  const awaitingCommit = useRef(false);
  const [delivered, setDelivered] = useState(0);

  const deliverNext = useCallback(() => {
    if (awaitingCommit.current || listeners.current.size === 0) return;
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
        const handler = interrupts.current.findLast((candidate) => candidate.current)?.current;
        if (isInterrupt(press) && handler) {
          queue.current = [];
          handler();
          return;
        }
        queue.current.push(press);
      }
      queue.current.splice(0, Math.max(0, queue.current.length - MAX_WAITING_KEYS));
      deliverNext();
    },
    { isActive: isRawModeSupported },
  );

  const api = useMemo<KeyRouterApi>(
    () => ({
      canRead: isRawModeSupported,
      listen(listener) {
        listeners.current.add(listener);
        // Keys that waited for a listener go out once this one's screen has committed.
        if (queue.current.length > 0 && !awaitingCommit.current) setImmediate(deliverNext);
        return () => listeners.current.delete(listener);
      },
      interruptWith(handler) {
        interrupts.current = [...interrupts.current, handler];
        return () => {
          interrupts.current = interrupts.current.filter((candidate) => candidate !== handler);
        };
      },
    }),
    [isRawModeSupported, deliverNext],
  );
  return <KeyRouterContext.Provider value={api}>{children}</KeyRouterContext.Provider>;
}
