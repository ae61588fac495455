/**
 * The row budget: how many of the terminal's rows each panel of a screen gets. Pure; tested in
 * test/ui/layout.test.ts. (It generalises the incident screen's first, hand-written layout.)
 *
 * Each panel asks for rows; asks are granted in order of priority (lower first; ties in the
 * order the panels are listed) until the rows run out:
 * - a panel's first ask is its `fixed` rows (a title line) plus its `min`, all or nothing: when
 *   it does not fit, the panel is hidden and its other asks are dropped;
 * - then, by default, one ask to grow from `min` to `want`, after every panel's first ask
 *   (priority + GROWTH), so that everything that can be seen is seen before anything grows;
 * - or, instead of that default, the panel's own `asks`, each with its priority (for example,
 *   "the leading hypothesis before the actions, the others after"), optionally `whole` (all or
 *   nothing) or in `step`s (whole items of two lines).
 */

/** Added to a panel's priority for its growth from `min` to `want`. */
export const GROWTH = 1000;

export interface RowAsk {
  rows: number;
  priority: number;
  /** Granted entirely or not at all. */
  whole?: boolean;
  /** Granted in multiples of this many rows. */
  step?: number;
}

export interface PanelRows {
  id: string;
  /** Rows the panel shows whenever it is shown at all: its title line. */
  fixed?: number;
  /** Rows of content it cannot do without (0: the title alone is worth showing). */
  min?: number;
  /** Rows of content it could use; more is never given. */
  want?: number;
  priority?: number;
  /** Replaces the default growth ask (from min to want). */
  asks?: readonly RowAsk[];
}

export interface PanelGrant {
  shown: boolean;
  /** Content rows, not counting `fixed`. */
  rows: number;
}

interface QueuedAsk extends RowAsk {
  panel: number;
  first: boolean;
}

function clampRows(value: number | undefined): number {
  return Number.isFinite(value) ? Math.max(0, Math.floor(value!)) : 0;
}

export function allocateRows(available: number, panels: readonly PanelRows[]): Record<string, PanelGrant> {
  let free = clampRows(available);
  const asks: QueuedAsk[] = [];
  panels.forEach((panel, index) => {
    const priority = panel.priority ?? 0;
    const min = clampRows(panel.min);
    asks.push({ panel: index, first: true, rows: clampRows(panel.fixed) + min, priority, whole: true });
    const growth = panel.asks ?? [{ rows: Math.max(0, clampRows(panel.want ?? min) - min), priority: priority + GROWTH }];
    // An ask never comes before the panel is shown.
    for (const ask of growth) asks.push({ ...ask, rows: clampRows(ask.rows), priority: Math.max(ask.priority, priority), panel: index, first: false });
  });
  // Array.prototype.sort is stable: equal priorities keep the panels' order, then the asks'.
  asks.sort((a, b) => a.priority - b.priority);

  const grants = panels.map(() => ({ shown: false, rows: 0 }));
  for (const ask of asks) {
    const grant = grants[ask.panel]!;
    if (!ask.first && !grant.shown) continue;
    let given = Math.min(ask.rows, free);
    if (ask.whole && given < ask.rows) given = 0;
    if (ask.step && ask.step > 1) given -= given % ask.step;
    if (ask.first) {
      if (given < ask.rows) continue;
      grant.shown = true;
      grant.rows += given - clampRows(panels[ask.panel]!.fixed);
    } else {
      grant.rows += given;
    }
    free -= given;
  }
  return Object.fromEntries(panels.map((panel, index) => [panel.id, grants[index]!]));
}

/** Splits `columns` between panels side by side, by weight, with `gap` columns between them. */
export function splitColumns(columns: number, weights: readonly number[], gap = 1): number[] {
  const room = Math.max(0, columns - gap * Math.max(0, weights.length - 1));
  const total = weights.reduce((sum, weight) => sum + Math.max(0, weight), 0) || 1;
  const widths = weights.map((weight) => Math.floor((room * Math.max(0, weight)) / total));
  // What rounding left over goes to the last panel.
  if (widths.length > 0) widths[widths.length - 1]! += room - widths.reduce((sum, width) => sum + width, 0);
  return widths;
}
