/**
 * A process table like btop's: PID, name as ps shows it, an optional short column (priority,
 * state) and detail (pattern, kind), CPU % of a core and RSS; one row per process in the order the
 * caller sorted them, with the selected row highlighted and kept in view. Columns shrink with the
 * terminal: the detail goes first, then the short column; the name takes what is left.
 * Workloads use it (selection = the target of a chaos key); live exercises and demos can too.
 */
import { Box, Text } from 'ink';
import { formatBytes } from '../../format.js';
import { gaugeColor, toneColor, type Tone } from '../palette.js';
import type { PanelBudget, ShellPanel } from '../shell/ScreenShell.js';

export interface ProcessRow {
  pid: number;
  name: string;
  /** Percent of one core; null before a second reading. */
  cpuPercent: number | null;
  rssBytes: number;
  /** A short column (priority, state): 8 characters shown. */
  tag?: string;
  /** A longer column (pattern, kind): cut to fit. */
  detail?: string;
  tone?: Tone;
}

export interface ProcessTableOptions {
  title?: string;
  selectedPid?: number;
  /** Column titles; a column without a title is not shown. */
  tagTitle?: string;
  detailTitle?: string;
  /** What the rows are sorted by, said in the title ("by CPU"). */
  sortedBy?: string;
  priority?: number;
  /** Said when there are no rows (default "No processes."). */
  emptyMessage?: string;
}

const PID_WIDTH = 8;
const TAG_WIDTH = 9;
const DETAIL_WIDTH = 17;
const CPU_WIDTH = 7;
const RSS_WIDTH = 11;
const MIN_NAME_WIDTH = 16;

/** Which optional columns fit at `columns`. */
export function processColumns(columns: number, options: { tag: boolean; detail: boolean }): { tag: boolean; detail: boolean; name: number } {
  const fixed = PID_WIDTH + CPU_WIDTH + RSS_WIDTH;
  let tag = options.tag;
  let detail = options.detail;
  const name = () => columns - fixed - (tag ? TAG_WIDTH : 0) - (detail ? DETAIL_WIDTH : 0);
  if (detail && name() < MIN_NAME_WIDTH) detail = false;
  if (tag && name() < MIN_NAME_WIDTH) tag = false;
  return { tag, detail, name: Math.max(4, name()) };
}

/** The first row shown so that the selected one is in view (near the middle once it can be). */
export function processWindowStart(count: number, selectedIndex: number, visible: number): number {
  if (visible <= 0 || count <= visible || selectedIndex < 0) return 0;
  return Math.min(Math.max(0, selectedIndex - Math.floor(visible / 2)), count - visible);
}

/** The selection after a move of `delta` rows (clamped), by pid, so that it follows its process as the order changes. */
export function moveProcessSelection(rows: readonly Pick<ProcessRow, 'pid'>[], selectedPid: number | undefined, delta: number): number | undefined {
  if (rows.length === 0) return undefined;
  const current = selectedPid === undefined ? -1 : rows.findIndex((row) => row.pid === selectedPid);
  const from = current < 0 ? 0 : current;
  const next = Math.min(rows.length - 1, Math.max(0, from + (current < 0 ? 0 : delta)));
  return rows[next]!.pid;
}

function cell(text: string, width: number): string {
  return text.length > width - 1 ? `${text.slice(0, Math.max(0, width - 2))}…` : text;
}

export function ProcessTable({ processes, selectedPid, tagTitle, detailTitle, emptyMessage = 'No processes.', ...budget }: { processes: readonly ProcessRow[]; selectedPid?: number; tagTitle?: string; detailTitle?: string; emptyMessage?: string } & PanelBudget) {
  const layout = processColumns(budget.columns, { tag: tagTitle !== undefined, detail: detailTitle !== undefined });
  const visible = Math.max(0, budget.rows - 1);
  const selectedIndex = selectedPid === undefined ? -1 : processes.findIndex((row) => row.pid === selectedPid);
  const start = processWindowStart(processes.length, selectedIndex, visible);
  const shown = processes.slice(start, start + visible);
  return (
    <Box flexDirection="column">
      <Text dimColor wrap="truncate">
        {'PID'.padStart(PID_WIDTH - 1)} {'NAME'.padEnd(layout.name)}
        {layout.tag ? (tagTitle ?? '').padEnd(TAG_WIDTH) : ''}
        {layout.detail ? (detailTitle ?? '').padEnd(DETAIL_WIDTH) : ''}
        {'CPU%'.padStart(CPU_WIDTH - 1)} {'RSS'.padStart(RSS_WIDTH - 1)}
      </Text>
      {processes.length === 0 ? <Text dimColor wrap="truncate">{emptyMessage}</Text> : null}
      {shown.map((row) => {
        const selected = row.pid === selectedPid;
        const cpu = row.cpuPercent;
        return (
          <Box key={row.pid}>
            <Text inverse={selected} wrap="truncate">
              {String(row.pid).padStart(PID_WIDTH - 1)} <Text color={row.tone ? toneColor(row.tone) : undefined}>{cell(row.name, layout.name).padEnd(layout.name)}</Text>
              {layout.tag ? cell(row.tag ?? '', TAG_WIDTH).padEnd(TAG_WIDTH) : ''}
              {layout.detail ? <Text dimColor={!selected}>{cell(row.detail ?? '', DETAIL_WIDTH).padEnd(DETAIL_WIDTH)}</Text> : ''}
              <Text color={cpu === null ? undefined : gaugeColor(cpu)}>{(cpu === null ? '–' : cpu.toFixed(1)).padStart(CPU_WIDTH - 1)}</Text>{' '}
              {formatBytes(row.rssBytes).padStart(RSS_WIDTH - 1)}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}

/** Asks for a header and three rows at least, and for every process it has. */
export function processTablePanel(processes: readonly ProcessRow[], options: ProcessTableOptions = {}): ShellPanel {
  const { title = 'Processes', sortedBy, priority = 2, ...table } = options;
  return {
    id: 'processes',
    title: ({ rows }) => {
      const visible = Math.max(0, rows - 1);
      const selectedIndex = table.selectedPid === undefined ? -1 : processes.findIndex((row) => row.pid === table.selectedPid);
      const start = processWindowStart(processes.length, selectedIndex, visible);
      const range = processes.length > visible && visible > 0 ? `${start + 1}–${Math.min(processes.length, start + visible)} of ${processes.length}` : `${processes.length}`;
      return (
        <Text bold>
          {title} <Text dimColor>{range}{sortedBy ? ` · by ${sortedBy}` : ''}</Text>
        </Text>
      );
    },
    min: 4,
    want: processes.length + 1,
    priority,
    render: (budget) => <ProcessTable processes={processes} {...table} {...budget} />,
  };
}
