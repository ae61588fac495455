import { Box, Text } from 'ink';
import SelectInput from 'ink-select-input';
import { MenuItem } from '../components/MenuItem.js';

export type HomeChoice = 'drills' | 'scenarios' | 'history' | 'quit';

const ITEMS: { label: string; value: HomeChoice }[] = [
  { label: 'Local event drills    load this machine for real and measure the effect', value: 'drills' },
  { label: 'Incident scenarios    inject metrics, open an incident, stream root-cause hypotheses', value: 'scenarios' },
  { label: 'History               every run on this machine, failures, machines side by side', value: 'history' },
  { label: 'Quit', value: 'quit' },
];

export function HomeScreen({ machine, onChoose, isActive = true }: { machine: string; onChoose(choice: HomeChoice): void; isActive?: boolean }) {
  return (
    <Box flexDirection="column">
      <Box marginBottom={1}>
        <Text wrap="truncate-end">
          <Text bold color="red">
            firedrill
          </Text>
          <Text dimColor> · incident fire drills on {machine}</Text>
        </Text>
      </Box>
      <SelectInput items={ITEMS} itemComponent={MenuItem} isFocused={isActive} onSelect={(item) => onChoose(item.value)} />
      <Box marginTop={1}>
        <Text dimColor>↑↓ move · Enter choose · q quit · Ctrl-C quit from anywhere</Text>
      </Box>
    </Box>
  );
}
