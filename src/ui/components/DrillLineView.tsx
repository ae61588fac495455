import { Box, Text } from 'ink';
import { formatSeconds } from '../format.js';
import type { DrillLine } from '../state/run-state.js';

const STATUS_MARK: Record<DrillLine['status'], { mark: string; color?: string; label: string }> = {
  waiting: { mark: '·', label: 'waiting' },
  running: { mark: '▶', color: 'cyan', label: 'running' },
  settling: { mark: '…', color: 'cyan', label: 'settling' },
  passed: { mark: '✓', color: 'green', label: 'pass' },
  failed: { mark: '✗', color: 'red', label: 'fail' },
};

/** One drill: waiting / running with elapsed time / pass / fail, its measured value and events. */
export function DrillLineView({ line, now }: { line: DrillLine; now: number }) {
  const look = STATUS_MARK[line.status];
  const elapsed =
    line.status === 'running' && line.startedAtMs !== undefined ? ` ${formatSeconds(now - line.startedAtMs)}` : '';
  const events = line.result?.eventsTriggered ?? line.events.length;
  return (
    <Box flexDirection="column">
      <Box>
        <Box width={2} flexShrink={0}>
          <Text color={look.color}>{look.mark}</Text>
        </Box>
        <Box width={17} flexShrink={0}>
          <Text bold>{line.drill}</Text>
        </Box>
        <Box width={15} flexShrink={0}>
          <Text color={look.color}>
            {look.label}
            {elapsed}
          </Text>
        </Box>
        <Box width={11} flexShrink={0}>
          <Text dimColor={events === 0}>
            {events} {events === 1 ? 'event' : 'events'}
          </Text>
        </Box>
        <Box flexGrow={1} flexShrink={1}>
          <Text wrap="truncate-end">{line.message ?? ''}</Text>
        </Box>
      </Box>
      {line.detections.map((detection) => (
        <Box key={detection.source} paddingLeft={19}>
          <Text color={detection.error ? 'yellow' : detection.detected ? 'green' : 'red'} wrap="truncate-end">
            {detection.source}: {detection.error ?? detection.summary}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
