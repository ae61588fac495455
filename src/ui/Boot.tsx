/**
 * The console's first frame, drawn before the engine's parts are even loaded: the home screen
 * as App draws it, then App itself once `start()` has built the services (it reads the config
 * and loads the drills, a third of the start-up time). Keys typed meanwhile wait in the
 * KeyRouter for App's home menu; Ctrl-C meanwhile calls `onInterrupt`. A start that fails (a bad
 * config file) calls `onFail`, and the caller says why and exits.
 */
import { Text } from 'ink';
import { useEffect, useState } from 'react';
import { App } from './App.js';
import { KeyRouter } from './keys/KeyRouter.js';
import { HomeScreen } from './screens/HomeScreen.js';
import type { ConsoleServices } from './services.js';
import type { Screen } from './state/navigation.js';

export function Boot({
  machine,
  start,
  onFail,
  onInterrupt,
  initialScreen,
}: {
  machine: string;
  /** Where App opens (home by default; "firedrill train" opens the training ladder, "firedrill demo ID" the presenter). */
  initialScreen?: Screen;
  start(): Promise<ConsoleServices>;
  onFail(error: unknown): void;
  onInterrupt(): void;
}) {
  const [services, setServices] = useState<ConsoleServices>();
  useEffect(() => {
    let current = true;
    // On the next turn, once the first frame is on the terminal.
    const later = setImmediate(() =>
      start().then(
        (started) => current && setServices(started),
        (error: unknown) => current && onFail(error),
      ),
    );
    return () => {
      current = false;
      clearImmediate(later);
    };
    // Started once: the console starts once.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <KeyRouter onInterrupt={onInterrupt}>
      {services ? (
        <App services={services} initialScreen={initialScreen} />
      ) : initialScreen && initialScreen.name !== 'home' ? (
        <Text dimColor>firedrill: starting…</Text>
      ) : (
        <HomeScreen machine={machine} onChoose={() => undefined} isActive={false} />
      )}
    </KeyRouter>
  );
}
