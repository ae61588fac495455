import { Box, Text } from 'ink';
import { formatDate } from '../../history/format.js';
import type { RunSummaryRow } from '../../history/store.js';
import { visibleRows, type ListState } from './browser-state.js';

const HEADER = `${'Date'.padEnd(21)}${'Total'.padEnd(7)}${'Passed'.padEnd(8)}${'Failed'.padEnd(8)}Events`;

/** The visible window of runs, newest first; rows still on their way show as dots. */
export function RunList({ list, pageSize }: { list: ListState<RunSummaryRow>; pageSize: number }) {
  return (
    <Box flexDirection="column">
      <Text bold>{`  ${HEADER}`}</Text>
      {visibleRows(list, pageSize).map(({ index, row }) => {
        const selected = index === list.cursor;
        if (!row) return <Text key={index} dimColor>{`${selected ? '›' : ' '} …`}</Text>;
        const text = `${formatDate(row.startedAt).padEnd(21)}${String(row.total).padEnd(7)}${String(row.passed).padEnd(8)}${String(row.failed).padEnd(8)}${row.events}`;
        return (
          <Text key={index} inverse={selected} color={row.failed > 0 ? 'yellow' : undefined}>
            {`${selected ? '›' : ' '} ${text}`}
          </Text>
        );
      })}
    </Box>
  );
}
