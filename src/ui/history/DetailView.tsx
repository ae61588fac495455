import { Box, Text } from 'ink';
import type { DetailLine, LineTone } from './browser-state.js';

const COLORS: Record<LineTone, string | undefined> = { title: undefined, ok: 'green', bad: 'red', dim: undefined, plain: undefined };

/** A run's or an incident's lines, scrolled to `scroll`, `height` lines at a time. */
export function DetailView({ lines, scroll, height }: { lines: DetailLine[]; scroll: number; height: number }) {
  const shown = lines.slice(scroll, scroll + height);
  return (
    <Box flexDirection="column">
      {shown.map((line, index) => (
        <Text key={scroll + index} bold={line.tone === 'title'} dimColor={line.tone === 'dim'} color={COLORS[line.tone]} wrap="truncate-end">
          {line.text}
        </Text>
      ))}
      {lines.length > height ? <Text dimColor>{`lines ${scroll + 1}-${scroll + shown.length} of ${lines.length}`}</Text> : null}
    </Box>
  );
}
