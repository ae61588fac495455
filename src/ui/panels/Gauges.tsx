/**
 * This machine's CPU, memory and disk, from the console's sample feed (one sample a second).
 * Full (3 rows): label, bar, percent, detail, and the last minute as a sparkline, as wide as the
 * budget allows. Compact (1 row): the three side by side, bar and percent. Given fewer than 3
 * rows, the full gauges fall back to the compact line.
 */
import { Box, Text } from 'ink';
import type { SystemSample } from '../../drills/types.js';
import { Bar } from '../components/Bar.js';
import { Sparkline } from '../components/Sparkline.js';
import { formatBytes, formatPercent } from '../../format.js';
import { gaugeColor } from '../palette.js';
import type { PanelBudget, ShellPanel } from '../shell/ScreenShell.js';

const BAR_WIDTH = 20;
const LABEL_WIDTH = 5;
const PERCENT_WIDTH = 8;
const DETAIL_WIDTH = 24;
/** Columns taken by everything but the sparkline. */
const FIXED_WIDTH = LABEL_WIDTH + BAR_WIDTH + PERCENT_WIDTH + DETAIL_WIDTH;

interface Reading {
  label: string;
  percent: number;
  detail: string;
  history: number[];
}

function readings(samples: readonly SystemSample[]): Reading[] | undefined {
  const latest = samples.at(-1);
  if (!latest) return undefined;
  return [
    { label: 'CPU', percent: latest.cpuPercent, detail: `${latest.processCount} processes`, history: samples.map((s) => s.cpuPercent) },
    { label: 'MEM', percent: latest.memPercent, detail: `${formatBytes(latest.memUsedBytes)} / ${formatBytes(latest.memTotalBytes)}`, history: samples.map((s) => s.memPercent) },
    { label: 'DISK', percent: latest.diskPercent, detail: `${formatBytes(latest.diskUsedBytes)} / ${formatBytes(latest.diskTotalBytes)}`, history: samples.map((s) => s.diskPercent) },
  ];
}

const WAITING = <Text dimColor>Reading CPU, memory and disk...</Text>;

function FullGauge({ reading, sparkWidth }: { reading: Reading; sparkWidth: number }) {
  const color = gaugeColor(reading.percent);
  return (
    <Box>
      <Box width={LABEL_WIDTH} flexShrink={0}>
        <Text bold>{reading.label}</Text>
      </Box>
      <Bar fraction={reading.percent / 100} width={BAR_WIDTH} color={color} />
      <Box width={PERCENT_WIDTH} flexShrink={0} justifyContent="flex-end">
        <Text color={color}>{formatPercent(reading.percent)}</Text>
      </Box>
      <Box width={DETAIL_WIDTH} flexShrink={0} paddingLeft={1}>
        <Text dimColor wrap="truncate">
          {reading.detail}
        </Text>
      </Box>
      {sparkWidth > 0 ? <Sparkline values={reading.history} width={sparkWidth} min={0} max={100} color={color} /> : null}
    </Box>
  );
}

/** CPU, memory and disk on three rows: a bar, the percent, a detail, the last 60 s. */
export function FullGauges({ samples, columns }: { samples: readonly SystemSample[]; columns: number }) {
  const shown = readings(samples);
  if (!shown) return WAITING;
  // One sample a second: up to the last 60 s, as much as the budget has room for.
  const sparkWidth = Math.max(0, Math.min(60, columns - FIXED_WIDTH - 1));
  return (
    <Box flexDirection="column">
      {shown.map((reading) => (
        <FullGauge key={reading.label} reading={reading} sparkWidth={sparkWidth} />
      ))}
    </Box>
  );
}

/** CPU, memory and disk on one row: `CPU ████░░ 45.0 %  MEM …  DISK …`. */
export function CompactGauges({ samples, columns }: { samples: readonly SystemSample[]; columns: number }) {
  const shown = readings(samples);
  if (!shown) return WAITING;
  const each = Math.floor((columns - 4) / 3);
  // Label, a space, the bar, the percent ("100.0 %"): the bar gets what is left, up to 10.
  const barWidth = Math.max(0, Math.min(10, each - 5 - 8));
  return (
    <Box columnGap={2}>
      {shown.map((reading) => {
        const color = gaugeColor(reading.percent);
        return (
          <Box key={reading.label} flexShrink={0}>
            <Text>
              <Text bold>{reading.label.padEnd(5)}</Text>
              {barWidth > 0 ? <Bar fraction={reading.percent / 100} width={barWidth} color={color} /> : null}
              <Text color={color}>{formatPercent(reading.percent).padStart(8)}</Text>
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}

/** Full gauges when the budget has 3 rows, the compact line otherwise. */
export function Gauges({ samples, rows, columns }: { samples: readonly SystemSample[] } & PanelBudget) {
  return rows >= 3 ? <FullGauges samples={samples} columns={columns} /> : <CompactGauges samples={samples} columns={columns} />;
}

/**
 * The gauges as a shell panel. `full` asks for 3 rows and falls back to the compact line when
 * only 1 is left; `compact` asks for 1.
 */
export function gaugesPanel(samples: readonly SystemSample[], { variant = 'full', priority = 0 }: { variant?: 'full' | 'compact'; priority?: number } = {}): ShellPanel {
  return {
    id: 'gauges',
    min: 1,
    want: variant === 'full' ? 3 : 1,
    priority,
    render: (budget) => <Gauges samples={samples} {...budget} />,
  };
}
