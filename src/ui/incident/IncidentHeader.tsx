import { Box, Text } from 'ink';
import type { Scenario } from '../../incidents/types.js';
import type { IncidentState, IncidentStatus } from './incident-state.js';
import { paint, severityColor } from './palette.js';

const STATUS_COLORS: Record<IncidentStatus, string> = { connecting: 'gray', running: 'cyan', completed: 'green', stopped: 'yellow', failed: 'red' };

/** Which scenario runs, on which service, how bad it is, and always which analyzer speaks. */
export function IncidentHeader({ scenario, state }: { scenario: Scenario; state: IncidentState }) {
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>{scenario.name}</Text>
        <Text dimColor> · </Text>
        {scenario.service}
        <Text dimColor> · </Text>
        <Text color={severityColor(state.severity)} bold>
          {state.severity}
        </Text>
        <Text dimColor> · </Text>
        {scenario.difficulty}
      </Text>
      <Text wrap="truncate">
        <Text bold>source: </Text>
        {state.source ?? <Text dimColor>waiting for the analyzer</Text>}
        <Text dimColor>{'   '}status: </Text>
        <Text color={paint(STATUS_COLORS[state.status])}>{state.status}</Text>
        <Text dimColor>
          {'   '}t+{Math.round(state.elapsedSeconds)}s{state.simulationId ? `   ${state.simulationId}` : ''}
        </Text>
      </Text>
    </Box>
  );
}
