import { Text } from 'ink';
import { useEffect, useState } from 'react';
import type { WorkloadProfile } from '../../workloads/types.js';
import { Menu, type MenuItem } from '../components/Menu.js';
import { noticesPanel } from '../panels/Notices.js';
import type { WorkloadServices } from '../services.js';
import { ScreenShell } from '../shell/ScreenShell.js';

/** The workload profiles (workloads/*.yaml): Enter starts one at its own size, q goes back. */
export function WorkloadPickerScreen({ workloads, onPick, onBack, isActive = true }: { workloads: WorkloadServices | undefined; onPick(profile: WorkloadProfile): void; onBack(): void; isActive?: boolean }) {
  const [loaded, setLoaded] = useState<Awaited<ReturnType<WorkloadServices['profiles']>> | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    let mounted = true;
    if (!workloads) {
      setFailure('this console cannot run workloads');
      return;
    }
    workloads.profiles().then(
      (result) => mounted && setLoaded(result),
      (error: unknown) => mounted && setFailure((error as Error).message),
    );
    return () => {
      mounted = false;
    };
  }, [workloads]);

  const items: MenuItem<WorkloadProfile | null>[] = (loaded?.profiles ?? []).map((profile) => ({
    value: profile,
    label: profile.title,
    hint: `${profile.processes} processes · ${profile.description}`,
  }));
  const errors = [...(loaded?.errors ?? []).map((error) => error.message), ...(failure ? [failure] : [])];
  return (
    <ScreenShell
      title="firedrill · process workloads"
      caption={loaded || failure ? 'Real processes under real names, with CPU and memory patterns, churn and chaos; all ended when you leave.' : 'Reading the workload profiles...'}
      panels={[
        {
          id: 'profiles',
          min: Math.min(3, Math.max(1, items.length)),
          want: Math.max(1, items.length),
          render: ({ rows, columns }) =>
            loaded && items.length === 0 ? (
              <Text>No workload profile could be loaded.</Text>
            ) : (
              <Menu items={items} rows={rows} columns={columns} isActive={isActive} onSelect={(item) => item.value && onPick(item.value)} onBack={onBack} />
            ),
        },
        errors.length > 0 ? noticesPanel(errors.map((message) => ({ level: 'warn' as const, message }))) : null,
      ]}
      keys={[
        { key: '↑↓', label: 'move' },
        { key: 'Enter', label: 'start it' },
        { key: 'q / Esc', label: 'back' },
      ]}
    />
  );
}
