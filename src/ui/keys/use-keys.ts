/**
 * How a screen or widget listens to keys: `useKeys(handler, { isActive })`, like Ink's
 * `useInput`, but fed by the KeyRouter, so that each key sees the state left by the one before
 * (see KeyRouter.tsx). Only the focused part passes `isActive: true`.
 *
 * Returns whether keys can reach the handler: false when inactive or when stdin is not a
 * terminal, so that a screen can say "keys need an interactive terminal" instead of waiting.
 */
import { useContext, useEffect, useLayoutEffect, useRef } from 'react';
import { KeyRouterContext, type KeyHandler, type KeyListener } from './KeyRouter.js';

export function useKeys(handler: KeyHandler, { isActive = true }: { isActive?: boolean } = {}): boolean {
  const router = useContext(KeyRouterContext);
  if (!router) throw new Error('useKeys needs a <KeyRouter> above it: App renders one; tests use renderInk from test/helpers/ink.ts');
  const listener = useRef<KeyListener>({ handler: { current: handler } });
  useLayoutEffect(() => {
    listener.current.handler.current = handler;
  });
  const listening = isActive && router.canRead;
  useEffect(() => (listening ? router.listen(listener.current) : undefined), [router, listening]);
  return listening;
}
