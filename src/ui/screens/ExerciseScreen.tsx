/**
 * One exercise: the incident unfolds (injected metrics, the context, the timeline) with the
 * analysis hidden; the open stage's question is a list to pick from (digits pick at once, h takes
 * a hint). Once the four answers are in: the score, each answer beside the right one with its
 * time, the scenario's explanation, and the analyzer's hypotheses and actions as they stream.
 *
 * The next question shows as soon as an answer is picked, from the exercise's sheet, without
 * waiting for the engine's event: a burst of keys ("1", "3", "2", "1") answers four stages, each
 * key against the question it was typed for.
 */
import { Text } from 'ink';
import { useEffect, useState } from 'react';
import type { ExerciseController } from '../../training/exercise.js';
import { formatDuration } from '../../format.js';
import { STAGE_TITLES, type StageQuestion } from '../../training/types.js';
import { Menu } from '../components/Menu.js';
import { useEngine } from '../hooks/use-engine.js';
import { useKeys } from '../keys/use-keys.js';
import type { SystemSample } from '../../drills/types.js';
import { useSamples } from '../hooks/use-samples.js';
import {
  actionsPanel,
  contextPanel,
  figuresPanel,
  gaugesPanel,
  hypothesesPanel,
  injectedMetricsPanel,
  noticesPanel,
  processTablePanel,
  stageAnswersPanel,
  textPanel,
  type ProcessRow,
} from '../panels/index.js';
import { severityColor } from '../palette.js';
import type { ConsoleServices, SampleFeed } from '../services.js';
import type { ShellPanel } from '../shell/ScreenShell.js';
import { ScreenShell } from '../shell/ScreenShell.js';
import { exerciseReducer, exerciseTimeline, initialExerciseView, type ExerciseView } from '../training/exercise-state.js';

export interface ExerciseScreenProps {
  services: ConsoleServices;
  exerciseId: string;
  onRetry(): void;
  onBack(): void;
}

export function ExerciseScreen({ services, exerciseId, onRetry, onBack }: ExerciseScreenProps) {
  const [controller, setController] = useState<ExerciseController>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const training = services.training;
    if (!training) return setError('training is not available in this console');
    let current = true;
    training.startExercise(exerciseId, training.trainee).then(
      (started) => current && setController(started),
      (failure: unknown) => current && setError(failure instanceof Error ? failure.message : String(failure)),
    );
    return () => {
      current = false;
    };
  }, [services, exerciseId]);
  // Keys typed while it is prepared wait for the exercise (the KeyRouter holds them); only a failure listens here.
  useKeys((input, key) => (input === 'q' || key.escape) && onBack(), { isActive: !controller && error !== undefined });
  if (!controller) {
    return (
      <ScreenShell
        title="Exercise"
        caption={error ?? 'preparing the exercise…'}
        captionTone={error ? 'bad' : 'info'}
        panels={[]}
        keys={[{ key: 'q/Esc', label: 'back to the ladder' }]}
      />
    );
  }
  return <ExerciseRun controller={controller} samples={services.samples} onRetry={onRetry} onBack={onBack} />;
}

