import { Box, Text } from 'ink';
import { formatDate, plural } from '../../history/format.js';
import type { FailureRow } from '../../history/store.js';

/** The drills that fail most on this machine, with the last failure's reason. */
export function FailuresView({ machine, rows }: { machine: string; rows: FailureRow[] | undefined }) {
  if (rows === undefined) return <Text dimColor>Counting failures...</Text>;
  if (rows.length === 0) return <Text color="green">{`No failed drills recorded for ${machine}.`}</Text>;
  const width = Math.max(...rows.map((row) => row.drill.length)) + 1;
  return (
    <Box flexDirection="column">
      <Text bold>{`Most common failures on ${machine}`}</Text>
      {rows.map((row) => (
        <Box key={row.drill} flexDirection="column">
          <Text>
            <Text color="red">{`${row.drill}:`.padEnd(width + 1)}</Text>
            {`${plural(row.failures, 'failure')}, last ${formatDate(row.lastFailedAt)}`}
          </Text>
          <Text dimColor wrap="truncate-end">{`${' '.repeat(width + 1)}${row.lastReason}`}</Text>
        </Box>
      ))}
    </Box>
  );
}
