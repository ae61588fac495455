import { Box, Text, useInput, useStdin } from 'ink';
import type { IncidentEvent, Scenario } from '../../incidents/types.js';
import { ActionList } from '../incident/ActionList.js';
import { HypothesisList } from '../incident/HypothesisList.js';
import { IncidentHeader } from '../incident/IncidentHeader.js';
import { incidentLayout } from '../incident/incident-layout.js';
import type { IncidentState } from '../incident/incident-state.js';
import { MetricPanel } from '../incident/MetricPanel.js';
import { NoticeList } from '../incident/NoticeList.js';
import { paint } from '../incident/palette.js';
import { Timeline } from '../incident/Timeline.js';
import { useIncidentStream } from '../incident/use-incident-stream.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';

export interface IncidentScreenProps {
  scenario: Scenario;
  /** Any engine: the in-process simulation or the incident API's stream. Must honour the signal. */
  events: (signal: AbortSignal) => AsyncIterable<IncidentEvent>;
  onBack(): void;
  isActive?: boolean;
}

function Footer({ state, canListen }: { state: IncidentState; canListen: boolean }) {
  const back = canListen ? '· q/Esc back' : '';
  switch (state.status) {
    case 'connecting':
    case 'running':
      return <Text dimColor>incident {state.status}… {canListen ? '· q/Esc stops it and goes back' : ''}</Text>;
    case 'completed':
      return (
        <Text>
          <Text color={paint('green')}>incident completed</Text> <Text dimColor>{back}</Text>
        </Text>
      );
    case 'stopped':
      return (
        <Text>
          <Text color={paint('yellow')}>incident stopped</Text> <Text dimColor>{back}</Text>
        </Text>
      );
    case 'failed':
      return (
        <Text wrap="truncate">
          <Text color={paint('red')}>incident failed{state.error ? `: ${state.error}` : ''}</Text> <Text dimColor>{back}</Text>
        </Text>
      );
  }
}

/** One incident as it unfolds: metrics, timeline, hypotheses streaming in, recommended actions. */
export function IncidentScreen({ scenario, events, onBack, isActive = true }: IncidentScreenProps) {
  const { state, stop } = useIncidentStream(scenario, events);
  const { rows, columns } = useTerminalSize();
  const { isRawModeSupported } = useStdin();
  const canListen = isActive && isRawModeSupported;

  useInput(
    (input, key) => {
      if (input === 'q' || key.escape) {
        stop();
        onBack();
      }
    },
    { isActive: canListen },
  );

  const layout = incidentLayout(rows, {
    metrics: state.metrics.length,
    hypotheses: state.hypotheses.length,
    streaming: state.streaming.length,
    actions: state.actions.length,
    notices: state.notices.length,
    timeline: state.timeline.length,
  });

  return (
    <Box flexDirection="column">
      <IncidentHeader scenario={scenario} state={state} />
      <MetricPanel metrics={state.metrics} columns={columns} limit={layout.metrics} />
      <HypothesisList
        hypotheses={state.hypotheses}
        streaming={state.streaming}
        limit={layout.hypotheses}
        streamingLimit={layout.streaming}
        streamingLines={layout.streamingLines}
        columns={columns}
        showEvidence={layout.evidence}
        analysisFinished={state.analysisFinished}
      />
      <ActionList actions={state.actions} limit={layout.actions} analysisFinished={state.analysisFinished} />
      <Timeline entries={state.timeline} limit={layout.timeline} />
      <NoticeList notices={state.notices} limit={layout.notices} />
      <Footer state={state} canListen={canListen} />
    </Box>
  );
}
