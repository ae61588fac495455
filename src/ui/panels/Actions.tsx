/**
 * Recommended actions with their risk, whether they need approval and their blast radius.
 * Nothing here runs an action: approval is a person's call.
 */
import { Text } from 'ink';
import type { RecommendedAction } from '../../incidents/types.js';
import { paint, riskColor } from '../palette.js';
import type { ShellPanel } from '../shell/ScreenShell.js';

const MAX_SHOWN = 3;

export function Actions({ actions, rows }: { actions: readonly RecommendedAction[]; rows: number }) {
  return (
    <>
      {actions.slice(0, rows).map((action, position) => (
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
    </>
  );
}

export function actionsPanel(actions: readonly RecommendedAction[], { analysisFinished, priority = 4 }: { analysisFinished: boolean; priority?: number }): ShellPanel {
  return {
    id: 'actions',
    title: ({ rows }) => (
      <>
        Recommended actions
        {actions.length === 0 ? <Text dimColor> {analysisFinished ? '(none)' : '(waiting)'}</Text> : null}
        {actions.length > rows ? <Text dimColor> ({actions.length - rows} more not shown)</Text> : null}
      </>
    ),
    priority,
    asks: [{ rows: Math.min(actions.length, MAX_SHOWN), priority }],
    render: ({ rows }) => <Actions actions={actions} rows={rows} />,
  };
}
