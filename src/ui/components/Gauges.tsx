import { Box, Text } from 'ink';
import type { SystemSample } from '../../drills/types.js';
import { formatBytes } from '../format.js';
import { Bar } from './Bar.js';
import { Sparkline } from './Sparkline.js';

const BAR_WIDTH = 20;
/** Columns taken by everything but the sparkline. */
const FIXED_WIDTH = 5 + BAR_WIDTH + 8 + 24;

function colorFor(percent: number): string {
  if (percent >= 90) return 'red';
  if (percent >= 75) return 'yellow';
  return 'green';
}

function Gauge({ label, percent, detail, history, sparkWidth }: { label: string; percent: number; detail: string; history: number[]; sparkWidth: number }) {
  const color = colorFor(percent);
  return (
    <Box>
      <Box width={5} flexShrink={0}>
        <Text bold>{label}</Text>
      </Box>
      <Bar fraction={percent / 100} width={BAR_WIDTH} color={color} />
      <Box width={8} flexShrink={0} justifyContent="flex-end">
        <Text color={color}>{percent.toFixed(1)} %</Text>
      </Box>
      <Box width={24} flexShrink={0} paddingLeft={1}>
        <Text dimColor>{detail}</Text>
      </Box>
      <Sparkline values={history} width={sparkWidth} min={0} max={100} color={color} />
    </Box>
  );
}

/** CPU, memory and disk: a bar, the percent, and the last 60 s as a sparkline. */
export function Gauges({ samples, columns = 120 }: { samples: SystemSample[]; columns?: number }) {
  const latest = samples.at(-1);
  // One sample a second: up to the last 60 s, as much as the terminal has room for.
  const sparkWidth = Math.max(0, Math.min(60, columns - FIXED_WIDTH - 1));
  if (!latest) {
    return <Text dimColor>Reading CPU, memory and disk...</Text>;
  }
  return (
    <Box flexDirection="column">
      <Gauge label="CPU" percent={latest.cpuPercent} detail={`${latest.processCount} processes`} history={samples.map((s) => s.cpuPercent)} sparkWidth={sparkWidth} />
      <Gauge
        label="MEM"
        percent={latest.memPercent}
        detail={`${formatBytes(latest.memUsedBytes)} / ${formatBytes(latest.memTotalBytes)}`}
        history={samples.map((s) => s.memPercent)}
        sparkWidth={sparkWidth}
      />
      <Gauge
        label="DISK"
        percent={latest.diskPercent}
        detail={`${formatBytes(latest.diskUsedBytes)} / ${formatBytes(latest.diskTotalBytes)}`}
        history={samples.map((s) => s.diskPercent)}
        sparkWidth={sparkWidth}
      />
    </Box>
  );
}
