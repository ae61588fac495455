/**
 * What happened, oldest first, each with its clock time: the last entries that fit. The shell
 * shows it under the panels when a screen passes `timeline`; a screen can also place it itself.
 */
import { Text } from 'ink';
import { formatClock } from '../incident/format-metric.js';
import { toneColor, type Tone } from '../palette.js';
import type { ShellPanel } from '../shell/ScreenShell.js';

export interface TimelineItem {
  /** When: an ISO time or epoch milliseconds. */
  at: string | number;
  message: string;
  tone?: Tone;
}

function clock(at: string | number): string {
  return formatClock(typeof at === 'number' ? new Date(at).toISOString() : at);
}

export function Timeline({ entries, rows }: { entries: readonly TimelineItem[]; rows: number }) {
  const shown = rows > 0 ? entries.slice(-rows) : [];
  return (
    <>
      {shown.map((entry, position) => (
        <Text key={`${entries.length - shown.length + position}`} wrap="truncate">
          {'  '}
          <Text dimColor>{clock(entry.at)}</Text> <Text color={entry.tone ? toneColor(entry.tone) : undefined}>{entry.message}</Text>
        </Text>
      ))}
    </>
  );
}

/** Its title comes at `priority`; its lines grow in the second round: it takes what is left, up to `want`. */
export function timelinePanel(entries: readonly TimelineItem[], { title = 'Timeline', priority = 50, want = 8 }: { title?: string; priority?: number; want?: number } = {}): ShellPanel {
  return {
    id: 'timeline',
    title: ({ rows }) => (
      <>
        {title}
        {entries.length > rows ? <Text dimColor> {rows === 0 ? `(${entries.length} not shown)` : `(last ${rows} of ${entries.length})`}</Text> : null}
      </>
    ),
    priority,
    min: 0,
    want: Math.min(entries.length, want),
    render: ({ rows }) => <Timeline entries={entries} rows={rows} />,
  };
}
