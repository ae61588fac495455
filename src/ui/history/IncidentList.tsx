import { Box, Text } from 'ink';
import { formatDate } from '../../history/format.js';
import type { IncidentRecord } from '../../history/store.js';
import { visibleRows, type ListState } from './browser-state.js';

/** The visible window of incident simulations, newest first, each with its top hypothesis. */
export function IncidentList({ list, pageSize }: { list: ListState<IncidentRecord>; pageSize: number }) {
  return (
    <Box flexDirection="column">
      <Text bold>{`  ${'Date'.padEnd(21)}${'Scenario'.padEnd(26)}Top hypothesis`}</Text>
      {visibleRows(list, pageSize).map(({ index, row }) => {
        const selected = index === list.cursor;
        if (!row) return <Text key={index} dimColor>{`${selected ? '›' : ' '} …`}</Text>;
        const top = row.topHypothesis
          ? `${Math.round(row.topHypothesis.confidence * 100)}% ${row.topHypothesis.category}: ${row.topHypothesis.description}`
          : `(${row.status}, no hypothesis)`;
        return (
          <Text key={index} inverse={selected} wrap="truncate-end">
            {`${selected ? '›' : ' '} ${formatDate(row.startedAt).padEnd(21)}${row.scenarioId.slice(0, 25).padEnd(26)}${top}`}
          </Text>
        );
      })}
    </Box>
  );
}
