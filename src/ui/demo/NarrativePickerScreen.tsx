/**
 * The presenter demos' picker: one line per narrative (title, scenes, minutes, what it needs);
 * Enter presents the highlighted one, `r` switches between presenting and rehearsing (simulated
 * load, labelled REHEARSAL). Files that did not load are listed under it, one line each.
 */
import { Text } from 'ink';
import { useEffect, useState } from 'react';
import type { Narrative } from '../../narratives/schema.js';
import { requiresSummary } from '../../narratives/text.js';
import { Menu, type MenuItem } from '../components/Menu.js';
import { useKeys } from '../keys/use-keys.js';
import { noticesPanel } from '../panels/index.js';
import type { ConsoleServices } from '../services.js';
import { ScreenShell } from '../shell/ScreenShell.js';

type Loaded = Awaited<ReturnType<NonNullable<ConsoleServices['demos']>['loadNarratives']>>;

export function NarrativePickerScreen({
  services,
  onPick,
  onBack,
  initialNarrativeId,
  isActive = true,
}: {
  services: ConsoleServices;
  onPick(narrative: Narrative, rehearse: boolean): void;
  onBack(): void;
  initialNarrativeId?: string;
  isActive?: boolean;
}) {
  const [loaded, setLoaded] = useState<Loaded>();
  const [rehearse, setRehearse] = useState(false);
  useEffect(() => {
    let current = true;
    if (!services.demos) setLoaded({ narratives: [], errors: [{ file: 'narratives/', message: 'presenter demos are not available in this console' }] });
    else
      services.demos.loadNarratives().then(
        (result) => current && setLoaded(result),
        (error: unknown) => current && setLoaded({ narratives: [], errors: [{ file: 'narratives/', message: (error as Error).message }] }),
      );
    return () => {
      current = false;
    };
  }, [services]);
  useKeys(
    (input, key) => {
      if (input === 'r') setRehearse((value) => !value);
      // The menu handles q/Esc; without narratives there is no menu.
      else if (loaded && loaded.narratives.length === 0 && (input === 'q' || key.escape)) onBack();
    },
    { isActive },
  );
  const narratives = loaded?.narratives ?? [];
  const items: MenuItem<Narrative>[] = narratives.map((narrative) => ({
    value: narrative,
    label: narrative.title,
    // What it cannot do without; the optional services are in --list and --check.
    hint: [`${narrative.scenes.length} scenes`, `${narrative.planned_minutes} min`, ...requiresSummary(narrative).filter((need) => !need.endsWith('(optional)'))].join(' · '),
  }));
  const initialIndex = Math.max(0, narratives.findIndex((narrative) => narrative.id === initialNarrativeId));
  return (
    <ScreenShell
      title="Presenter demos"
      status={rehearse ? <Text color="yellow">REHEARSAL: simulated load</Text> : <Text dimColor>present for real</Text>}
      caption={loaded ? (narratives.length === 0 ? 'No narratives were found.' : 'Pick a narrative: its scenes drive real drills and incidents on this machine.') : 'Loading the narratives…'}
      panels={[
        {
          id: 'narratives',
          min: Math.min(3, Math.max(1, items.length)),
          want: Math.max(1, items.length),
          render: ({ rows, columns }) =>
            items.length > 0 ? (
              <Menu key={narratives.length} items={items} rows={rows} columns={columns} maxLabelWidth={Math.max(28, columns - 30)} isActive={isActive} initialIndex={initialIndex} onSelect={(item) => onPick(item.value, rehearse)} onBack={onBack} />
            ) : (
              <Text dimColor>{loaded ? 'none' : '…'}</Text>
            ),
        },
        noticesPanel((loaded?.errors ?? []).map((error) => ({ level: 'warn' as const, message: error.message })), { priority: 2, max: 3 }),
      ]}
      keys={[
        { key: '↑↓', label: 'move' },
        { key: 'Enter', label: rehearse ? 'rehearse' : 'present' },
        { key: 'r', label: rehearse ? 'present for real' : 'rehearse instead' },
        { key: 'q/Esc', label: 'back' },
      ]}
    />
  );
}
