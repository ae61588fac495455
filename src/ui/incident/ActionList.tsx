import { Box, Text } from 'ink';
import type { RecommendedAction } from '../../incidents/types.js';
import { paint, riskColor } from './palette.js';

/** Recommended actions with their risk; nothing here runs an action, approval is a person's call. */
export function ActionList({ actions, limit, analysisFinished }: { actions: readonly RecommendedAction[]; limit: number; analysisFinished: boolean }) {
  const shown = actions.slice(0, limit);
  return (
    <Box flexDirection="column">
      <Text bold>
        Recommended actions
        {actions.length === 0 ? <Text dimColor> {analysisFinished ? '(none)' : '(waiting)'}</Text> : null}
        {actions.length > shown.length ? <Text dimColor> ({actions.length - shown.length} more not shown)</Text> : null}
      </Text>
      {shown.map((action, position) => (
        <Text key={`${position}-${action.type}-${action.target}`} wrap="truncate">
          {'  '}
          <Text bold>{action.type}</Text> → {action.target}
          {'  '}risk <Text color={riskColor(action.riskLevel)}>{action.riskLevel}</Text>
          {action.requiresApproval ? (
            <Text color={paint('yellow')} bold>
              {'  '}needs approval
            </Text>
          ) : null}
          <Text dimColor>
            {'  '}
            {action.blastRadius ? `blast radius: ${action.blastRadius}` : ''}
          </Text>
        </Text>
      ))}
    </Box>
  );
}
