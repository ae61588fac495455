/**
 * The one frame every console screen is built in (see src/ui/README.md for a whole screen):
 *
 *   title ······································· status      header: what this is, how it goes
 *   caption                                                   the line that stands out (optional)
 *   panels, laid out in the rows the terminal has             by a small description (below)
 *   timeline                                                  optional, takes what is left
 *   key · label · key · label                                 footer: the keys that work here
 *
 * A screen describes its panels; it never counts rows itself:
 *
 *   panels={[gaugesPanel(samples), [hypothesesPanel(...), actionsPanel(...)], noticesPanel(notices)]}
 *
 * Each panel says how many rows it needs (`min`), could use (`want`) and how much it matters
 * (`priority`, lower first); layout.ts shares the rows out, and each panel is rendered in a box
 * of exactly the rows it was given (anything past them is clipped) with `render({rows, columns})`.
 * An inner array is a row of panels side by side, when the terminal is wide enough for each to
 * get its `minColumns`; stacked otherwise. The whole frame stays one line shorter than the
 * terminal: a frame as tall as the terminal makes Ink clear the screen on every render (flicker,
 * lost scrollback). Fits 80x24; a larger terminal gives the panels its room, and rows no panel
 * wants put a blank line under the header and above the footer.
 */
import { Box, Text } from 'ink';
import { Fragment, useContext, type ReactNode } from 'react';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { KeyRouterContext } from '../keys/KeyRouter.js';
import { toneColor, type Tone } from '../palette.js';
import { timelinePanel, type TimelineItem } from '../panels/Timeline.js';
import { allocateRows, splitColumns, type PanelRows, type RowAsk } from './layout.js';

export interface PanelBudget {
  rows: number;
  columns: number;
}

export interface ShellPanel {
  id: string;
  /** A title line above the content (counted in the panel's rows); may depend on the budget. */
  title?: ReactNode | ((budget: PanelBudget) => ReactNode);
  /** Content rows it cannot do without; 0 (the default) shows a titled panel with its title alone. */
  min?: number;
  /** Content rows it could use (default: min); a function of its width when that decides. */
  want?: number | ((columns: number) => number);
  /** Lower is more important (default 0). */
  priority?: number;
  /** Finer asks than min/want (layout.ts). */
  asks?: readonly RowAsk[];
  /** Side by side: its share of the row (default 1) and the narrowest it can be (default 36). */
  weight?: number;
  minColumns?: number;
  render(budget: PanelBudget): ReactNode;
}

/** One row of the description: a panel, or panels side by side. */
export type ShellRow = ShellPanel | readonly ShellPanel[];

export interface KeyHint {
  key: string;
  label: string;
}

export interface ScreenShellProps {
  title: ReactNode;
  /** Right-aligned in the header: a status word, elapsed time. */
  status?: ReactNode;
  caption?: ReactNode;
  captionTone?: Tone;
  panels: readonly (ShellRow | false | null | undefined)[];
  /** Things that happened, newest last; shown under the panels in the rows left over. */
  timeline?: { entries: readonly TimelineItem[]; title?: string; priority?: number; want?: number };
  keys: readonly KeyHint[];
  /** Said on the footer line before the keys: how the screen's work ended, for instance. */
  footer?: ReactNode;
  /** Overrides the terminal's size (tests, or a shell inside part of a screen). */
  size?: { rows: number; columns: number };
}

const HEADER_ROWS = 1;
const FOOTER_ROWS = 1;
const DEFAULT_MIN_COLUMNS = 36;
const SIDE_GAP = 2;

function isGroup(row: ShellRow): row is readonly ShellPanel[] {
  return Array.isArray(row);
}

function rowsOf(panel: ShellPanel, columns: number): PanelRows {
  const want = typeof panel.want === 'function' ? panel.want(columns) : panel.want;
  return { id: panel.id, fixed: panel.title === undefined ? 0 : 1, min: panel.min, want, priority: panel.priority, asks: panel.asks };
}

/** Rows a panel would use with all its asks granted, its title included. */
function wantedRows(part: PanelRows): number {
  const min = part.min ?? 0;
  const growth = part.asks ? part.asks.reduce((sum, ask) => sum + ask.rows, 0) : Math.max(0, (part.want ?? min) - min);
  return (part.fixed ?? 0) + min + growth;
}

/** A row of panels side by side asks as one: as tall as its tallest, as soon as its first. */
function rowsOfGroup(group: readonly ShellPanel[], widths: readonly number[], id: string): PanelRows {
  const parts = group.map((panel, position) => rowsOf(panel, widths[position]!));
  const fixed = Math.max(...parts.map((part) => part.fixed ?? 0));
  const min = Math.max(...parts.map((part) => (part.fixed ?? 0) + (part.min ?? 0))) - fixed;
  return { id, fixed, min, want: Math.max(min, Math.max(...parts.map(wantedRows)) - fixed), priority: Math.min(...parts.map((part) => part.priority ?? 0)) };
}

