/**
 * Named figures (a verdict, a score, p99 before and during a fault): `label value` pairs laid out
 * in as many columns as fit, row by row. Each pair may carry a tone (good news, a warning).
 */
import { Box, Text } from 'ink';
import { toneColor, type Tone } from '../palette.js';
import type { PanelBudget, ShellPanel } from '../shell/ScreenShell.js';

export interface Figure {
  label: string;
  value: string | number | boolean;
  tone?: Tone;
}

const GAP = 3;

function text(value: Figure['value']): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** How many pairs go on a row at `columns`: every column as wide as the widest pair. */
export function figuresPerRow(figures: readonly Figure[], columns: number): { perRow: number; cell: number } {
  const cell = Math.max(1, ...figures.map((figure) => figure.label.length + 1 + text(figure.value).length)) + GAP;
  return { perRow: Math.max(1, Math.floor((columns + GAP) / cell)), cell };
}

export function Figures({ figures, rows, columns }: { figures: readonly Figure[] } & PanelBudget) {
  const { perRow, cell } = figuresPerRow(figures, columns);
  const lines: Figure[][] = [];
  for (let index = 0; index < figures.length && lines.length < rows; index += perRow) lines.push(figures.slice(index, index + perRow));
  return (
    <Box flexDirection="column">
      {lines.map((line, row) => (
        <Box key={row}>
          {line.map((figure) => (
            <Box key={figure.label} width={perRow > 1 ? cell : undefined} flexShrink={0}>
              <Text wrap="truncate">
                <Text dimColor>{figure.label} </Text>
                <Text bold color={figure.tone ? toneColor(figure.tone) : undefined}>
                  {text(figure.value)}
                </Text>
              </Text>
            </Box>
          ))}
        </Box>
      ))}
    </Box>
  );
}

/** One row per line of figures at the width the panel gets. */
export function figuresPanel(figures: readonly Figure[], { id = 'figures', title, priority = 1 }: { id?: string; title?: string; priority?: number } = {}): ShellPanel {
  return {
    id,
    title,
    min: Math.min(1, figures.length),
    want: (columns) => Math.ceil(figures.length / figuresPerRow(figures, columns).perRow),
    priority,
    render: (budget) => <Figures figures={figures} {...budget} />,
  };
}
