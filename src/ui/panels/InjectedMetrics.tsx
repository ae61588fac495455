/**
 * The metrics an incident injects (or a live incident reads): a line each with the current value
 * against its baseline, the distance in standard deviations as a number and a bar, and the recent
 * values as a sparkline. Shows as many as its rows allow; the title says how many are not shown.
 */
import { Box, Text } from 'ink';
import { Bar } from '../components/Bar.js';
import { Sparkline } from '../components/Sparkline.js';
import { formatMetricValue, formatSigma } from '../incident/format-metric.js';
import type { MetricView } from '../incident/incident-state.js';
import { sigmaColor } from '../palette.js';
import type { PanelBudget, ShellPanel } from '../shell/ScreenShell.js';

/** The sigma bar is full at this many standard deviations. */
const FULL_SCALE_SIGMA = 6;
const VALUE_WIDTH = 10;
const BASELINE_WIDTH = 15;
const SIGMA_WIDTH = 7;
const BAR_WIDTH = 6;

/** From baseline to where the scenario goes, so the sparkline shows how far along the metric is. */
function sparklineRange(metric: MetricView): { min: number; max: number } {
  const bounds = [metric.baseline, ...(metric.target === undefined ? [] : [metric.target]), ...metric.history];
  return { min: Math.min(...bounds), max: Math.max(...bounds) };
}

export function InjectedMetrics({ metrics, rows, columns }: { metrics: readonly MetricView[] } & PanelBudget) {
  const sparkWidth = columns >= 100 ? 16 : 10;
  const fixed = 2 + VALUE_WIDTH + BASELINE_WIDTH + SIGMA_WIDTH + BAR_WIDTH + 1 + sparkWidth + 1;
  const nameWidth = Math.max(12, Math.min(36, columns - fixed));
  const shown = metrics.slice(0, rows);
  return (
    <Box flexDirection="column">
      {shown.map((metric) => (
        <Box key={metric.name}>
          <Box width={2 + nameWidth} flexShrink={0} paddingLeft={2}>
            <Text wrap="truncate-middle">{metric.name}</Text>
          </Box>
          <Box width={VALUE_WIDTH} flexShrink={0} justifyContent="flex-end">
            <Text bold>{metric.current === undefined ? '…' : formatMetricValue(metric.current, metric.unit)}</Text>
          </Box>
          <Box width={BASELINE_WIDTH} flexShrink={0} paddingLeft={1}>
            <Text dimColor wrap="truncate">
              base {formatMetricValue(metric.baseline, metric.unit)}
            </Text>
          </Box>
          <Box width={SIGMA_WIDTH} flexShrink={0} justifyContent="flex-end" paddingRight={1}>
            <Text color={sigmaColor(metric.sigma)}>{metric.current === undefined ? '' : formatSigma(metric.sigma)}</Text>
          </Box>
          <Box width={BAR_WIDTH + 1} flexShrink={0}>
            <Bar fraction={Math.abs(metric.sigma ?? 0) / FULL_SCALE_SIGMA} width={BAR_WIDTH} color={sigmaColor(metric.sigma)} />
          </Box>
          <Sparkline values={metric.history} width={sparkWidth} {...sparklineRange(metric)} />
        </Box>
      ))}
    </Box>
  );
}

/** Up to `cap` metrics (8 by default: more is a wall of numbers), the title counting the rest. */
export function injectedMetricsPanel(metrics: readonly MetricView[], { priority = 1, cap = 8 }: { priority?: number; cap?: number } = {}): ShellPanel {
  return {
    id: 'metrics',
    title: ({ rows }) => (
      <>
        Metrics{metrics.length > rows ? <Text dimColor> ({metrics.length - rows} more not shown)</Text> : null}
      </>
    ),
    priority,
    asks: [{ rows: Math.min(metrics.length, cap), priority }],
    render: (budget) => <InjectedMetrics metrics={metrics} {...budget} />,
  };
}
