import { describe, expect, it } from 'vitest';
import type { RunSummaryRow, SessionSummary } from '../../src/history/store.js';
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
import { sessionDetailLines } from '../../src/history/text-lines.js';
import { makeReport, makeSession } from './fixtures/reports.js';

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

  it('shows dots for rows of a page not yet fetched; Enter on one, and the keys after it, wait for the page', () => {
    let state = apply(initialBrowserState('host-a', 3), counted(10), { type: 'end' });
    expect(visibleRows(state.runs, 3).map((entry) => [entry.index, entry.row])).toEqual([
      [7, undefined],
      [8, undefined],
      [9, undefined],
    ]);
    // Enter, then two lines down in the detail, typed before the page came: nothing is lost.
    state = apply(state, { type: 'open' }, { type: 'move', delta: 1 }, { type: 'move', delta: 1 });
    expect(state.view).toEqual({ kind: 'list' });
    expect(state.waiting?.map((key) => key.type)).toEqual(['open', 'move', 'move']);
    state = loaded(state);
    expect(state.waiting).toBeUndefined();
    expect(state.view).toMatchObject({ kind: 'run', id: 'run-9', lines: undefined });
    state = apply(state, { type: 'run-loaded', id: 'run-9', report: makeReport(9, 'host-a') });
    expect(state.view).toMatchObject({ kind: 'run', scroll: 0 });
  });

  it('replays waiting keys in order once the row arrives, and drops them if the page fails', () => {
    let state = apply(initialBrowserState('host-a', 3), { type: 'open' }, { type: 'back' }, { type: 'move', delta: 2 }, { type: 'open' });
    expect(state.waiting).toHaveLength(4);
    state = apply(state, counted(10));
    expect(state.waiting).toHaveLength(4);
    state = loaded(state);
    // Enter opened run 0, Esc came back, down twice, Enter opened run 2.
    expect(state.view).toMatchObject({ kind: 'run', id: 'run-2' });
    const failed = apply(initialBrowserState('host-a', 3), counted(10), { type: 'open' }, { type: 'failed', message: 'disk I/O error' });
    expect(failed.waiting).toBeUndefined();
    expect(failed.error).toBe('disk I/O error');
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

describe('history browser: sessions', () => {
  const summary = (index: number, kind: SessionSummary['kind'] = 'experiment'): SessionSummary => {
    const { detail: _detail, ...rest } = makeSession(index, 'host-a', kind);
    return rest;
  };

  it('cycles the kind filter (all, then each kind), starting the list again and dropping answers for another kind', () => {
    let state = apply(initialBrowserState('host-a', 5), { type: 'tab', tab: 'sessions' });
    state = apply(state, { type: 'counted', tab: 'sessions', machine: 'host-a', sessionKind: undefined, total: 7 });
    expect(state.sessions.total).toBe(7);
    state = apply(state, { type: 'next-kind' });
    expect([state.tab, state.sessionKind, state.sessions.total]).toEqual(['sessions', 'demo', null]);
    // A late answer for every kind is not the demo list's.
    state = apply(state, { type: 'counted', tab: 'sessions', machine: 'host-a', sessionKind: undefined, total: 7 });
    expect(state.sessions.total).toBeNull();
    state = apply(state, { type: 'counted', tab: 'sessions', machine: 'host-a', sessionKind: 'demo', total: 2 });
    expect(state.sessions.total).toBe(2);
    state = apply(state, { type: 'next-kind' }, { type: 'next-kind' }, { type: 'next-kind' });
    expect(state.sessionKind).toBe('workload');
    expect(apply(state, { type: 'next-kind' }).sessionKind).toBeUndefined();
  });

  it('opens a session by id and shows its figures in their units and its detail', () => {
    let state = apply(initialBrowserState('host-a', 5), { type: 'tab', tab: 'sessions' });
    state = apply(state, { type: 'counted', tab: 'sessions', machine: 'host-a', total: 2 });
    state = apply(state, { type: 'page-loaded', tab: 'sessions', machine: 'host-a', offset: 0, rows: [summary(1), summary(0)] });
    state = apply(state, { type: 'move', delta: 1 }, { type: 'open' });
    expect(state.view).toEqual({ kind: 'session', id: makeSession(0, 'host-a').id, lines: undefined, scroll: 0 });
    state = apply(state, { type: 'session-loaded', id: 'another-session', record: makeSession(5, 'host-a') });
    expect(state.view).toMatchObject({ lines: undefined });
    state = apply(state, { type: 'session-loaded', id: makeSession(0, 'host-a').id, record: makeSession(0, 'host-a') });
    const text = state.view.kind === 'session' ? (state.view.lines ?? []).map((line) => line.text).join('\n') : '';
    expect(text).toContain('experiment number 0: experiment experiment-subject-0 on host-a, passed (completed)');
    expect(text).toContain('experiment 0: recovered after 1.5 s');
    expect(text).toMatch(/time to recover +1\.5 s/);
    expect(text).toMatch(/peak RSS +64\.0 MiB/);
    expect(text).toMatch(/error +0\.0 %/);
    expect(text).toContain('"text": "fault injected"');
    const gone = apply(state, { type: 'back' }, { type: 'open' }, { type: 'session-loaded', id: makeSession(0, 'host-a').id, record: null });
    expect(gone.view).toMatchObject({ kind: 'session', lines: null });
  });

  it('cuts a long detail at 400 lines and says how many more there are', () => {
    const record = { ...makeSession(1, 'host-a'), detail: { samples: Array.from({ length: 1000 }, (_, index) => index) } };
    const lines = sessionDetailLines(record).map((line) => line.text);
    expect(lines.at(-1)).toBe('  … 604 more lines (firedrill history --session ID --json)');
  });
});
