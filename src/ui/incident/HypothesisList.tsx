import { Box, Text } from 'ink';
import type { Hypothesis } from '../../incidents/types.js';
import { Bar } from '../components/Bar.js';
import { formatPercent } from './format-metric.js';
import type { StreamingHypothesis } from './incident-state.js';
import { confidenceColor, paint } from './palette.js';

function topEvidence(hypothesis: Hypothesis) {
  return [...hypothesis.evidence].sort((a, b) => b.relevance - a.relevance)[0];
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
  showEvidence,
  analysisFinished,
}: {
  hypotheses: readonly Hypothesis[];
  streaming: readonly StreamingHypothesis[];
  limit: number;
  streamingLimit: number;
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
        const evidence = topEvidence(hypothesis);
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
                {evidence ? `${evidence.signal}: ${oneLine(evidence.observation)}` : 'no evidence given'}
              </Text>
            ) : null}
          </Box>
        );
      })}
      {streaming.slice(0, streamingLimit).map((entry) => (
        <Box key={`streaming-${entry.index}`}>
          <Box flexShrink={0}>
            <Text color={paint('cyan')}>{'  '}writing #{entry.index + 1}: </Text>
          </Box>
          <Text wrap="truncate-start">{oneLine(entry.text)}</Text>
        </Box>
      ))}
    </Box>
  );
}
