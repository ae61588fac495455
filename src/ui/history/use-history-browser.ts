import { useInput, useStdin } from 'ink';
import { useEffect, useReducer } from 'react';
import type { HistoryStore, IncidentRecord, RunSummaryRow, SessionSummary } from '../../history/store.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { browserReducer, currentList, initialBrowserState, TABS, windowLoaded, type BrowserAction, type BrowserState } from './browser-state.js';

/** Lines the browser needs around the list (title, header, footer, message). */
const CHROME_LINES = 8;

export interface HistoryBrowserOptions {
  store: HistoryStore;
  machine: string;
  onBack(): void;
  /** Rows of the list; default: what fits in the terminal. */
  pageSize?: number;
  /** Slices of the pass-rate trend (the chart's width). */
  trendBuckets?: number;
  isActive?: boolean;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The browser's state, kept by the pure reducer; this hook only maps keys to actions and asks the
 * store for what the state says is missing (the visible page, an opened run, a view's data).
 */
export function useHistoryBrowser(options: HistoryBrowserOptions): BrowserState {
  const { store, onBack } = options;
  const terminal = useTerminalSize();
  const pageSize = options.pageSize ?? Math.max(3, terminal.rows - CHROME_LINES);
  const [state, dispatch] = useReducer(browserReducer, undefined, () => initialBrowserState(options.machine, pageSize));
  const { isRawModeSupported } = useStdin();

  useEffect(() => dispatch({ type: 'resize', pageSize }), [pageSize]);

  // Every answer is dispatched with what it was asked for; the reducer drops answers that came too late.
  const ask = <T,>(query: () => Promise<T>, toAction: (value: T) => BrowserAction, isCancelled: () => boolean) => {
    query().then(
      (value) => {
        if (!isCancelled()) dispatch(toAction(value));
      },
      (error: unknown) => {
        if (!isCancelled()) dispatch({ type: 'failed', message: describe(error) });
      },
    );
  };

  useEffect(() => {
    let cancelled = false;
    ask(() => store.machines(), (machines) => ({ type: 'machines-loaded', machines }), () => cancelled);
    return () => {
      cancelled = true;
    };
  }, [store]);

  const { machine, sessionKind } = state;
  useEffect(() => {
    let cancelled = false;
    ask(() => store.countRuns(machine), (total) => ({ type: 'counted', tab: 'runs', machine, total }), () => cancelled);
    ask(() => store.countIncidents(machine), (total) => ({ type: 'counted', tab: 'incidents', machine, total }), () => cancelled);
    return () => {
      cancelled = true;
    };
  }, [store, machine]);
  useEffect(() => {
    let cancelled = false;
    const query = { machine, ...(sessionKind === undefined ? {} : { kind: sessionKind }) };
    ask(() => store.countSessions(query), (total) => ({ type: 'counted', tab: 'sessions', machine, sessionKind, total }), () => cancelled);
    return () => {
      cancelled = true;
    };
  }, [store, machine, sessionKind]);

  const list = currentList(state);
  const needsPage = list.total !== null && !windowLoaded(list, state.pageSize);
  const { tab } = state;
  const { top } = list;
  useEffect(() => {
    if (!needsPage) return;
    let cancelled = false;
    const query = { machine, limit: state.pageSize, offset: top };
    const page = (): Promise<RunSummaryRow[] | IncidentRecord[] | SessionSummary[]> => {
      if (tab === 'runs') return store.listRuns(query);
      if (tab === 'incidents') return store.listIncidents(query);
      return store.listSessions({ ...query, ...(sessionKind === undefined ? {} : { kind: sessionKind }) });
    };
    ask(page, (rows) => ({ type: 'page-loaded', tab, machine, sessionKind, offset: top, rows }), () => cancelled);
    return () => {
      cancelled = true;
    };
  }, [store, machine, sessionKind, tab, top, state.pageSize, needsPage]);

  const { view } = state;
  // A run or a session just opened: its detail is fetched by id.
  const opened = (view.kind === 'run' || view.kind === 'session') && view.lines === undefined ? view : undefined;
  const opening = opened?.kind;
  const openedId = opened?.id;
  useEffect(() => {
    if (opening === undefined || openedId === undefined) return;
    let cancelled = false;
    if (opening === 'run') ask(() => store.getRun(openedId), (report) => ({ type: 'run-loaded', id: openedId, report }), () => cancelled);
    else ask(() => store.getSession(openedId), (record) => ({ type: 'session-loaded', id: openedId, record }), () => cancelled);
    return () => {
      cancelled = true;
    };
  }, [store, opening, openedId]);

  const wantsFailures = view.kind === 'failures' && view.rows === undefined;
  const wantsTrend = view.kind === 'trend' && view.buckets === undefined;
  // One column per slice, beside the chart's 6-character axis.
  const trendBuckets = options.trendBuckets ?? Math.max(10, Math.min(120, terminal.columns - 8));
  useEffect(() => {
    if (!wantsFailures && !wantsTrend) return;
    let cancelled = false;
    if (wantsFailures) ask(() => store.failures({ machine }), (rows) => ({ type: 'failures-loaded', machine, rows }), () => cancelled);
    if (wantsTrend) {
      ask(() => store.passRateTrend(machine, trendBuckets), (buckets) => ({ type: 'trend-loaded', machine, buckets }), () => cancelled);
    }
    return () => {
      cancelled = true;
    };
  }, [store, machine, wantsFailures, wantsTrend, trendBuckets]);

  useInput(
    (input, key) => {
      if (key.upArrow) return dispatch({ type: 'move', delta: -1 });
      if (key.downArrow) return dispatch({ type: 'move', delta: 1 });
      if (key.pageUp) return dispatch({ type: 'page', direction: -1 });
      if (key.pageDown) return dispatch({ type: 'page', direction: 1 });
      if (key.home) return dispatch({ type: 'home' });
      if (key.end) return dispatch({ type: 'end' });
      if (key.return) return dispatch({ type: 'open' });
      const back = key.escape || input === 'q';
      if (view.kind === 'list') {
        if (back) return onBack();
        if (key.tab) return dispatch({ type: 'tab', tab: TABS[(TABS.indexOf(state.tab) + 1) % TABS.length]! });
      } else if (back || key.backspace || key.delete) {
        return dispatch({ type: 'back' });
      }
      if (input === 'f') return dispatch({ type: 'show-failures' });
      if (input === 't') return dispatch({ type: 'show-trend' });
      if (input === 'm') return dispatch({ type: 'show-machines' });
      if (input === 'i') return dispatch({ type: 'tab', tab: 'incidents' });
      if (input === 'r') return dispatch({ type: 'tab', tab: 'runs' });
      if (input === 's') return dispatch({ type: 'tab', tab: 'sessions' });
      if (input === 'k') return dispatch({ type: 'next-kind' });
    },
    // Without a terminal on stdin Ink cannot read keys (raw mode): the browser then only displays.
    { isActive: (options.isActive ?? true) && isRawModeSupported === true },
  );

  return state;
}
