import { Box, Text } from 'ink';
import { formatClock } from './format-metric.js';
import type { TimelineEntry } from './incident-state.js';

/** The last `limit` things that happened to the incident, oldest first. */
export function Timeline({ entries, limit }: { entries: readonly TimelineEntry[]; limit: number }) {
  const shown = limit > 0 ? entries.slice(-limit) : [];
  return (
    <Box flexDirection="column">
      <Text bold>
        Timeline
        {entries.length > shown.length ? <Text dimColor> (last {shown.length} of {entries.length})</Text> : null}
      </Text>
      {shown.map((entry, position) => (
        <Text key={`${entries.length - shown.length + position}`} wrap="truncate">
          {'  '}
          <Text dimColor>{formatClock(entry.at)}</Text> {entry.message}
        </Text>
      ))}
    </Box>
  );
}
