import { Box, Text } from 'ink';
import { formatDate } from '../../history/format.js';
import type { SessionSummary } from '../../history/store.js';
import { visibleRows, type ListState } from './browser-state.js';

/** How a session ended, in a column: the mode's verdict when it gave one, else its status. */
function outcome(session: SessionSummary): string {
  if (session.verdict === undefined) return session.status;
  return session.status === 'completed' ? session.verdict : `${session.verdict}/${session.status}`;
}

/** The visible window of sessions (demos, experiments, gamedays, workloads), newest first, each with its summary line. */
export function SessionList({ list, pageSize }: { list: ListState<SessionSummary>; pageSize: number }) {
  return (
    <Box flexDirection="column">
      <Text bold>{`  ${'Date'.padEnd(21)}${'Kind'.padEnd(12)}${'Result'.padEnd(14)}Summary`}</Text>
      {visibleRows(list, pageSize).map(({ index, row }) => {
        const selected = index === list.cursor;
        if (!row) return <Text key={index} dimColor>{`${selected ? '›' : ' '} …`}</Text>;
        const bad = row.status === 'failed';
        return (
          <Text key={index} inverse={selected} color={bad ? 'yellow' : undefined} wrap="truncate-end">
            {`${selected ? '›' : ' '} ${formatDate(row.startedAt).padEnd(21)}${row.kind.padEnd(12)}${outcome(row).slice(0, 13).padEnd(14)}${row.summary}`}
          </Text>
        );
      })}
    </Box>
  );
}
