import { Box, Text } from 'ink';
import { Bar } from '../components/Bar.js';
import { Sparkline } from '../components/Sparkline.js';
import { formatMetricValue, formatSigma } from './format-metric.js';
import type { MetricView } from './incident-state.js';
import { sigmaColor } from './palette.js';

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

/** One line per metric: current value against its baseline, distance in sigmas, recent values. */
export function MetricPanel({ metrics, columns, limit }: { metrics: readonly MetricView[]; columns: number; limit: number }) {
  const sparkWidth = columns >= 100 ? 16 : 10;
  const fixed = 2 + VALUE_WIDTH + BASELINE_WIDTH + SIGMA_WIDTH + BAR_WIDTH + 1 + sparkWidth + 1;
  const nameWidth = Math.max(12, Math.min(36, columns - fixed));
  const shown = metrics.slice(0, limit);
  return (
    <Box flexDirection="column">
      <Text bold>
        Metrics{metrics.length > shown.length ? <Text dimColor> ({metrics.length - shown.length} more not shown)</Text> : null}
      </Text>
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
