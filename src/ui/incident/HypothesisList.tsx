import { Box, Text } from 'ink';
import type { Hypothesis } from '../../incidents/types.js';
import { Bar } from '../components/Bar.js';
import { formatPercent } from './format-metric.js';
import type { StreamingHypothesis } from './incident-state.js';
import { confidenceColor, paint } from './palette.js';
import { tailLines } from './text-tail.js';

/** The most relevant evidence, named by its signal unless the observation already names it. */
function topEvidenceLine(hypothesis: Hypothesis): string {
  const top = [...hypothesis.evidence].sort((a, b) => b.relevance - a.relevance)[0];
  if (!top) return 'no evidence given';
  const observation = oneLine(top.observation);
  return observation.startsWith(top.signal) ? observation : `${top.signal}: ${observation}`;
}

/** Model text can hold newlines: one line per hypothesis keeps the live region's height known. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Completed hypotheses ranked by confidence, then the ones still being written, whose text grows
 * as it streams (the tail stays in view).
 */
export function HypothesisList({
  hypotheses,
  streaming,
  limit,
  streamingLimit,
  streamingLines,
  columns,
  showEvidence,
  analysisFinished,
}: {
  hypotheses: readonly Hypothesis[];
  streaming: readonly StreamingHypothesis[];
  limit: number;
  streamingLimit: number;
  streamingLines: number;
  columns: number;
  showEvidence: boolean;
  analysisFinished: boolean;
}) {
  const shown = hypotheses.slice(0, limit);
  const waiting = hypotheses.length === 0 && streaming.length === 0;
  return (
    <Box flexDirection="column">
      <Text bold>
        Hypotheses
        {hypotheses.length > shown.length ? <Text dimColor> ({hypotheses.length - shown.length} more not shown)</Text> : null}
        {waiting ? <Text dimColor> {analysisFinished ? '(none)' : '(waiting)'}</Text> : null}
      </Text>
      {shown.map((hypothesis, rank) => {
        return (
          <Box key={`${rank}-${hypothesis.category}-${hypothesis.description}`} flexDirection="column">
            <Box>
              <Box flexShrink={0}>
                <Text>
                  {'  '}
                  {rank + 1}. <Bar fraction={hypothesis.confidence} width={10} color={confidenceColor(hypothesis.confidence)} />{' '}
                  <Text bold>{formatPercent(hypothesis.confidence).padStart(4)}</Text> <Text color={paint('magenta')}>{hypothesis.category}</Text>{' '}
                </Text>
              </Box>
              <Text wrap="truncate">{oneLine(hypothesis.description)}</Text>
            </Box>
            {showEvidence ? (
              <Text dimColor wrap="truncate">
                {'       '}
                {topEvidenceLine(hypothesis)}
              </Text>
            ) : null}
          </Box>
        );
      })}
      {streaming.slice(0, streamingLimit).map((entry) => {
        const prefix = `  writing #${entry.index + 1}: `;
        const lines = tailLines(entry.text, columns - prefix.length - 1, streamingLines);
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
