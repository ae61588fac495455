import { Box, Text } from 'ink';
import { formatDate } from '../../history/format.js';
import type { TrendBucket } from '../../history/store.js';
import { trendChart } from './browser-state.js';

const CHART_HEIGHT = 6;

/** Pass rate over time: one column per equal slice of time between the first run and the last. */
export function TrendView({ machine, buckets }: { machine: string; buckets: TrendBucket[] | undefined }) {
  if (buckets === undefined) return <Text dimColor>Computing the trend...</Text>;
  if (buckets.length === 0) return <Text>{`No runs recorded for ${machine}: no trend to draw.`}</Text>;
  const rows = trendChart(buckets, CHART_HEIGHT);
  const runs = buckets.reduce((sum, bucket) => sum + bucket.runs, 0);
  const first = buckets[0]!;
  const last = buckets[buckets.length - 1]!;
  return (
    <Box flexDirection="column">
      <Text bold>{`Pass rate over time on ${machine} (${runs} runs)`}</Text>
      {rows.map((line, index) => (
        <Text key={index}>
          <Text dimColor>{index === 0 ? '100% ┤' : index === rows.length - 1 ? '  0% ┤' : '     │'}</Text>
          <Text color="green">{line}</Text>
        </Text>
      ))}
      <Text dimColor>{`      ${formatDate(first.from)}  →  ${formatDate(last.to)}`}</Text>
    </Box>
  );
}
