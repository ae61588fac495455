/**
 * What a person should know and the engine could not act on (the LLM is down, a retry, a
 * fallback, history could not be saved): the last few, marked by level. No title; takes no rows
 * when there is nothing to say.
 */
import { Text } from 'ink';
import { paint } from '../palette.js';
import type { ShellPanel } from '../shell/ScreenShell.js';

export interface NoticeItem {
  level: 'info' | 'warn' | 'error';
  message: string;
}

const LEVELS: Record<NoticeItem['level'], { mark: string; color: string }> = {
  info: { mark: 'ℹ', color: 'cyan' },
  warn: { mark: '⚠', color: 'yellow' },
  error: { mark: '✖', color: 'red' },
};

export function Notices({ notices, rows }: { notices: readonly NoticeItem[]; rows: number }) {
  const shown = rows > 0 ? notices.slice(-rows) : [];
  return (
    <>
      {shown.map((notice, position) => (
        <Text key={`${notices.length - shown.length + position}`} color={paint(LEVELS[notice.level].color)} wrap="truncate">
          {LEVELS[notice.level].mark} {notice.level}: {notice.message}
        </Text>
      ))}
    </>
  );
}

export function noticesPanel(notices: readonly NoticeItem[], { priority = 2, max = 3 }: { priority?: number; max?: number } = {}): ShellPanel {
  return {
    id: 'notices',
    priority,
    asks: [{ rows: Math.min(notices.length, max), priority }],
    render: ({ rows }) => <Notices notices={notices} rows={rows} />,
  };
}
