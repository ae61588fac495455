import { Menu, type MenuItem } from '../components/Menu.js';
import { DRILL_NAMES, type DrillName } from '../../drills/types.js';
import type { DrillInfo } from '../services.js';
import { ScreenShell } from '../shell/ScreenShell.js';

/** The five drills, each with its one-line description, and "run all". */
export function DrillPickerScreen({ drills, onPick, onBack, isActive = true }: { drills: DrillInfo[]; onPick(drills: DrillName[]): void; onBack(): void; isActive?: boolean }) {
  const all = drills.map((drill) => drill.name).sort(byDrillOrder);
  const items: MenuItem<DrillName[]>[] = [
    { label: 'Run all five', hint: 'one after the other, waiting only until the machine settles', value: all },
    ...drills.map((drill) => ({ label: drill.name, hint: `${drill.description}${drill.riskWarning ? '  (asks first)' : ''}`, value: [drill.name] })),
  ];
  return (
    <ScreenShell
      title="Local event drills"
      caption="each really loads this machine, measures the effect, and cleans up"
      panels={[
        {
          id: 'drills',
          min: Math.min(3, items.length),
          want: items.length,
          render: ({ rows, columns }) => <Menu items={items} rows={rows} columns={columns} isActive={isActive} onSelect={(item) => onPick(item.value)} onBack={onBack} />,
        },
      ]}
      keys={[
        { key: '↑↓', label: 'move' },
        { key: 'Enter', label: 'run' },
        { key: 'q / Esc', label: 'back' },
      ]}
    />
  );
}

function byDrillOrder(a: DrillName, b: DrillName): number {
  return DRILL_NAMES.indexOf(a) - DRILL_NAMES.indexOf(b);
}
