/**
 * A line per local event drill: waiting / running with its elapsed time / pass / fail, its
 * events and its latest message; under it, one line per external detection (Prometheus,
 * Alertmanager) once known. Given fewer rows than that, detections go first, then the drills
 * farthest from the one running.
 */
import { Box, Text } from 'ink';
import { formatDuration } from '../../format.js';
import { paint } from '../palette.js';
import type { ShellPanel } from '../shell/ScreenShell.js';
import type { DrillLine } from '../state/run-state.js';

const STATUS_MARK: Record<DrillLine['status'], { mark: string; color?: string; label: string }> = {
  waiting: { mark: '·', label: 'waiting' },
  running: { mark: '▶', color: 'cyan', label: 'running' },
  settling: { mark: '…', color: 'cyan', label: 'settling' },
  passed: { mark: '✓', color: 'green', label: 'pass' },
  failed: { mark: '✗', color: 'red', label: 'fail' },
};
const DETECTION_INDENT = 19;

/** One drill on one row. */
export function DrillLineView({ line, now }: { line: DrillLine; now: number }) {
  const look = STATUS_MARK[line.status];
  const color = look.color ? paint(look.color) : undefined;
  const elapsed = line.status === 'running' && line.startedAtMs !== undefined ? ` ${formatDuration(now - line.startedAtMs)}` : '';
  const events = line.result?.eventsTriggered ?? line.events.length;
  return (
    <Box>
      <Box width={2} flexShrink={0}>
        <Text color={color}>{look.mark}</Text>
      </Box>
      <Box width={17} flexShrink={0}>
        <Text bold>{line.drill}</Text>
      </Box>
      <Box width={15} flexShrink={0}>
        <Text color={color}>
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
  );
}

/** How many rows the lines take with their detections. */
export function drillLineRows(lines: readonly DrillLine[]): number {
  return lines.reduce((sum, line) => sum + 1 + line.detections.length, 0);
}

export function DrillLines({ lines, now, rows }: { lines: readonly DrillLine[]; now: number; rows: number }) {
  const withDetections = drillLineRows(lines) <= rows;
  // Too short for every drill: a window that ends on the drill running (or the last that ran).
  const current = Math.max(
    lines.findIndex((line) => line.status === 'running' || line.status === 'settling'),
    lines.findLastIndex((line) => line.status === 'passed' || line.status === 'failed'),
  );
  const start = Math.max(0, Math.min(current - (rows - 1), lines.length - rows));
  const shown = lines.length > rows ? lines.slice(start, start + rows) : lines;
  return (
    <Box flexDirection="column">
      {shown.map((line) => (
        <Box key={line.drill} flexDirection="column">
          <DrillLineView line={line} now={now} />
          {withDetections
            ? line.detections.map((detection) => (
                <Box key={detection.source} paddingLeft={DETECTION_INDENT}>
                  <Text color={paint(detection.error ? 'yellow' : detection.detected ? 'green' : 'red')} wrap="truncate-end">
                    {detection.source}: {detection.error ?? detection.summary}
                  </Text>
                </Box>
              ))
            : null}
        </Box>
      ))}
    </Box>
  );
}

export function drillLinesPanel(lines: readonly DrillLine[], now: number, { priority = 1 }: { priority?: number } = {}): ShellPanel {
  return {
    id: 'drills',
    min: Math.min(lines.length, 1),
    want: drillLineRows(lines),
    priority,
    render: ({ rows }) => <DrillLines lines={lines} now={now} rows={rows} />,
  };
}