function ExerciseRun({ controller, samples: feed, onRetry, onBack }: { controller: ExerciseController; samples: SampleFeed; onRetry(): void; onBack(): void }) {
  const { state, stop } = useEngine((signal) => controller.events(signal), exerciseReducer, initialExerciseView);
  const samples = useSamples(feed);
  const live = controller.sheet.kind === 'live';
  const [order, setOrder] = useState<'cpu' | 'memory'>('cpu');
  // Answers given from this screen, ahead of the engine's events (see the comment at the top).
  const [answered, setAnswered] = useState(0);
  const answering = state.phase === 'starting' || state.phase === 'answering';
  const question = answering ? currentQuestion(controller, state, answered) : undefined;
  useKeys((input, key) => {
    if (input === 'q' || key.escape) {
      // Leaving before the last answer abandons the attempt (it is not kept); after it, the debrief stops streaming.
      stop();
      onBack();
    } else if (input === 'h' && question) controller.hint();
    else if (input === 'r' && state.attempt) onRetry();
    else if (input === 'o' && live) setOrder((current) => (current === 'cpu' ? 'memory' : 'cpu'));
  });
  const pick = (candidateId: string) => {
    controller.answer(candidateId);
    setAnswered((count) => count + 1);
  };

  const panels = state.attempt
    ? debriefPanels(state)
    : live
      ? livePanels(state, question, pick, answered, samples, order)
      : answerPanels(state, question, pick, answered);
  return (
    <ScreenShell
      title={
        <>
          Exercise<Text dimColor> · </Text>
          <Text bold={false}>{state.debrief?.title ?? state.service}</Text>
          <Text dimColor> · </Text>
          <Text color={severityColor(state.incident.severity)}>{state.incident.severity}</Text>
          <Text dimColor> · </Text>
          <Text bold={false}>{state.level}</Text>
        </>
      }
      status={<Status state={state} answered={answered} total={controller.sheet.questions.length} />}
      caption={caption(state, question)}
      captionTone={state.phase === 'failed' ? 'bad' : state.attempt ? (state.attempt.passed ? 'good' : 'warn') : 'info'}
      panels={panels}
      timeline={{ entries: exerciseTimeline(state), priority: 9 }}
      keys={
        state.attempt
          ? [
              { key: 'r', label: 'try again' },
              { key: 'q/Esc', label: 'back to the ladder' },
            ]
          : [
              { key: '1-9/↑↓ Enter', label: 'answer' },
              { key: 'h', label: `hint (-${state.hintCost} each)` },
              ...(live ? [{ key: 'o', label: `processes by ${order === 'cpu' ? 'memory' : 'CPU'}` }] : []),
              { key: 'q/Esc', label: 'abandon' },
            ]
      }
    />
  );
}

function Status({ state, answered, total }: { state: ExerciseView; answered: number; total: number }) {
  if (state.attempt) return <Text dimColor>score {state.attempt.score}</Text>;
  return (
    <Text dimColor>
      stage {Math.min(answered + 1, total)}/{total} · t+{Math.round(state.incident.elapsedSeconds)}s · par {state.parSeconds} s
    </Text>
  );
}

/**
 * The question on screen: a scenario's comes from its sheet as soon as the previous one is answered;
 * a live exercise's is made when its stage opens (its candidates are what the machine shows then).
 */
function currentQuestion(controller: ExerciseController, state: ExerciseView, answered: number): StageQuestion | undefined {
  if (controller.sheet.kind === 'scenario') return controller.sheet.questions[answered];
  const open = state.stage;
  if (!open || open.index !== answered) return undefined;
  return { stage: open.stage, question: open.question, candidates: open.candidates, answers: [], why: '' };
}

function caption(state: ExerciseView, question: StageQuestion | undefined): string {
  if (state.phase === 'failed') return `the exercise failed: ${state.error ?? 'unknown error'}`;
  if (state.phase === 'stopped') return 'abandoned: this attempt is not kept';
  if (state.kind === 'live' && !state.attempt && !question) {
    return state.answers.length === 0 ? 'a fault is about to start on this machine: watch the gauges and the processes' : 'firedrill is checking your mitigation…';
  }
  if (state.attempt) {
    const { score, passed } = state.attempt;
    return `score ${score}: ${passed ? 'passed' : 'not passed yet'} · ${formatDuration(state.attempt.durationMs)} against a par of ${state.attempt.parSeconds} s`;
  }
  if (!question) return 'scoring…';
  return `${STAGE_TITLES[question.stage]}: ${question.question}`;
}

