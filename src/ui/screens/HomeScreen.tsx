/**
 * The home menu: one entry per mode. A new mode adds one line to HOME_ENTRIES (and its screen to
 * navigation.ts and App.tsx); `go` is where the entry leads.
 */
import { Text } from 'ink';
import { Menu, type MenuItem } from '../components/Menu.js';
import { ScreenShell } from '../shell/ScreenShell.js';
import type { Screen } from '../state/navigation.js';

export type HomeChoice = Screen | { name: 'quit' };

export const HOME_ENTRIES: readonly MenuItem<HomeChoice>[] = [
  { label: 'Local event drills', hint: 'load this machine for real and measure the effect', value: { name: 'drills' } },
  { label: 'Incident scenarios', hint: 'inject metrics, open an incident, stream root-cause hypotheses', value: { name: 'scenarios' } },
  { label: 'History', hint: 'every run on this machine, failures, machines side by side', value: { name: 'history' } },
  { label: 'Training', hint: 'the trainee ladder: diagnose incidents stage by stage, scored', value: { name: 'training' } },
  { label: 'Chaos experiments', hint: 'steady state, real faults, measured recovery, rollbacks; gamedays', value: { name: 'experiments' } },
  { label: 'Presenter demos', hint: 'narratives that drive real drills and incidents on stage, with speaker notes', value: { name: 'narratives' } },
  { label: 'Workloads', hint: 'hundreds of real, named processes: patterns, churn, chaos, per-process metrics', value: { name: 'workloads' } },
  { label: 'Quit', value: { name: 'quit' } },
];

export function HomeScreen({ machine, onChoose, isActive = true }: { machine: string; onChoose(choice: HomeChoice): void; isActive?: boolean }) {
  return (
    <ScreenShell
      title={
        <>
          <Text color="red">firedrill</Text>
          <Text dimColor> · incident fire drills on {machine}</Text>
        </>
      }
      panels={[
        {
          id: 'menu',
          min: Math.min(3, HOME_ENTRIES.length),
          want: HOME_ENTRIES.length,
          render: ({ rows, columns }) => (
            <Menu items={HOME_ENTRIES} rows={rows} columns={columns} isActive={isActive} onSelect={(item) => onChoose(item.value)} onBack={() => onChoose({ name: 'quit' })} />
          ),
        },
      ]}
      keys={[
        { key: '↑↓', label: 'move' },
        { key: 'Enter', label: 'choose' },
        { key: 'q', label: 'quit' },
        { key: 'Ctrl-C', label: 'quit from anywhere' },
      ]}
    />
  );
}
