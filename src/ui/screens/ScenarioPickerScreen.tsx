import { Box, Text } from 'ink';
import { ScreenShell, type ShellPanel } from '../shell/ScreenShell.js';
import type { Difficulty, Scenario } from '../../incidents/types.js';
import { severityColor, paint } from '../palette.js';
import { pickerRows, windowRows } from '../incident/picker-state.js';
import { useScenarioPicker } from '../incident/use-scenario-picker.js';

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
  const { state, visible } = useScenarioPicker(scenarios, { onPick, onBack, isActive, initialScenarioId });
  const nameWidth = Math.min(40, Math.max(10, ...state.ordered.map((scenario) => scenario.name.length)));
  const serviceWidth = Math.min(24, Math.max(7, ...state.ordered.map((scenario) => scenario.service.length)));
  const highlighted = visible[state.cursor];
  const rows = pickerRows(visible);
  const errorLines = Math.min(loadErrors.length, MAX_ERROR_LINES) + (loadErrors.length > MAX_ERROR_LINES ? 1 : 0);
  const count = visible.length === state.ordered.length ? `${state.ordered.length}` : `${visible.length} of ${state.ordered.length}`;

  const list: ShellPanel = {
    id: 'scenarios',
    // The two "more" lines stay, blank or not, so that the list does not jump as it scrolls.
    min: 4,
    want: rows.length + 2,
    render: ({ rows: room }) => {
      const { shown, hiddenAbove, hiddenBelow } = windowRows(rows, state.cursor, room - 2);
      return (
        <>
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
        </>
      );
    },
  };
  const description: ShellPanel = {
    id: 'description',
    min: 1,
    priority: 1,
    render: () => (
      <Text dimColor wrap="truncate">
        {highlighted ? highlighted.description : ' '}
      </Text>
    ),
  };
  const errors: ShellPanel = {
    id: 'errors',
    min: errorLines,
    priority: 2,
    render: () => (
      <>
        {loadErrors.slice(0, MAX_ERROR_LINES).map((error, position) => (
          <Text key={`${position}-${error.file}`} dimColor wrap="truncate">
            skipped {error.message.startsWith(error.file) ? error.message : `${error.file}: ${error.message}`}
          </Text>
        ))}
        {loadErrors.length > MAX_ERROR_LINES ? <Text dimColor>and {loadErrors.length - MAX_ERROR_LINES} more files could not be loaded</Text> : null}
      </>
    ),
  };

  return (
    <ScreenShell
      title={
        <>
          Incident scenarios <Text dimColor>({count})</Text>
        </>
      }
      caption={
        state.query !== null ? (
          <>
            <Text color={paint('cyan')}>/</Text> <Text bold={false}>{state.query}</Text>
            <Text inverse> </Text>
          </>
        ) : undefined
      }
      panels={[list, description, loadErrors.length > 0 ? errors : null]}
      keys={
        state.query !== null
          ? [
              { key: 'Esc', label: 'clears' },
              { key: 'Enter', label: 'starts' },
            ]
          : [
              { key: '/', label: 'filter' },
              { key: '↑↓', label: 'move' },
              { key: 'Enter', label: 'start' },
              { key: 'q', label: 'back' },
            ]
      }
    />
  );
}