function PanelBox({ panel, rows, columns }: { panel: ShellPanel; rows: number; columns: number }) {
  const titled = panel.title !== undefined;
  const body = Math.max(0, rows - (titled ? 1 : 0));
  const budget = { rows: body, columns };
  const title = typeof panel.title === 'function' ? panel.title(budget) : panel.title;
  return (
    <Box flexDirection="column" height={rows} width={columns} overflowY="hidden" flexShrink={0}>
      {titled ? (
        <Text bold wrap="truncate">
          {title}
        </Text>
      ) : null}
      {body > 0 ? panel.render(budget) : null}
    </Box>
  );
}

/** `note · key label · key label`; without a terminal on stdin, says that keys cannot work. */
export function KeyFooter({ keys, note }: { keys: readonly KeyHint[]; note?: ReactNode }) {
  const router = useContext(KeyRouterContext);
  const lead = note === undefined ? null : <>{note}<Text dimColor> · </Text></>;
  if (router && !router.canRead) {
    return (
      <Text wrap="truncate">
        {lead}
        <Text dimColor>keys need an interactive terminal</Text>
      </Text>
    );
  }
  return (
    <Text wrap="truncate">
      {lead}
      {keys.map((hint, index) => (
        <Fragment key={hint.key}>
          {index > 0 ? <Text dimColor> · </Text> : null}
          <Text bold>{hint.key}</Text>
          <Text dimColor> {hint.label}</Text>
        </Fragment>
      ))}
    </Text>
  );
}

export function ScreenShell({ title, status, caption, captionTone = 'info', panels, timeline, keys, footer, size }: ScreenShellProps) {
  const terminal = useTerminalSize();
  const { rows, columns } = size ?? terminal;
  const described: ShellRow[] = panels.filter((row): row is ShellRow => Boolean(row));
  if (timeline) described.push(timelinePanel(timeline.entries, { title: timeline.title, priority: timeline.priority, want: timeline.want }));

  // Side by side only where each panel keeps its narrowest width; stacked otherwise.
  const layoutRows: ShellRow[] = [];
  for (const row of described) {
    if (!isGroup(row)) layoutRows.push(row);
    else {
      const needed = row.reduce((sum, panel) => sum + (panel.minColumns ?? DEFAULT_MIN_COLUMNS), 0) + SIDE_GAP * (row.length - 1);
      if (columns >= needed && row.length > 1) layoutRows.push(row);
      else layoutRows.push(...row);
    }
  }
  const ids = layoutRows.map((row, index) => (isGroup(row) ? `row-${index}` : row.id));
  const widthsOf = (group: readonly ShellPanel[]) => splitColumns(columns, group.map((panel) => panel.weight ?? 1), SIDE_GAP);
  const available = rows - 1 - HEADER_ROWS - (caption === undefined ? 0 : 1) - FOOTER_ROWS;
  // A blank row under the header and one above the footer, only from rows no panel wants.
  const spacer = { fixed: 1, min: 0, priority: Number.MAX_SAFE_INTEGER };
  const grants = allocateRows(available, [
    ...layoutRows.map((row, index) => (isGroup(row) ? rowsOfGroup(row, widthsOf(row), ids[index]!) : rowsOf(row, columns))),
    { id: ' above', ...spacer },
    { id: ' below', ...spacer },
  ]);

  return (
    <Box flexDirection="column" width={columns}>
      <Box width={columns}>
        <Box flexGrow={1} flexShrink={1}>
          <Text bold wrap="truncate">
            {title}
          </Text>
        </Box>
        {status === undefined ? null : (
          <Box flexShrink={0} marginLeft={2}>
            <Text wrap="truncate">{status}</Text>
          </Box>
        )}
      </Box>
      {caption === undefined ? null : (
        <Text bold color={toneColor(captionTone)} wrap="truncate">
          {caption}
        </Text>
      )}
      {grants[' above']!.shown ? <Box height={1} /> : null}
      {layoutRows.map((row, index) => {
        const grant = grants[ids[index]!]!;
        if (!grant.shown) return null;
        if (!isGroup(row)) return <PanelBox key={row.id} panel={row} rows={grant.rows + (row.title === undefined ? 0 : 1)} columns={columns} />;
        const group = row;
        const height = grant.rows + (group.some((panel) => panel.title !== undefined) ? 1 : 0);
        const widths = widthsOf(group);
        return (
          <Box key={ids[index]} height={height} columnGap={SIDE_GAP}>
            {group.map((panel, position) => (
              <PanelBox key={panel.id} panel={panel} rows={height} columns={widths[position]!} />
            ))}
          </Box>
        );
      })}
      {grants[' below']!.shown ? <Box height={1} /> : null}
      <KeyFooter keys={keys} note={footer} />
    </Box>
  );
}
