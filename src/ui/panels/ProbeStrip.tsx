/**
 * The probe strip: one cell per probe answer, green within tolerance and red out of it, newest on
 * the right, one line per probe with the share within tolerance of what is shown; under it, the
 * fault windows (red) and the recoveries (yellow).
 * Any mode that probes something on a schedule can show it (experiments, workloads' health checks).
 */
import { Text } from 'ink';
import { paint } from '../palette.js';
import type { ShellPanel } from '../shell/ScreenShell.js';

/** What a column of the strip (and of the sparkline) falls in: a fault, a recovery, or neither. */
export type WindowMark = 'fault' | 'recovery' | null;

export interface ProbeStripRow {
  label: string;
  /** Oldest first; one per round. */
  cells: readonly boolean[];
}

const MARK_COLORS: Record<'fault' | 'recovery', string> = { fault: 'red', recovery: 'yellow' };

/** Consecutive equal items as [item, count] runs: one <Text> per run rather than per cell. */
export function runsOf<T>(items: readonly T[]): [T, number][] {
  const runs: [T, number][] = [];
  for (const item of items) {
    const last = runs.at(-1);
    if (last && last[0] === item) last[1] += 1;
    else runs.push([item, 1]);
  }
  return runs;
}

/** The right-hand column of the strip and the sparkline (a share, a scale): the same, so their cells line up. */
export const SIDE_COLUMN = 9;

/** A label column wide enough for the longest label, at most a third of the width. */
export function labelWidth(labels: readonly string[], columns: number): number {
  return Math.min(Math.floor(columns / 3), Math.max(4, ...labels.map((label) => label.length))) + 1;
}

/** The fault windows under a strip or a sparkline: `▀` red during a fault, yellow until recovered. */
export function WindowMarks({ marks, indent }: { marks: readonly WindowMark[]; indent: number }) {
  return (
    <Text wrap="truncate">
      {' '.repeat(indent)}
      {runsOf(marks).map(([mark, count], index) =>
        mark === null ? (
          <Text key={index}>{' '.repeat(count)}</Text>
        ) : (
          <Text key={index} color={paint(MARK_COLORS[mark])}>
            {'▀'.repeat(count)}
          </Text>
        ),
      )}
    </Text>
  );
}

export function ProbeStrip({ probes: probeRows, marks, rows, columns }: { probes: readonly ProbeStripRow[]; marks: readonly WindowMark[]; rows: number; columns: number }) {
  const width = labelWidth(probeRows.map((row) => row.label), columns);
  const cells = Math.max(1, columns - width - SIDE_COLUMN);
  const shown = probeRows.slice(0, Math.max(0, rows - 1));
  return (
    <>
      {shown.map((row) => {
        const visible = row.cells.slice(-cells);
        const share = visible.length === 0 ? '' : `${Math.round((100 * visible.filter(Boolean).length) / visible.length)}% ok`;
        return (
          <Text key={row.label} wrap="truncate">
            <Text dimColor>{row.label.slice(0, width - 1).padEnd(width)}</Text>
            {' '.repeat(Math.max(0, cells - visible.length))}
            {runsOf(visible).map(([ok, count], index) => (
              <Text key={index} color={paint(ok ? 'green' : 'red')}>
                {'█'.repeat(count)}
              </Text>
            ))}
            <Text dimColor>{share.padStart(SIDE_COLUMN)}</Text>
          </Text>
        );
      })}
      {rows > shown.length ? <WindowMarks marks={[...Array<WindowMark>(Math.max(0, cells - marks.length)).fill(null), ...marks.slice(-cells)]} indent={width} /> : null}
    </>
  );
}

/** One line per probe and one for the fault windows. */
export function probeStripPanel(probeRows: readonly ProbeStripRow[], marks: readonly WindowMark[], { title = 'Probes', priority = 1 }: { title?: string; priority?: number } = {}): ShellPanel {
  return {
    id: 'probe-strip',
    title,
    min: Math.min(2, probeRows.length + 1),
    want: probeRows.length + 1,
    priority,
    render: (budget) => <ProbeStrip probes={probeRows} marks={marks} {...budget} />,
  };
}
