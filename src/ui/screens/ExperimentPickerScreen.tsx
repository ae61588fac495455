/**
 * The chaos experiments, grouped by risk as the runbook approves them (low, medium, high), and a
 * gameday at the top. Files that did not load are listed under the menu with their error.
 */
import { useEffect, useState } from 'react';
import { Menu, type MenuItem } from '../components/Menu.js';
import type { Experiment } from '../../experiments/schema.js';
import { noticesPanel } from '../panels/Notices.js';
import type { ExperimentServices } from '../services.js';
import { ScreenShell } from '../shell/ScreenShell.js';

export type ExperimentChoice = { kind: 'experiment'; experiment: Experiment } | { kind: 'gameday'; experiments: Experiment[] };

const RISK_ORDER = ['low', 'medium', 'high'] as const;
const RISK_LABEL = { low: 'low risk', medium: 'medium risk: resources', high: 'high risk: databases, full stack' } as const;

/** The gameday's pool: severity 1 to 3, low and medium risk (the checklist screen says so). */
export function gamedayPool(experiments: readonly Experiment[]): Experiment[] {
  return experiments.filter((experiment) => experiment.severity <= 3 && experiment.risk !== 'high');
}

export function pickerItems(experiments: readonly Experiment[]): MenuItem<ExperimentChoice | null>[] {
  const pool = gamedayPool(experiments);
  const items: MenuItem<ExperimentChoice | null>[] = [
    {
      label: 'Gameday',
      hint: `${pool.length} experiment(s) of severity 1-3 at random, one at a time, until you stop it`,
      value: { kind: 'gameday', experiments: pool },
      disabled: pool.length === 0,
    },
  ];
  for (const risk of RISK_ORDER) {
    const group = experiments.filter((experiment) => experiment.risk === risk);
    if (group.length === 0) continue;
    items.push({ label: `── ${RISK_LABEL[risk]}`, value: null, disabled: true });
    for (const experiment of group) {
      items.push({ label: experiment.id, hint: `severity ${experiment.severity} · ${experiment.title}`, value: { kind: 'experiment', experiment } });
    }
  }
  return items;
}

export function ExperimentPickerScreen({
  services,
  onPick,
  onBack,
  isActive = true,
}: {
  services: ExperimentServices;
  onPick(choice: ExperimentChoice): void;
  onBack(): void;
  isActive?: boolean;
}) {
  const [loaded, setLoaded] = useState<Awaited<ReturnType<ExperimentServices['load']>>>();
  useEffect(() => {
    let current = true;
    services.load().then(
      (result) => current && setLoaded(result),
      (error: unknown) => current && setLoaded({ experiments: [], errors: [{ file: 'experiments/', message: (error as Error).message }] }),
    );
    return () => {
      current = false;
    };
  }, [services]);
  const items = pickerItems(loaded?.experiments ?? []);
  return (
    <ScreenShell
      title="Chaos experiments"
      caption={loaded ? 'a steady state checked before, real faults, measured recovery, rollbacks always' : 'Reading the experiment files...'}
      panels={[
        {
          id: 'experiments',
          min: Math.min(3, items.length),
          want: items.length,
          render: ({ rows, columns }) => (
            <Menu items={items} rows={rows} columns={columns} isActive={isActive && loaded !== undefined} onSelect={(item) => item.value && onPick(item.value)} onBack={onBack} />
          ),
        },
        noticesPanel((loaded?.errors ?? []).map((error) => ({ level: 'error' as const, message: error.message }))),
      ]}
      keys={[
        { key: '↑↓', label: 'move' },
        { key: 'Enter', label: 'open the checklist' },
        { key: 'q / Esc', label: 'back' },
      ]}
    />
  );
}
