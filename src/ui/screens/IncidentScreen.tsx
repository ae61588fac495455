import { Text } from 'ink';
import type { SystemSample } from '../../drills/types.js';
import type { IncidentEvent, Scenario } from '../../incidents/types.js';
import { useEngine } from '../hooks/use-engine.js';
import { useSamples } from '../hooks/use-samples.js';
import { incidentReducer, initialIncidentState, type IncidentState, type IncidentStatus } from '../incident/incident-state.js';
import { useKeys } from '../keys/use-keys.js';
import { actionsPanel } from '../panels/Actions.js';
import { gaugesPanel } from '../panels/Gauges.js';
import { hypothesesPanel } from '../panels/Hypotheses.js';
import { injectedMetricsPanel } from '../panels/InjectedMetrics.js';
import { noticesPanel } from '../panels/Notices.js';
import { paint, severityColor, type Tone } from '../palette.js';
import type { SampleFeed } from '../services.js';
import { ScreenShell } from '../shell/ScreenShell.js';

export interface IncidentScreenProps {
  scenario: Scenario;
  /** Any engine: the in-process simulation or the incident API's stream. Must honour the signal. */
  events: (signal: AbortSignal) => AsyncIterable<IncidentEvent>;
  /** This machine's readings, for the compact gauges; none shown without. */
  samples?: SampleFeed;
  onBack(): void;
  isActive?: boolean;
}

const STATUS_COLORS: Record<IncidentStatus, string> = { connecting: 'gray', running: 'cyan', completed: 'green', stopped: 'yellow', failed: 'red' };
const STATUS_TONES: Record<IncidentStatus, Tone> = { connecting: 'info', running: 'info', completed: 'good', stopped: 'warn', failed: 'bad' };
const NO_FEED: SampleFeed = { recent: () => [], subscribe: () => () => {} };

/**
 * One incident as it unfolds: the injected metrics, this machine's gauges, hypotheses streaming
 * in, recommended actions, notices and the timeline. The rows go first to the metrics, then the
 * notices and the gauges, the hypotheses being written and the leading one, the actions, the
 * other hypotheses and their evidence, and the timeline takes what is left.
 */
export function IncidentScreen({ scenario, events, samples: feed, onBack, isActive = true }: IncidentScreenProps) {
  const { state, stop } = useEngine(events, incidentReducer, () => initialIncidentState(scenario));
  const samples: SystemSample[] = useSamples(feed ?? NO_FEED);
  useKeys(
    (input, key) => {
      if (input === 'q' || key.escape) {
        stop();
        onBack();
      }
    },
    { isActive },
  );
  const live = state.status === 'connecting' || state.status === 'running';

  return (
    <ScreenShell
      title={
        <>
          {scenario.name}
          <Text dimColor> · </Text>
          <Text bold={false}>{scenario.service}</Text>
          <Text dimColor> · </Text>
          <Text color={severityColor(state.severity)}>{state.severity}</Text>
          <Text dimColor> · </Text>
          <Text bold={false}>{scenario.difficulty}</Text>
        </>
      }
      status={
        <>
          <Text dimColor>status: </Text>
          <Text color={paint(STATUS_COLORS[state.status])}>{state.status}</Text>
          <Text dimColor> t+{Math.round(state.elapsedSeconds)}s</Text>
        </>
      }
      caption={<SourceLine state={state} />}
      captionTone={STATUS_TONES[state.status]}
      panels={[
        injectedMetricsPanel(state.metrics, { priority: 1 }),
        noticesPanel(state.notices, { priority: 2 }),
        feed ? gaugesPanel(samples, { variant: 'compact', priority: 2 }) : null,
        hypothesesPanel(state, { priority: 3 }),
        actionsPanel(state.actions, { analysisFinished: state.analysisFinished, priority: 4 }),
      ]}
      timeline={{ entries: state.timeline, priority: 9 }}
      keys={[live ? { key: 'q/Esc', label: 'stops it and goes back' } : { key: 'q/Esc', label: 'back' }]}
      footer={<Outcome state={state} />}
    />
  );
}

/** Which analyzer speaks (always said), and the simulation's id. */
function SourceLine({ state }: { state: IncidentState }) {
  return (
    <>
      source: {state.source ?? <Text dimColor>waiting for the analyzer</Text>}
      <Text dimColor bold={false}>
        {state.simulationId ? `   ${state.simulationId}` : ''}
      </Text>
    </>
  );
}

/** How the incident ended, beside the keys. */
function Outcome({ state }: { state: IncidentState }) {
  if (state.status === 'connecting' || state.status === 'running') return <Text dimColor>incident {state.status}…</Text>;
  return (
    <Text color={paint(STATUS_COLORS[state.status])}>
      incident {state.status}
      {state.status === 'failed' && state.error ? `: ${state.error}` : ''}
    </Text>
  );
}
