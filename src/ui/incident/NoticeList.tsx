import { Box, Text } from 'ink';
import type { Notice } from './incident-state.js';
import { paint } from './palette.js';

const LEVELS: Record<Notice['level'], { mark: string; color: string }> = {
  info: { mark: 'ℹ', color: 'cyan' },
  warn: { mark: '⚠', color: 'yellow' },
  error: { mark: '✖', color: 'red' },
};

/** What the analysis wants a person to know (LLM down, retrying, fell back): the last `limit`. */
export function NoticeList({ notices, limit }: { notices: readonly Notice[]; limit: number }) {
  const shown = limit > 0 ? notices.slice(-limit) : [];
  return (
    <Box flexDirection="column">
      {shown.map((notice, position) => (
        <Text key={`${notices.length - shown.length + position}`} color={paint(LEVELS[notice.level].color)} wrap="truncate">
          {LEVELS[notice.level].mark} {notice.level}: {notice.message}
        </Text>
      ))}
    </Box>
  );
}
