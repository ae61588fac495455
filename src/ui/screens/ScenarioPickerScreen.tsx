import { Box, Text } from 'ink';
import type { Difficulty, Scenario } from '../../incidents/types.js';
import { severityColor, paint } from '../incident/palette.js';
import { pickerRows, windowRows } from '../incident/picker-state.js';
import { useScenarioPicker } from '../incident/use-scenario-picker.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';

export interface ScenarioLoadError {
  file: string;
  message: string;
}

export interface ScenarioPickerScreenProps {
  scenarios: Scenario[];
  loadErrors?: ScenarioLoadError[];
  onPick(scenario: Scenario): void;
  onBack(): void;
  isActive?: boolean;
  /** Where the cursor starts, e.g. on the scenario the user just ran; the first one otherwise. */
  initialScenarioId?: string;
}

const DIFFICULTY_TITLES: Record<Difficulty, string> = { beginner: 'Beginner', intermediate: 'Intermediate', advanced: 'Advanced' };
/** Past this many, bad files are summed up in one line so the list keeps its room. */
const MAX_ERROR_LINES = 3;
/** Title, help or filter line, description of the highlighted scenario, the two "more" lines. */
const FIXED_LINES = 5;

function ScenarioRow({ scenario, highlighted, nameWidth, serviceWidth }: { scenario: Scenario; highlighted: boolean; nameWidth: number; serviceWidth: number }) {
  return (
    <Box>
      <Box width={2} flexShrink={0}>
        <Text color={paint('cyan')}>{highlighted ? '›' : ' '}</Text>
      </Box>
      <Box width={nameWidth + 2} flexShrink={0}>
        <Text bold={highlighted} wrap="truncate">
          {scenario.name}
        </Text>
      </Box>
      <Box width={10} flexShrink={0}>
        <Text color={severityColor(scenario.severity)}>{scenario.severity}</Text>
      </Box>
      <Box width={serviceWidth + 2} flexShrink={0}>
        <Text wrap="truncate">{scenario.service}</Text>
      </Box>
      <Text dimColor wrap="truncate">
        {scenario.tags.map((tag) => `#${tag}`).join(' ')}
      </Text>
    </Box>
  );
}

/**
 * Lists the incident scenarios by difficulty; `/` filters, Enter picks, q or Esc goes back.
 * A new `scenarios` array (a reload) keeps the filter and the highlighted scenario.
 */
export function ScenarioPickerScreen({ scenarios, loadErrors = [], onPick, onBack, isActive = true, initialScenarioId }: ScenarioPickerScreenProps) {
  const { state, visible, canListen } = useScenarioPicker(scenarios, { onPick, onBack, isActive, initialScenarioId });
  const { rows: terminalRows } = useTerminalSize();

  const errorLines = Math.min(loadErrors.length, MAX_ERROR_LINES) + (loadErrors.length > MAX_ERROR_LINES ? 1 : 0);
  // One line short of the terminal, so Ink never has to redraw the whole screen.
  const capacity = terminalRows - 1 - FIXED_LINES - errorLines;
  const { shown, hiddenAbove, hiddenBelow } = windowRows(pickerRows(visible), state.cursor, capacity);
  const nameWidth = Math.min(40, Math.max(10, ...state.ordered.map((scenario) => scenario.name.length)));
  const serviceWidth = Math.min(24, Math.max(7, ...state.ordered.map((scenario) => scenario.service.length)));
  const highlighted = visible[state.cursor];

  return (
    <Box flexDirection="column">
      <Text bold>
        Incident scenarios <Text dimColor>({visible.length === state.ordered.length ? state.ordered.length : `${visible.length} of ${state.ordered.length}`})</Text>
      </Text>
      {state.query !== null ? (
        <Text>
          <Text color={paint('cyan')}>/</Text> {state.query}
          <Text inverse> </Text>
          <Text dimColor>  Esc clears · Enter starts</Text>
        </Text>
      ) : (
        <Text dimColor>{canListen ? '/ filter · ↑↓ move · Enter start · q back' : 'keys need an interactive terminal'}</Text>
      )}
      <Text dimColor>{hiddenAbove > 0 ? `↑ ${hiddenAbove} more` : ' '}</Text>
      {scenarios.length === 0 ? <Text>No scenarios were found.</Text> : null}
      {scenarios.length > 0 && visible.length === 0 ? <Text>No scenario matches “{state.query}”.</Text> : null}
      {shown.map((row) =>
        row.kind === 'group' ? (
          <Text key={`group-${row.difficulty}`} bold underline>
            {DIFFICULTY_TITLES[row.difficulty]}
          </Text>
        ) : (
          <ScenarioRow key={row.scenario.id} scenario={row.scenario} highlighted={row.position === state.cursor} nameWidth={nameWidth} serviceWidth={serviceWidth} />
        ),
      )}
      <Text dimColor>{hiddenBelow > 0 ? `↓ ${hiddenBelow} more` : ' '}</Text>
      <Text dimColor wrap="truncate">
        {highlighted ? highlighted.description : ' '}
      </Text>
      {loadErrors.slice(0, MAX_ERROR_LINES).map((error, position) => (
        <Text key={`${position}-${error.file}`} dimColor wrap="truncate">
          skipped {error.message.startsWith(error.file) ? error.message : `${error.file}: ${error.message}`}
        </Text>
      ))}
      {loadErrors.length > MAX_ERROR_LINES ? <Text dimColor>and {loadErrors.length - MAX_ERROR_LINES} more files could not be loaded</Text> : null}
    </Box>
  );
}
