/**
 * The chaos experiments' screens in order: the picker, the checklist (with what keeps it from
 * running here), the live screen. Navigation stays a union of screen states (navigation.ts).
 */
import { Text } from 'ink';
import type { Experiment } from '../../experiments/schema.js';
import { useKeys } from '../keys/use-keys.js';
import type { ConsoleServices, ExperimentServices } from '../services.js';
import { ScreenShell } from '../shell/ScreenShell.js';
import type { Screen } from '../state/navigation.js';
import { ChecklistScreen, type ChecklistPlan } from './ChecklistScreen.js';
import { ExperimentPickerScreen, type ExperimentChoice } from './ExperimentPickerScreen.js';
import { ExperimentScreen, type ChaosRun } from './ExperimentScreen.js';

type FlowScreen = Extract<Screen, { name: 'experiments' | 'experiment-checklist' | 'experiment' }>;

/** The console's gameday: half an hour at most, 30 s to recover between experiments, stopped by s. */
export const CONSOLE_GAMEDAY = { durationMs: 30 * 60_000, intervalMs: 30_000, severity: { min: 1, max: 3 } };

const GAMEDAY_CHECKLIST = [
  'Nothing important runs on this machine for the next half hour',
  'Everyone near this machine knows a gameday is under way',
];

function describeStep(experiment: Experiment, index: number): string {
  const step = experiment.method[index]!;
  if (step.pause_seconds !== undefined) return `  ${index + 1}. pause ${step.pause_seconds} s`;
  const fault = step.fault!;
  return `  ${index + 1}. ${step.name ?? fault.kind}${step.duration_seconds !== undefined ? ` for ${step.duration_seconds} s` : ''} (${fault.kind})`;
}

export function checklistPlan(choice: ExperimentChoice, problems: string[]): ChecklistPlan {
  if (choice.kind === 'gameday') {
    const mostRisky = choice.experiments.some((experiment) => experiment.risk === 'medium') ? 'medium' : 'low';
    return {
      title: 'Chaos gameday',
      risk: mostRisky,
      lines: [
        `Experiments at random among ${choice.experiments.map((experiment) => experiment.id).join(', ')},`,
        `one at a time, ${CONSOLE_GAMEDAY.intervalMs / 1000} s apart for the system to recover, for ${CONSOLE_GAMEDAY.durationMs / 60_000} minutes or until you press s.`,
      ],
      items: [...GAMEDAY_CHECKLIST],
      problems,
    };
  }
  const { experiment } = choice;
  return {
    title: `${experiment.id}: ${experiment.title}`,
    risk: experiment.risk,
    lines: [
      experiment.description.trim().replace(/\s+/g, ' '),
      `Hypothesis: ${experiment.steady_state.title} (checked for ${experiment.steady_state.baseline_seconds} s before; back within ${experiment.recovery.within_seconds} s of each fault's start)`,
      'Method:',
      ...experiment.method.map((_, index) => describeStep(experiment, index)),
    ],
    items: [...experiment.checklist.before],
    problems,
  };
}

export function ExperimentsFlow({ services, screen, setScreen, onHome }: { services: ConsoleServices; screen: FlowScreen; setScreen(screen: Screen): void; onHome(): void }) {
  const experiments = services.experiments;
  if (!experiments) return <Unavailable onBack={onHome} />;
  switch (screen.name) {
    case 'experiments':
      return <ExperimentPickerScreen services={experiments} onPick={(choice) => void openChecklist(experiments, choice, setScreen)} onBack={onHome} />;
    case 'experiment-checklist':
      return (
        <ChecklistScreen
          plan={checklistPlan(screen.choice, screen.problems)}
          onStart={() => setScreen({ name: 'experiment', choice: screen.choice, key: Date.now() })}
          onBack={() => setScreen({ name: 'experiments' })}
        />
      );
    case 'experiment':
      return <ExperimentScreen key={screen.key} run={chaosRun(experiments, screen.choice)} samples={services.samples} onBack={() => setScreen({ name: 'experiments' })} />;
  }
}

async function openChecklist(services: ExperimentServices, choice: ExperimentChoice, setScreen: (screen: Screen) => void): Promise<void> {
  let problems: string[];
  if (choice.kind === 'experiment') {
    problems = await services.problems(choice.experiment).catch((error: Error) => [error.message]);
  } else {
    // A gameday leaves out what cannot run here rather than refusing the whole day.
    const checks = await Promise.all(choice.experiments.map(async (experiment) => ((await services.problems(experiment).catch(() => ['?'])).length === 0 ? experiment : null)));
    const runnable = checks.filter((experiment): experiment is Experiment => experiment !== null);
    choice = { kind: 'gameday', experiments: runnable };
    problems = runnable.length === 0 ? ['no experiment of the gameday can run here'] : [];
  }
  setScreen({ name: 'experiment-checklist', choice, problems });
}

function chaosRun(services: ExperimentServices, choice: ExperimentChoice): ChaosRun {
  if (choice.kind === 'gameday') {
    return {
      kind: 'gameday',
      title: 'gameday',
      after: ['Every experiment of the gameday ended with its rollbacks (the timeline says so)', 'Write down what did not recover, and why'],
      events: (signal) => services.gameday({ experiments: choice.experiments, ...CONSOLE_GAMEDAY }, signal),
    };
  }
  return { kind: 'experiment', title: choice.experiment.id, after: [...choice.experiment.checklist.after], events: (signal) => services.run(choice.experiment, signal) };
}

function Unavailable({ onBack }: { onBack(): void }) {
  useKeys((input, key) => {
    if (input === 'q' || key.escape) onBack();
  });
  return <ScreenShell title="Chaos experiments" caption="Chaos experiments are not available in this console." captionTone="warn" panels={[{ id: 'none', render: () => <Text dimColor>Use firedrill experiment run.</Text> }]} keys={[{ key: 'q / Esc', label: 'back' }]} />;
}
