/**
 * Latency over the last rounds as a sparkline per probe (newest on the right, a gap where there
 * was no answer), the highest value shown, and the fault windows marked underneath as on the
 * probe strip. Reusable by any mode that times requests.
 */
import { Text } from 'ink';
import { formatDuration } from '../../format.js';
import { sparkline } from '../format.js';
import { paint } from '../palette.js';
import type { ShellPanel } from '../shell/ScreenShell.js';
import { labelWidth, SIDE_COLUMN, WindowMarks, type WindowMark } from './ProbeStrip.js';

export interface LatencySeries {
  label: string;
  /** Milliseconds, oldest first; null where there was no answer to time. */
  values: readonly (number | null)[];
}

/** One character per value, scaled to `top`; a space where there is no value. */
export function latencyLine(values: readonly (number | null)[], top: number): string {
  return values.map((value) => (value === null ? ' ' : sparkline([value], 1, 0, top))).join('');
}

export function LatencySparkline({ series, marks, rows, columns }: { series: readonly LatencySeries[]; marks: readonly WindowMark[]; rows: number; columns: number }) {
  const width = labelWidth(series.map((item) => item.label), columns);
  const cells = Math.max(1, columns - width - SIDE_COLUMN);
  const shown = series.slice(0, Math.max(0, rows - 1));
  return (
    <>
      {shown.map((item) => {
        const values = item.values.slice(-cells);
        const present = values.filter((value): value is number => value !== null);
        const top = Math.max(1, ...present);
        return (
          <Text key={item.label} wrap="truncate">
            <Text dimColor>{item.label.slice(0, width - 1).padEnd(width)}</Text>
            {' '.repeat(Math.max(0, cells - values.length))}
            <Text color={paint('cyan')}>{latencyLine(values, top)}</Text>
            <Text dimColor>{` ≤${formatDuration(top)}`.padStart(SIDE_COLUMN).slice(0, SIDE_COLUMN)}</Text>
          </Text>
        );
      })}
      {rows > shown.length ? <WindowMarks marks={[...Array<WindowMark>(Math.max(0, cells - marks.length)).fill(null), ...marks.slice(-cells)]} indent={width} /> : null}
    </>
  );
}

/** One line per latency series and one for the fault windows; nothing when no probe measures latency. */
export function latencySparklinePanel(series: readonly LatencySeries[], marks: readonly WindowMark[], { title = 'Latency', priority = 2 }: { title?: string; priority?: number } = {}): ShellPanel {
  return {
    id: 'latency',
    title: series.length > 0 ? title : undefined,
    min: series.length === 0 ? 0 : 2,
    want: series.length === 0 ? 0 : series.length + 1,
    priority,
    render: (budget) => <LatencySparkline series={series} marks={marks} {...budget} />,
  };
}
