/**
 * The history browser's state and the pure reducer that changes it. No Ink and no I/O here: the
 * hook (use-history-browser.ts) maps keys to actions and feeds the store's answers back as actions.
 * The lists hold only the visible window of rows (fetched by offset), so thousands of runs cost
 * one page each. A key that needs a row still on its way (Enter on a row shown as dots) waits for
 * that page, and the keys typed after it wait behind it: no key of a burst is lost to a slow page.
 */
import { formatDuration, formatFigure } from '../../format.js';
import { sessionDetailLines, type DetailLine } from '../../history/text-lines.js';
import type { RunReport } from '../../drills/types.js';
import { SESSION_KINDS, type SessionKind } from '../../history/sessions.js';
import type { FailureRow, IncidentRecord, RunSummaryRow, SessionRecord, SessionSummary, TrendBucket } from '../../history/store.js';
import { byConfidence } from '../../incidents/rank.js';

export type Tab = 'runs' | 'incidents' | 'sessions';
export const TABS: readonly Tab[] = ['runs', 'incidents', 'sessions'];

export interface ListState<Row> {
  /** null until counted. */
  total: number | null;
  /** Absolute index of the selected row. */
  cursor: number;
  /** Absolute index of the first visible row. */
  top: number;
  /** The rows last fetched, from `offset` on. */
  page: { offset: number; rows: Row[] } | null;
}

export type { DetailLine, LineTone } from '../../history/text-lines.js';

export type View =
  | { kind: 'list' }
  /** lines undefined while loading; null when the run is gone. */
  | { kind: 'run'; id: string; lines: DetailLine[] | null | undefined; scroll: number }
  | { kind: 'incident'; lines: DetailLine[]; scroll: number }
  /** lines undefined while loading; null when the session is gone. */
  | { kind: 'session'; id: string; lines: DetailLine[] | null | undefined; scroll: number }
  | { kind: 'failures'; rows: FailureRow[] | undefined }
  | { kind: 'trend'; buckets: TrendBucket[] | undefined }
  | { kind: 'machines'; cursor: number };

export interface BrowserState {
  machine: string;
  tab: Tab;
  /** Rows the list shows at once (and fetches per page). */
  pageSize: number;
  runs: ListState<RunSummaryRow>;
  incidents: ListState<IncidentRecord>;
  sessions: ListState<SessionSummary>;
  /** The sessions listed: one kind, or every kind when undefined. */
  sessionKind: SessionKind | undefined;
  /**
   * Keys waiting for a page: the first is an Enter on a row not loaded yet, the others came after
   * it. Replayed in order once the row arrives.
   */
  waiting: KeyAction[] | undefined;
  view: View;
  /** Every machine the store holds, once loaded. */
  machines: string[] | undefined;
  /** A one-line answer to the last key ("only one machine here"). */
  message: string | undefined;
  error: string | undefined;
}

export type KeyAction =
  | { type: 'move'; delta: number }
  | { type: 'page'; direction: 1 | -1 }
  | { type: 'home' }
  | { type: 'end' }
  | { type: 'open' }
  | { type: 'back' }
  | { type: 'show-failures' }
  | { type: 'show-trend' }
  | { type: 'show-machines' }
  | { type: 'tab'; tab: Tab }
  | { type: 'next-kind' };

/** Which list an answer is for: a machine's runs, incidents, or sessions of one kind. */
export interface ListKey {
  tab: Tab;
  machine: string;
  /** For sessions: the kind filter the answer was asked with. */
  sessionKind?: SessionKind | undefined;
}

export type BrowserAction =
  | KeyAction
  | { type: 'resize'; pageSize: number }
  | ({ type: 'counted'; total: number } & ListKey)
  | ({ type: 'page-loaded'; offset: number; rows: RunSummaryRow[] | IncidentRecord[] | SessionSummary[] } & ListKey)
  | { type: 'run-loaded'; id: string; report: RunReport | null }
  | { type: 'session-loaded'; id: string; record: SessionRecord | null }
  | { type: 'failures-loaded'; machine: string; rows: FailureRow[] }
  | { type: 'trend-loaded'; machine: string; buckets: TrendBucket[] }
  | { type: 'machines-loaded'; machines: string[] }
  | { type: 'failed'; message: string };

function emptyList<Row>(): ListState<Row> {
  return { total: null, cursor: 0, top: 0, page: null };
}

export function initialBrowserState(machine: string, pageSize: number): BrowserState {
  return {
    machine,
    tab: 'runs',
    pageSize: Math.max(1, pageSize),
    runs: emptyList(),
    incidents: emptyList(),
    sessions: emptyList(),
    sessionKind: undefined,
    waiting: undefined,
    view: { kind: 'list' },
    machines: undefined,
    message: undefined,
    error: undefined,
  };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), Math.max(low, high));
}

