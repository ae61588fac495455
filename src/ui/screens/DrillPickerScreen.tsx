import { Box, Text, useInput } from 'ink';
import SelectInput from 'ink-select-input';
import { MenuItem } from '../components/MenuItem.js';
import { DRILL_NAMES, type DrillName } from '../../drills/types.js';
import type { DrillInfo } from '../services.js';

const RUN_ALL = 'all' as const;

/** The five drills, each with its one-line description, and "run all". */
export function DrillPickerScreen({
  drills,
  onPick,
  onBack,
  isActive = true,
}: {
  drills: DrillInfo[];
  onPick(drills: DrillName[]): void;
  onBack(): void;
  isActive?: boolean;
}) {
  useInput(
    (input, key) => {
      if (input === 'q' || key.escape) onBack();
    },
    { isActive },
  );
  const items = [
    { label: `${'Run all five'.padEnd(18)}one after the other, waiting only until the machine settles`, value: RUN_ALL as DrillName | typeof RUN_ALL },
    ...drills.map((drill) => ({
      label: `${drill.name.padEnd(18)}${drill.description}${drill.riskWarning ? '  (asks first)' : ''}`,
      value: drill.name as DrillName | typeof RUN_ALL,
    })),
  ];
  return (
    <Box flexDirection="column">
      <Box marginBottom={1}>
        <Text wrap="truncate-end">
          <Text bold>Local event drills</Text>
          <Text dimColor> · each really loads this machine, measures the effect, and cleans up</Text>
        </Text>
      </Box>
      <SelectInput
        items={items}
        itemComponent={MenuItem}
        isFocused={isActive}
        onSelect={(item) => onPick(item.value === RUN_ALL ? drills.map((drill) => drill.name).sort(byDrillOrder) : [item.value])}
      />
      <Box marginTop={1}>
        <Text dimColor>↑↓ move · Enter run · q / Esc back</Text>
      </Box>
    </Box>
  );
}

function byDrillOrder(a: DrillName, b: DrillName): number {
  return DRILL_NAMES.indexOf(a) - DRILL_NAMES.indexOf(b);
}
