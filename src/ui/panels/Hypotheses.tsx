/**
 * Root-cause hypotheses as they stream in: the completed ones ranked by confidence (bar, percent,
 * category, description; a second line with the top evidence when there is room), then the ones
 * still being written, whose text grows in place with its newest words in view.
 *
 * Its rows go, in order: to the hypotheses being written (one line each, two at most), to the
 * completed ones (three at most), to their evidence (all or none), then up to two more lines for
 * each one being written. `hypothesesPanel` asks for rows in steps, so that a screen can put
 * another panel between the leading hypothesis and the others (see its priorities).
 */
import { Box, Text } from 'ink';
import type { Hypothesis } from '../../incidents/types.js';
import { Bar } from '../components/Bar.js';
import { formatConfidence } from '../incident/format-metric.js';
import type { StreamingHypothesis } from '../incident/incident-state.js';
import { tailLines } from '../incident/text-tail.js';
import { confidenceColor, paint } from '../palette.js';
import type { PanelBudget, ShellPanel } from '../shell/ScreenShell.js';

const MAX_SHOWN = 3;
const MAX_STREAMING = 2;
const MAX_EXTRA_STREAMING_LINES = 2;

/** The most relevant evidence, named by its signal unless the observation already names it. */
function topEvidenceLine(hypothesis: Hypothesis): string {
  const top = [...hypothesis.evidence].sort((a, b) => b.relevance - a.relevance)[0];
  if (!top) return 'no evidence given';
  const observation = oneLine(top.observation);
  return observation.startsWith(top.signal) ? observation : `${top.signal}: ${observation}`;
}

/** Model text can hold newlines: one line per hypothesis keeps the panel's height known. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export interface HypothesesLayout {
  hypotheses: number;
  evidence: boolean;
  streaming: number;
  streamingLines: number;
}

/** How `rows` are used for this many completed and streaming hypotheses. */
export function hypothesesLayout(rows: number, counts: { hypotheses: number; streaming: number }): HypothesesLayout {
  let free = Math.max(0, rows);
  const streaming = Math.min(counts.streaming, MAX_STREAMING, free);
  free -= streaming;
  const hypotheses = Math.min(counts.hypotheses, MAX_SHOWN, free);
  free -= hypotheses;
  const evidence = hypotheses > 0 && free >= hypotheses;
  if (evidence) free -= hypotheses;
  // Text being written reads better over a few lines than as a one-line ticker.
  const extra = streaming > 0 ? Math.min(MAX_EXTRA_STREAMING_LINES, Math.floor(free / streaming)) : 0;
  return { hypotheses, evidence, streaming, streamingLines: 1 + extra };
}

export interface HypothesesProps {
  hypotheses: readonly Hypothesis[];
  streaming: readonly StreamingHypothesis[];
}

export function Hypotheses({ hypotheses, streaming, rows, columns }: HypothesesProps & PanelBudget) {
  const layout = hypothesesLayout(rows, { hypotheses: hypotheses.length, streaming: streaming.length });
  return (
    <Box flexDirection="column">
      {hypotheses.slice(0, layout.hypotheses).map((hypothesis, rank) => (
        <Box key={`${rank}-${hypothesis.category}-${hypothesis.description}`} flexDirection="column">
          <Box>
            <Box flexShrink={0}>
              <Text>
                {'  '}
                {rank + 1}. <Bar fraction={hypothesis.confidence} width={10} color={confidenceColor(hypothesis.confidence)} />{' '}
                <Text bold>{formatConfidence(hypothesis.confidence).padStart(4)}</Text> <Text color={paint('magenta')}>{hypothesis.category}</Text>{' '}
              </Text>
            </Box>
            <Text wrap="truncate">{oneLine(hypothesis.description)}</Text>
          </Box>
          {layout.evidence ? (
            <Text dimColor wrap="truncate">
              {'       '}
              {topEvidenceLine(hypothesis)}
            </Text>
          ) : null}
        </Box>
      ))}
      {streaming.slice(0, layout.streaming).map((entry) => {
        const prefix = `  writing #${entry.index + 1}: `;
        const lines = tailLines(entry.text, columns - prefix.length - 1, layout.streamingLines);
        return (
          <Box key={`streaming-${entry.index}`} flexDirection="column">
            {lines.map((line, position) => (
              <Text key={position} wrap="truncate">
                <Text color={paint('cyan')}>{position === 0 ? prefix : ' '.repeat(prefix.length)}</Text>
                {line}
              </Text>
            ))}
          </Box>
        );
      })}
    </Box>
  );
}

/**
 * Asks, from `priority`: the hypotheses being written and the leading one; at priority + 2 the
 * other two; at + 3 their evidence; at + 4 more lines for text being written. A screen can put
 * a panel at priority + 1 (the incident screen's actions) to come before the other hypotheses.
 */
export function hypothesesPanel(
  {
    hypotheses,
    streaming,
    analysisFinished,
    waiting: waitingFor,
  }: HypothesesProps & {
    analysisFinished: boolean;
    /** What the analyzer waits for, and how long it has: "waiting for the LLM at … to answer: 7 s …". */
    waiting?: string | undefined;
  },
  { priority = 3 }: { priority?: number } = {},
): ShellPanel {
  const wanted = Math.min(hypotheses.length, MAX_SHOWN);
  const writing = Math.min(streaming.length, MAX_STREAMING);
  const waiting = hypotheses.length === 0 && streaming.length === 0;
  return {
    id: 'hypotheses',
    title: ({ rows }) => {
      const shown = hypothesesLayout(rows, { hypotheses: hypotheses.length, streaming: streaming.length }).hypotheses;
      return (
        <>
          Hypotheses
          {hypotheses.length > shown ? <Text dimColor> ({hypotheses.length - shown} more not shown)</Text> : null}
          {waitingFor ? <Text dimColor> ({waitingFor})</Text> : waiting ? <Text dimColor> {analysisFinished ? '(none)' : '(waiting)'}</Text> : null}
        </>
      );
    },
    priority,
    asks: [
      { rows: writing + Math.min(wanted, 1), priority },
      { rows: Math.max(0, wanted - 1), priority: priority + 2 },
      { rows: wanted, priority: priority + 3, whole: true },
      { rows: writing * MAX_EXTRA_STREAMING_LINES, priority: priority + 4, step: Math.max(1, writing) },
    ],
    render: (budget) => <Hypotheses hypotheses={hypotheses} streaming={streaming} {...budget} />,
  };
}