/** Places the cursor, keeping it inside the visible window and the window inside the list. */
function placeCursor<Row>(list: ListState<Row>, cursor: number, top: number, pageSize: number): ListState<Row> {
  const total = list.total ?? 0;
  if (total === 0) return { ...list, cursor: 0, top: 0 };
  const nextCursor = clamp(cursor, 0, total - 1);
  let nextTop = clamp(top, 0, total - pageSize);
  if (nextCursor < nextTop) nextTop = nextCursor;
  if (nextCursor >= nextTop + pageSize) nextTop = nextCursor - pageSize + 1;
  return { ...list, cursor: nextCursor, top: nextTop };
}

function withList(state: BrowserState, update: <Row>(list: ListState<Row>) => ListState<Row>): BrowserState {
  return { ...state, [state.tab]: update(state[state.tab] as ListState<unknown>) };
}

/** The list of the current tab. */
export function currentList(state: BrowserState): ListState<unknown> {
  return state[state.tab];
}

/** True when an answer was asked for the list the state shows now (not another machine or kind). */
function isCurrent(state: BrowserState, key: ListKey): boolean {
  return key.machine === state.machine && (key.tab !== 'sessions' || key.sessionKind === state.sessionKind);
}

/** The row at an absolute index, if its page is loaded. */
export function rowAt<Row>(list: ListState<Row>, index: number): Row | undefined {
  if (!list.page) return undefined;
  return list.page.rows[index - list.page.offset];
}

/** True when the loaded page covers the visible window (else the hook fetches it). */
export function windowLoaded<Row>(list: ListState<Row>, pageSize: number): boolean {
  if (list.total === null) return false;
  if (!list.page) return list.total === 0;
  const end = Math.min(list.top + pageSize, list.total);
  return list.page.offset <= list.top && list.page.offset + list.page.rows.length >= end;
}

function scrollDetail(view: View, delta: number | 'home' | 'end', pageSize: number): View {
  if (view.kind !== 'run' && view.kind !== 'incident' && view.kind !== 'session') return view;
  const lineCount = view.lines?.length ?? 0;
  const maxScroll = Math.max(0, lineCount - pageSize);
  const scroll = delta === 'home' ? 0 : delta === 'end' ? maxScroll : clamp(view.scroll + delta, 0, maxScroll);
  return { ...view, scroll };
}

const KEY_ACTIONS: ReadonlySet<string> = new Set<KeyAction['type']>([
  'move',
  'page',
  'home',
  'end',
  'open',
  'back',
  'show-failures',
  'show-trend',
  'show-machines',
  'tab',
  'next-kind',
]);
/** Keys kept behind a waiting Enter; a burst longer than this is not typing. */
const MAX_WAITING_KEYS = 64;

function isKeyAction(action: BrowserAction): action is KeyAction {
  return KEY_ACTIONS.has(action.type);
}

export function browserReducer(state: BrowserState, action: BrowserAction): BrowserState {
  if (state.waiting && isKeyAction(action)) {
    return state.waiting.length >= MAX_WAITING_KEYS ? state : { ...state, waiting: [...state.waiting, action] };
  }
  const next = reduce(state, action);
  if (!next.waiting) return next;
  if (action.type === 'failed') return { ...next, waiting: undefined };
  const list = currentList(next);
  if (next.view.kind !== 'list' || list.total === null || (list.total > 0 && rowAt(list, list.cursor) === undefined)) return next;
  // The row the first waiting key needs has arrived: replay every waiting key, in order.
  const waiting = next.waiting;
  return waiting.reduce<BrowserState>((replayed, key) => browserReducer(replayed, key), { ...next, waiting: undefined });
}