function answerPanels(state: ExerciseView, question: StageQuestion | undefined, pick: (id: string) => void, answered: number): (ShellPanel | null)[] {
  const hints = state.stage && question && state.stage.stage === question.stage ? state.hints : [];
  return [
    question ? answerListPanel(question, pick, answered) : null,
    hints.length > 0 ? textPanel(hints.map((hint) => ({ text: `hint: ${hint.text}`, tone: 'warn' as const, indent: 6 })), { id: 'hints', priority: 1, min: hints.length }) : null,
    injectedMetricsPanel(state.incident.metrics, { priority: 2 }),
    noticesPanel(state.incident.notices, { priority: 2 }),
    contextPanel(state.context, { priority: 4 }),
  ];
}

function livePanels(
  state: ExerciseView,
  question: StageQuestion | undefined,
  pick: (id: string) => void,
  answered: number,
  samples: readonly SystemSample[],
  order: 'cpu' | 'memory',
): (ShellPanel | null)[] {
  const hints = state.stage && question && state.stage.stage === question.stage ? state.hints : [];
  const rows: ProcessRow[] = [...state.processes]
    .sort((a, b) => (order === 'cpu' ? (b.cpuPercent ?? -1) - (a.cpuPercent ?? -1) : b.rssBytes - a.rssBytes))
    .map(({ pid, name, cpuPercent, rssBytes, state: processState }) => ({ pid, name, cpuPercent, rssBytes, tag: processState }));
  return [
    question ? answerListPanel(question, pick, answered) : null,
    hints.length > 0 ? textPanel(hints.map((hint) => ({ text: `hint: ${hint.text}`, tone: 'warn' as const, indent: 6 })), { id: 'hints', priority: 1, min: hints.length }) : null,
    noticesPanel(state.incident.notices, { priority: 2 }),
    gaugesPanel(samples, { variant: 'full', priority: 2 }),
    processTablePanel(rows, { sortedBy: order === 'cpu' ? 'CPU' : 'memory', tagTitle: 'STATE', priority: 3 }),
  ];
}

function answerListPanel(question: StageQuestion, pick: (id: string) => void, answered: number): ShellPanel {
  const items = question.candidates.map((candidate, index) => ({
    value: candidate.id,
    label: `${index + 1}  ${candidate.label}`,
    ...(candidate.detail ? { hint: candidate.detail } : {}),
    ...(index < 9 ? { shortcut: String(index + 1) } : {}),
  }));
  return {
    id: 'answers',
    title: `Your answer (1-${items.length}, or ↑↓ and Enter)`,
    min: Math.min(3, items.length),
    want: items.length,
    priority: 0,
    // A new list per stage: the cursor starts at the top of each question.
    render: ({ rows, columns }) => <Menu key={answered} items={items} rows={rows} columns={columns} onSelect={(item) => pick(item.value)} />,
  };
}

function debriefPanels(state: ExerciseView): (ShellPanel | null)[] {
  const attempt = state.attempt!;
  const debrief = state.debrief!;
  return [
    figuresPanel(
      [
        { label: 'score', value: attempt.score, tone: attempt.passed ? 'good' : 'warn' },
        ...attempt.parts.map((part) => ({ label: part.label, value: `${part.points > 0 ? '+' : ''}${part.points}`, tone: part.points < 0 ? ('bad' as const) : undefined })),
      ],
      { id: 'score', title: 'Score', priority: 0 },
    ),
    stageAnswersPanel(
      debrief.stages.map((stage) => ({
        title: STAGE_TITLES[stage.stage],
        answer: stage.answer.label,
        correct: stage.answer.correct,
        note: `${formatDuration(stage.answer.elapsedMs)}${stage.answer.hintsUsed > 0 ? ` · ${stage.answer.hintsUsed} hint${stage.answer.hintsUsed === 1 ? '' : 's'}` : ''}`,
        right: stage.right.join(' or '),
        why: stage.why,
      })),
      { priority: 1 },
    ),
    textPanel([{ text: debrief.explanation }], { id: 'explanation', title: 'What to look at', priority: 2, min: 2 }),
    noticesPanel(state.incident.notices, { priority: 2 }),
    hypothesesPanel(state.incident, { priority: 3 }),
    actionsPanel(state.incident.actions, { analysisFinished: state.incident.analysisFinished, priority: 4 }),
  ];
}
