import { Box, Text } from 'ink';
import type { HistoryStore } from '../../history/store.js';
import { DetailView } from '../history/DetailView.js';
import { FailuresView } from '../history/FailuresView.js';
import { IncidentList } from '../history/IncidentList.js';
import { MachineSwitcher } from '../history/MachineSwitcher.js';
import { RunList } from '../history/RunList.js';
import { SessionList } from '../history/SessionList.js';
import { TrendView } from '../history/TrendView.js';
import { useHistoryBrowser } from '../history/use-history-browser.js';
import { currentList, type BrowserState, type Tab } from '../history/browser-state.js';

export interface HistoryScreenProps {
  store: HistoryStore;
  /** The machine shown first (this one). */
  machine: string;
  /** q or Esc on the list. */
  onBack(): void;
  /** Rows of the list; default: what fits in the terminal. */
  pageSize?: number;
  isActive?: boolean;
}

const LIST_KEYS = '↑↓ Enter open  Tab/r/i/s lists  k kind  f failures  t trend  m machine  q back';
const DETAIL_KEYS = '↑↓ PgUp PgDn scroll  Esc back';

function Title({ state }: { state: BrowserState }) {
  const count = (total: number | null) => (total === null ? '…' : String(total));
  const tab = (name: Tab, label: string) =>
    state.tab === name ? <Text bold underline>{label}</Text> : <Text dimColor>{label}</Text>;
  const sessions = state.sessionKind === undefined ? 'sessions' : `${state.sessionKind} sessions`;
  return (
    <Text>
      <Text bold color="cyan">{`History of ${state.machine}  `}</Text>
      {tab('runs', `runs (${count(state.runs.total)})`)}
      <Text> </Text>
      {tab('incidents', `incidents (${count(state.incidents.total)})`)}
      <Text> </Text>
      {tab('sessions', `${sessions} (${count(state.sessions.total)})`)}
    </Text>
  );
}

function ListBody({ state }: { state: BrowserState }) {
  const list = currentList(state);
  if (list.total === null) return <Text dimColor>Loading...</Text>;
  if (list.total === 0) {
    const what = { runs: 'drill runs', incidents: 'incident simulations', sessions: `${state.sessionKind ?? 'demo, experiment, gameday or workload'} sessions` }[state.tab];
    const others = (state.machines?.length ?? 0) > 1 ? '  m: another machine' : '';
    const kinds = state.tab === 'sessions' ? '  k: another kind' : '';
    return <Text>{`No ${what} recorded for ${state.machine} yet.${kinds}${others}`}</Text>;
  }
  return (
    <Box flexDirection="column">
      {state.tab === 'runs' ? <RunList list={state.runs} pageSize={state.pageSize} /> : null}
      {state.tab === 'incidents' ? <IncidentList list={state.incidents} pageSize={state.pageSize} /> : null}
      {state.tab === 'sessions' ? <SessionList list={state.sessions} pageSize={state.pageSize} /> : null}
      <Text dimColor>{`${list.cursor + 1} of ${list.total}, newest first`}</Text>
    </Box>
  );
}

function Body({ state }: { state: BrowserState }) {
  const { view } = state;
  switch (view.kind) {
    case 'list':
      return <ListBody state={state} />;
    case 'run':
      if (view.lines === undefined) return <Text dimColor>Opening the run...</Text>;
      if (view.lines === null) return <Text color="red">{`Run ${view.id} is no longer in the history.`}</Text>;
      return <DetailView lines={view.lines} scroll={view.scroll} height={state.pageSize} />;
    case 'incident':
      return <DetailView lines={view.lines} scroll={view.scroll} height={state.pageSize} />;
    case 'session':
      if (view.lines === undefined) return <Text dimColor>Opening the session...</Text>;
      if (view.lines === null) return <Text color="red">{`Session ${view.id} is no longer in the history.`}</Text>;
      return <DetailView lines={view.lines} scroll={view.scroll} height={state.pageSize} />;
    case 'failures':
      return <FailuresView machine={state.machine} rows={view.rows} />;
    case 'trend':
      return <TrendView machine={state.machine} buckets={view.buckets} />;
    case 'machines':
      return <MachineSwitcher machines={state.machines ?? []} cursor={view.cursor} current={state.machine} />;
    default: {
      const unreachable: never = view;
      return unreachable;
    }
  }
}

/** The console's history browser: runs, incident simulations and sessions per machine, failures, trend. */
export function HistoryScreen({ store, machine, onBack, pageSize, isActive }: HistoryScreenProps) {
  const state = useHistoryBrowser({ store, machine, onBack, pageSize, isActive });
  const keys = state.view.kind === 'run' || state.view.kind === 'incident' || state.view.kind === 'session' ? DETAIL_KEYS : state.view.kind === 'list' ? LIST_KEYS : 'Esc back  f failures  t trend';
  return (
    <Box flexDirection="column">
      <Title state={state} />
      <Body state={state} />
      {state.message ? <Text color="yellow">{state.message}</Text> : null}
      {state.error ? <Text color="red">{`The history could not answer: ${state.error}`}</Text> : null}
      <Text dimColor>{state.view.kind === 'machines' ? '↑↓ choose  Enter switch  Esc back' : keys}</Text>
    </Box>
  );
}