function reduce(state: BrowserState, action: BrowserAction): BrowserState {
  const { view, pageSize } = state;
  switch (action.type) {
    case 'move':
    case 'page':
    case 'home':
    case 'end': {
      const delta = action.type === 'move' ? action.delta : action.type === 'page' ? action.direction * pageSize : 0;
      if (view.kind === 'run' || view.kind === 'incident' || view.kind === 'session') {
        const step = action.type === 'home' ? 'home' : action.type === 'end' ? 'end' : delta;
        return { ...state, view: scrollDetail(view, step, pageSize) };
      }
      if (view.kind === 'machines') {
        const last = (state.machines?.length ?? 1) - 1;
        const cursor = action.type === 'home' ? 0 : action.type === 'end' ? last : clamp(view.cursor + delta, 0, last);
        return { ...state, view: { kind: 'machines', cursor } };
      }
      if (view.kind !== 'list') return state;
      return withList({ ...state, message: undefined }, (list) => {
        const total = list.total ?? 0;
        if (action.type === 'home') return placeCursor(list, 0, 0, pageSize);
        if (action.type === 'end') return placeCursor(list, total - 1, total - pageSize, pageSize);
        if (action.type === 'page') return placeCursor(list, list.cursor + delta, list.top + delta, pageSize);
        return placeCursor(list, list.cursor + delta, list.top, pageSize);
      });
    }
    case 'open': {
      if (view.kind === 'machines') {
        const machine = state.machines?.[view.cursor];
        if (machine === undefined || machine === state.machine) return { ...state, view: { kind: 'list' } };
        return { ...state, machine, runs: emptyList(), incidents: emptyList(), sessions: emptyList(), view: { kind: 'list' }, message: undefined };
      }
      if (view.kind !== 'list') return state;
      const list = currentList(state);
      if (list.total === null || (list.total > 0 && rowAt(list, list.cursor) === undefined)) {
        // The row is still on its way: this Enter, and the keys after it, wait for it.
        return { ...state, waiting: [action] };
      }
      switch (state.tab) {
        case 'runs': {
          const row = rowAt(state.runs, state.runs.cursor);
          return row ? { ...state, view: { kind: 'run', id: row.id, lines: undefined, scroll: 0 } } : state;
        }
        case 'incidents': {
          const record = rowAt(state.incidents, state.incidents.cursor);
          return record ? { ...state, view: { kind: 'incident', lines: incidentDetailLines(record), scroll: 0 } } : state;
        }
        case 'sessions': {
          const session = rowAt(state.sessions, state.sessions.cursor);
          return session ? { ...state, view: { kind: 'session', id: session.id, lines: undefined, scroll: 0 } } : state;
        }
        default: {
          const unreachable: never = state.tab;
          return unreachable;
        }
      }
    }
    case 'back':
      return view.kind === 'list' ? state : { ...state, view: { kind: 'list' } };
    case 'show-failures':
      return { ...state, view: { kind: 'failures', rows: undefined }, message: undefined };
    case 'show-trend':
      return { ...state, view: { kind: 'trend', buckets: undefined }, message: undefined };
    case 'show-machines': {
      const machines = state.machines ?? [];
      if (machines.length <= 1) {
        const only = machines[0] ?? state.machine;
        return { ...state, message: `This history holds only ${only}'s records: nothing to switch to.` };
      }
      return { ...state, view: { kind: 'machines', cursor: Math.max(0, machines.indexOf(state.machine)) }, message: undefined };
    }
    case 'tab':
      return { ...state, tab: action.tab, view: { kind: 'list' }, message: undefined };
    case 'next-kind': {
      // All kinds, then each kind in turn; the list starts again from the newest.
      const kinds: Array<SessionKind | undefined> = [undefined, ...SESSION_KINDS];
      const sessionKind = kinds[(kinds.indexOf(state.sessionKind) + 1) % kinds.length];
      return { ...state, tab: 'sessions', sessionKind, sessions: emptyList(), view: { kind: 'list' }, message: undefined };
    }
    case 'resize': {
      const next = Math.max(1, action.pageSize);
      if (next === pageSize) return state;
      const resized = { ...state, pageSize: next };
      return {
        ...resized,
        runs: placeCursor(state.runs, state.runs.cursor, state.runs.top, next),
        incidents: placeCursor(state.incidents, state.incidents.cursor, state.incidents.top, next),
        sessions: placeCursor(state.sessions, state.sessions.cursor, state.sessions.top, next),
      };
    }
    case 'counted': {
      if (!isCurrent(state, action)) return state;
      const key = action.tab;
      const list = { ...state[key], total: action.total } as ListState<never>;
      return { ...state, [key]: placeCursor(list, list.cursor, list.top, pageSize) };
    }
    case 'page-loaded': {
      if (!isCurrent(state, action)) return state;
      const key = action.tab;
      return { ...state, [key]: { ...state[key], page: { offset: action.offset, rows: action.rows } } };
    }
    case 'run-loaded':
      if (view.kind !== 'run' || view.id !== action.id) return state;
      return { ...state, view: { ...view, lines: action.report ? runDetailLines(action.report) : null } };
    case 'session-loaded':
      if (view.kind !== 'session' || view.id !== action.id) return state;
      return { ...state, view: { ...view, lines: action.record ? sessionDetailLines(action.record) : null } };
    case 'failures-loaded':
      if (view.kind !== 'failures' || action.machine !== state.machine) return state;
      return { ...state, view: { kind: 'failures', rows: action.rows } };
    case 'trend-loaded':
      if (view.kind !== 'trend' || action.machine !== state.machine) return state;
      return { ...state, view: { kind: 'trend', buckets: action.buckets } };
    case 'machines-loaded':
      return { ...state, machines: action.machines };
    case 'failed':
      return { ...state, error: action.message };
    default: {
      const unreachable: never = action;
      return unreachable;
    }
  }
}

