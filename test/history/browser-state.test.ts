import { describe, expect, it } from 'vitest';
import type { RunSummaryRow } from '../../src/history/store.js';
import {
  browserReducer,
  initialBrowserState,
  runDetailLines,
  trendChart,
  visibleRows,
  windowLoaded,
  type BrowserAction,
  type BrowserState,
} from '../../src/ui/history/browser-state.js';
import { makeReport } from './fixtures/reports.js';

function row(index: number): RunSummaryRow {
  return { id: `run-${index}`, machine: 'host-a', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:05:00.000Z', total: 5, passed: 5, failed: 0, events: 5 };
}

function apply(state: BrowserState, ...actions: BrowserAction[]): BrowserState {
  return actions.reduce(browserReducer, state);
}

/** A browser over `total` runs with the page at `top` loaded, as the hook would have fetched it. */
function loaded(state: BrowserState): BrowserState {
  const { top } = state.runs;
  const end = Math.min(top + state.pageSize, state.runs.total ?? 0);
  const rows = Array.from({ length: end - top }, (_, offset) => row(top + offset));
  return browserReducer(state, { type: 'page-loaded', tab: 'runs', machine: state.machine, offset: top, rows });
}

const counted = (total: number): BrowserAction => ({ type: 'counted', tab: 'runs', machine: 'host-a', total });

describe('history browser reducer', () => {
  it('moves the cursor inside the window and scrolls the window with it', () => {
    let state = apply(initialBrowserState('host-a', 5), counted(100));
    expect(windowLoaded(state.runs, 5)).toBe(false);
    state = loaded(state);
    expect(windowLoaded(state.runs, 5)).toBe(true);
    state = apply(state, { type: 'move', delta: 4 });
    expect([state.runs.cursor, state.runs.top]).toEqual([4, 0]);
    state = apply(state, { type: 'move', delta: 1 });
    expect([state.runs.cursor, state.runs.top]).toEqual([5, 1]);
    expect(windowLoaded(state.runs, 5)).toBe(false);
    state = apply(state, { type: 'move', delta: -10 });
    expect([state.runs.cursor, state.runs.top]).toEqual([0, 0]);
  });

  it('pages, and Home / End reach both ends without running past them', () => {
    let state = apply(initialBrowserState('host-a', 10), counted(25));
    state = apply(state, { type: 'page', direction: 1 });
    expect([state.runs.cursor, state.runs.top]).toEqual([10, 10]);
    state = apply(state, { type: 'page', direction: 1 }, { type: 'page', direction: 1 });
    expect([state.runs.cursor, state.runs.top]).toEqual([24, 15]);
    state = apply(state, { type: 'home' });
    expect([state.runs.cursor, state.runs.top]).toEqual([0, 0]);
    state = apply(state, { type: 'end' });
    expect([state.runs.cursor, state.runs.top]).toEqual([24, 15]);
    state = apply(state, { type: 'page', direction: -1 });
    expect([state.runs.cursor, state.runs.top]).toEqual([14, 5]);
  });

  it('shows dots for rows of a page not yet fetched, and never opens one', () => {
    let state = apply(initialBrowserState('host-a', 3), counted(10), { type: 'end' });
    expect(visibleRows(state.runs, 3).map((entry) => [entry.index, entry.row])).toEqual([
      [7, undefined],
      [8, undefined],
      [9, undefined],
    ]);
    expect(apply(state, { type: 'open' }).view).toEqual({ kind: 'list' });
    state = loaded(state);
    state = apply(state, { type: 'open' });
    expect(state.view).toMatchObject({ kind: 'run', id: 'run-9', lines: undefined });
  });

  it('drops answers for another machine (a late reply after a switch)', () => {
    let state = apply(initialBrowserState('host-a', 3), { type: 'machines-loaded', machines: ['host-a', 'host-b'] }, counted(10));
    state = apply(state, { type: 'show-machines' }, { type: 'move', delta: 1 }, { type: 'open' });
    expect(state.machine).toBe('host-b');
    expect(state.runs.total).toBeNull();
    state = apply(state, counted(99));
    expect(state.runs.total).toBeNull();
  });

  it('says there is nothing to switch to with one machine', () => {
    const state = apply(initialBrowserState('host-a', 3), { type: 'machines-loaded', machines: ['host-a'] }, { type: 'show-machines' });
    expect(state.view.kind).toBe('list');
    expect(state.message).toContain("only host-a's records");
  });

  it('opens a run as lines and scrolls them; back returns to the list where it was', () => {
    let state = loaded(apply(initialBrowserState('host-a', 4), counted(10)));
    state = apply(state, { type: 'move', delta: 2 }, { type: 'open' });
    const report = makeReport(1, 'host-a');
    state = apply(state, { type: 'run-loaded', id: 'run-2', report });
    expect(state.view.kind === 'run' && state.view.lines?.length).toBeGreaterThan(4);
    state = apply(state, { type: 'end' });
    const lines = runDetailLines(report);
    expect(state.view).toMatchObject({ kind: 'run', scroll: lines.length - 4 });
    state = apply(state, { type: 'back' });
    expect(state.view.kind).toBe('list');
    expect(state.runs.cursor).toBe(2);
  });

  it('describes each drill of a run: result, measured values, events, errors', () => {
    const text = runDetailLines(makeReport(0, 'host-a')).map((line) => line.text).join('\n');
    expect(text).toContain('✗ FAIL cpu_spike');
    expect(text).toContain('error: cpu_spike failed in run 0');
    expect(text).toContain('✓ PASS memory_pressure');
    expect(text).toContain('measured: peakPercent=91.0 %, note=run 0, ok=true');
    expect(text).toContain('event cpu_high at 2026-01-01T12:01:02.000Z: 91.5 (threshold 80) run 0');
  });

  it('draws the trend with 100 % at the top and empty slices as dots', () => {
    const chart = trendChart(
      [
        { from: 'a', to: 'b', runs: 1, passRatePercent: 100 },
        { from: 'a', to: 'b', runs: 0, passRatePercent: null },
        { from: 'a', to: 'b', runs: 1, passRatePercent: 50 },
        { from: 'a', to: 'b', runs: 1, passRatePercent: 0 },
      ],
      2,
    );
    expect(chart).toEqual(['█   ', '█·█▁']);
  });
});
