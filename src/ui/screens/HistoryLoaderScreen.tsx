import { Box, Text, useInput } from 'ink';
import { useEffect, useState } from 'react';
import type { ConsoleHistory, ConsoleServices } from '../services.js';
import { HistoryScreen } from './HistoryScreen.js';

/**
 * Opens the history store only when the user asks for it, so that the console starts fast, says
 * where it reads from and what is still waiting for Neo4j, and closes the store on the way out.
 */
export function HistoryLoaderScreen({ services, onBack }: { services: ConsoleServices; onBack(): void }) {
  const [store, setStore] = useState<ConsoleHistory | undefined>();
  const [status, setStatus] = useState<{ text: string; warn: boolean } | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    if (!services.openHistory) {
      setError('no history store is configured');
      return;
    }
    let opened: ConsoleHistory | undefined;
    let cancelled = false;
    services.openHistory().then(
      async (history) => {
        opened = history;
        if (cancelled) {
          await history.close();
          return;
        }
        setStore(history);
        // The user may leave before this answers: the store is then closed, and that is fine.
        const status = await replicationStatus(history).catch(() => undefined);
        if (!cancelled) setStatus(status);
      },
      (failure: unknown) => {
        if (!cancelled) setError((failure as Error).message);
      },
    );
    return () => {
      cancelled = true;
      void opened?.close();
    };
  }, [services]);

  useInput(
    (input, key) => {
      if (input === 'q' || key.escape) onBack();
    },
    { isActive: store === undefined },
  );

  if (store) {
    return (
      <Box flexDirection="column">
        {status && <Text color={status.warn ? 'yellow' : undefined}>{status.text}</Text>}
        <HistoryScreen store={store} machine={services.machine} onBack={onBack} />
      </Box>
    );
  }
  return (
    <Box flexDirection="column">
      {error ? <Text color="red">Cannot open the history: {error}</Text> : <Text dimColor>Opening the history...</Text>}
      <Text dimColor>q / Esc back</Text>
    </Box>
  );
}

/** Only when Neo4j is configured: where reads come from and how many items wait to be pushed. */
async function replicationStatus(history: ConsoleHistory): Promise<{ text: string; warn: boolean } | undefined> {
  if (!history.neo4jUri) return undefined;
  const pending = await history.pendingCount();
  const waiting = pending > 0 ? ` ${pending} waiting to be pushed to Neo4j (firedrill sync).` : ' Nothing waiting for Neo4j.';
  return { text: `${history.notice ?? `Reading from Neo4j at ${history.neo4jUri}.`}${waiting}`, warn: history.notice !== undefined || pending > 0 };
}
