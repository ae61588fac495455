import { Box, Text, useInput } from 'ink';
import { useEffect, useState } from 'react';
import type { HistoryStore } from '../../history/store.js';
import type { ConsoleServices } from '../services.js';
import { HistoryScreen } from './HistoryScreen.js';

/** Opens the history store only when the user asks for it, so that the console starts fast. */
export function HistoryLoaderScreen({ services, onBack }: { services: ConsoleServices; onBack(): void }) {
  const [store, setStore] = useState<HistoryStore | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    if (!services.openHistory) {
      setError('no history store is configured');
      return;
    }
    let cancelled = false;
    services.openHistory().then(
      (opened) => {
        if (!cancelled) setStore(opened);
      },
      (failure: unknown) => {
        if (!cancelled) setError((failure as Error).message);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [services]);

  useInput(
    (input, key) => {
      if (input === 'q' || key.escape) onBack();
    },
    { isActive: store === undefined },
  );

  if (store) return <HistoryScreen store={store} machine={services.machine} onBack={onBack} />;
  return (
    <Box flexDirection="column">
      {error ? <Text color="red">Cannot open the history: {error}</Text> : <Text dimColor>Opening the history...</Text>}
      <Text dimColor>q / Esc back</Text>
    </Box>
  );
}