/** The visible rows of the current tab: loaded rows, or undefined where a page is still on its way. */
export function visibleRows<Row>(list: ListState<Row>, pageSize: number): Array<{ index: number; row: Row | undefined }> {
  const total = list.total ?? 0;
  const end = Math.min(list.top + pageSize, total);
  const rows: Array<{ index: number; row: Row | undefined }> = [];
  for (let index = list.top; index < end; index += 1) rows.push({ index, row: rowAt(list, index) });
  return rows;
}


/** A run as lines of text: each drill's result, measured values, events, errors, detection. */
export function runDetailLines(report: RunReport): DetailLine[] {
  const lines: DetailLine[] = [];
  const { summary } = report;
  lines.push({
    text: `Run ${report.runId} on ${report.machine}: ${summary.passed}/${summary.total} passed, ${summary.eventsTriggered} events`,
    tone: 'title',
  });
  lines.push({ text: `started ${report.startedAt}, finished ${report.finishedAt}`, tone: 'dim' });
  for (const result of report.results) {
    lines.push({
      text: `${result.success ? '✓ PASS' : '✗ FAIL'} ${result.test} (${formatDuration(result.durationMs)}, ${result.eventsTriggered} events): ${result.summary}`,
      tone: result.success ? 'ok' : 'bad',
    });
    const measured = Object.entries(result.measured).map(([key, value]) => `${key}=${formatFigure(key, value)}`);
    if (measured.length > 0) lines.push({ text: `    measured: ${measured.join(', ')}`, tone: 'plain' });
    if (result.error) lines.push({ text: `    error: ${result.error}`, tone: 'bad' });
    for (const event of result.events) {
      const threshold = event.threshold === undefined ? '' : ` (threshold ${event.threshold})`;
      lines.push({ text: `    event ${event.type} at ${event.at}: ${event.value}${threshold}${event.detail ? ` ${event.detail}` : ''}`, tone: 'dim' });
    }
    for (const detection of result.detection ?? []) {
      lines.push({
        text: `    ${detection.source}: ${detection.summary}${detection.error && !detection.summary.includes(detection.error) ? ` (${detection.error})` : ''}`,
        tone: detection.detected ? 'ok' : 'bad',
      });
    }
  }
  return lines;
}

export function incidentDetailLines(record: IncidentRecord): DetailLine[] {
  const lines: DetailLine[] = [
    { text: `Incident ${record.id}: scenario ${record.scenarioId} on ${record.machine} (${record.severity}, ${record.status})`, tone: 'title' },
    { text: `started ${record.startedAt}, finished ${record.finishedAt}, analysed by ${record.source}`, tone: 'dim' },
  ];
  const ranked = byConfidence(record.hypotheses);
  for (const hypothesis of ranked) {
    lines.push({ text: `${Math.round(hypothesis.confidence * 100)}% ${hypothesis.category}: ${hypothesis.description}`, tone: 'plain' });
    if (hypothesis.reasoning) lines.push({ text: `    ${hypothesis.reasoning}`, tone: 'dim' });
  }
  for (const action of record.actions) {
    lines.push({
      text: `→ ${action.type} ${action.target} (risk ${action.riskLevel}${action.requiresApproval ? ', needs approval' : ''}): ${action.rationale}`,
      tone: 'plain',
    });
  }
  return lines;
}

const LEVELS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/**
 * A bar chart of pass rate per time slice, `height` rows tall (0 % at the bottom, 100 % at the top);
 * slices without runs show as a dot on the base line.
 */
export function trendChart(buckets: readonly TrendBucket[], height: number): string[] {
  const rows: string[] = [];
  const steps = LEVELS.length - 1;
  for (let row = height - 1; row >= 0; row -= 1) {
    let line = '';
    for (const bucket of buckets) {
      if (bucket.passRatePercent === null) {
        line += row === 0 ? '·' : ' ';
        continue;
      }
      const filled = (bucket.passRatePercent / 100) * height * steps;
      const level = Math.round(clamp(filled - row * steps, 0, steps));
      line += row === 0 && level === 0 ? '▁' : LEVELS[level];
    }
    rows.push(line);
  }
  return rows;
}
