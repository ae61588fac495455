/**
 * Answers stage by stage, right or wrong, beside the right ones (a training debrief; an agent's
 * scorecard): two rows a stage, "✓ Detection  memory_usage_bytes  12.3 s" and, under it, what
 * was right and why. Stages not answered yet show as open.
 */
import { Text } from 'ink';
import { paint } from '../palette.js';
import type { ShellPanel } from '../shell/ScreenShell.js';

export interface StageAnswerRow {
  title: string;
  /** What was answered; null while open or when nothing was said. */
  answer: string | null;
  correct: boolean | null;
  /** "12.3 s", "1 hint". */
  note?: string;
  right?: string;
  why?: string;
}

export function StageAnswers({ stages, rows }: { stages: readonly StageAnswerRow[]; rows: number }) {
  const detailed = rows >= stages.length * 2;
  return (
    <>
      {stages.slice(0, rows).flatMap((stage) => {
        const mark = stage.correct === null ? '·' : stage.correct ? '✓' : '✗';
        const color = stage.correct === null ? undefined : paint(stage.correct ? 'green' : 'red');
        const head = (
          <Text key={`${stage.title}-answer`} wrap="truncate">
            <Text color={color}>{mark} </Text>
            <Text bold>{stage.title.padEnd(13)}</Text>
            {stage.answer ?? <Text dimColor>{stage.correct === null ? 'open' : 'no answer'}</Text>}
            {stage.note ? <Text dimColor>  {stage.note}</Text> : null}
          </Text>
        );
        if (!detailed || (stage.right === undefined && stage.why === undefined)) return [head];
        return [
          head,
          <Text key={`${stage.title}-right`} wrap="truncate" dimColor>
            {'  '}
            {stage.correct ? '' : `right: ${stage.right ?? '-'} · `}
            {stage.why ?? ''}
          </Text>,
        ];
      })}
    </>
  );
}

export function stageAnswersPanel(stages: readonly StageAnswerRow[], { title = 'Your answers', priority = 1 }: { title?: string; priority?: number } = {}): ShellPanel {
  return {
    id: 'stage-answers',
    title,
    min: stages.length,
    want: stages.length * 2,
    priority,
    render: ({ rows }) => <StageAnswers stages={stages} rows={rows} />,
  };
}
