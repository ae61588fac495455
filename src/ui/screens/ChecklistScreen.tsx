/**
 * Before a chaos experiment (or a gameday): what it does, and the runbook's checklist, each item
 * ticked by the person at the keyboard. It starts only once every item is ticked and nothing
 * keeps it from running here.
 */
import { Text } from 'ink';
import { useState } from 'react';
import { Menu, type MenuItem } from '../components/Menu.js';
import { useKeys } from '../keys/use-keys.js';
import { noticesPanel } from '../panels/Notices.js';
import { riskColor } from '../palette.js';
import { ScreenShell } from '../shell/ScreenShell.js';

export interface ChecklistPlan {
  title: string;
  risk: 'low' | 'medium' | 'high';
  /** What it does, one line each (description, hypothesis, steps). */
  lines: string[];
  items: string[];
  /** Why it cannot run here: shown, and starting is refused. */
  problems: string[];
}

export function ChecklistScreen({ plan, onStart, onBack, isActive = true }: { plan: ChecklistPlan; onStart(): void; onBack(): void; isActive?: boolean }) {
  const [ticked, setTicked] = useState<readonly boolean[]>(() => plan.items.map(() => false));
  const ready = ticked.every(Boolean) && plan.problems.length === 0;
  useKeys(
    (input, key) => {
      if (input === 's' && ready) onStart();
      // With items, the Menu answers q / Esc itself.
      else if ((input === 'q' || key.escape) && plan.items.length === 0) onBack();
    },
    { isActive },
  );
  const items: MenuItem<number>[] = plan.items.map((item, index) => ({ label: `${ticked[index] ? '[x]' : '[ ]'} ${item}`, value: index }));
  const left = ticked.filter((value) => !value).length;
  return (
    <ScreenShell
      title={
        <>
          {plan.title} <Text color={riskColor(plan.risk)}>({plan.risk} risk)</Text>
        </>
      }
      caption={plan.problems.length > 0 ? 'It cannot run here (below).' : ready ? 'Every item is ticked: press s to start.' : `Tick every item before it starts (${left} left).`}
      captionTone={plan.problems.length > 0 ? 'bad' : ready ? 'good' : 'info'}
      panels={[
        {
          id: 'plan',
          min: Math.min(2, plan.lines.length),
          want: plan.lines.length,
          priority: 2,
          render: ({ rows }) => (
            <>
              {plan.lines.slice(0, rows).map((line, index) => (
                <Text key={index} wrap="truncate">
                  {line}
                </Text>
              ))}
            </>
          ),
        },
        {
          id: 'checklist',
          title: 'Checklist before',
          min: Math.min(3, Math.max(1, items.length)),
          want: Math.max(1, items.length),
          priority: 1,
          render: ({ rows, columns }) =>
            items.length === 0 ? (
              <Text dimColor>nothing to check for this one</Text>
            ) : (
              <Menu items={items} rows={rows} columns={columns} isActive={isActive} onSelect={(item) => setTicked((current) => current.map((value, index) => (index === item.value ? !value : value)))} onBack={onBack} />
            ),
        },
        noticesPanel(plan.problems.map((message) => ({ level: 'error' as const, message })), { priority: 0 }),
      ]}
      keys={[
        { key: '↑↓', label: 'move' },
        { key: 'Enter', label: 'tick' },
        ...(ready ? [{ key: 's', label: 'start' }] : []),
        { key: 'q / Esc', label: 'back' },
      ]}
    />
  );
}
