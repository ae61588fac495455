/**
 * Lines of text, word-wrapped to the panel's width and clipped to its rows: a scenario's context,
 * a debrief's explanation, a hint. Each line may carry a tone or be dimmed; `wrapText` is the pure
 * part (tested without Ink). A panel that is not worth its space when cut may ask for all its rows.
 * `paragraphs(text)` makes lines of prose with line breaks (speaker notes); a `pre` line (a table's
 * row) is cut at the width rather than wrapped.
 */
import { Text } from 'ink';
import { toneColor, type Tone } from '../palette.js';
import type { ShellPanel } from '../shell/ScreenShell.js';

export interface TextLine {
  text: string;
  tone?: Tone;
  dim?: boolean;
  /** Continuation rows start this many columns in (a label's width). */
  indent?: number;
  bold?: boolean;
  /** Kept as it is (a table's row), cut at the width rather than wrapped. */
  pre?: boolean;
}

/** Splits `text` into rows of at most `width` columns at spaces (a longer word is cut). */
export function wrapText(text: string, width: number, indent = 0): string[] {
  const room = Math.max(1, width);
  const rows: string[] = [];
  let row = '';
  for (const word of text.split(/\s+/).filter((entry) => entry.length > 0)) {
    const prefix = rows.length > 0 && row === '' ? ' '.repeat(Math.min(indent, room - 1)) : '';
    const candidate = row === '' ? `${prefix}${word}` : `${row} ${word}`;
    if (candidate.length <= room) {
      row = candidate;
      continue;
    }
    if (row !== '') rows.push(row);
    const start = ' '.repeat(Math.min(indent, room - 1));
    row = `${start}${word}`.slice(0, room);
  }
  if (row !== '' || rows.length === 0) rows.push(row);
  return rows;
}

/** One line per paragraph of `text` (none for ''), each with `style`. */
export function paragraphs(text: string, style: Omit<TextLine, 'text'> = {}): TextLine[] {
  return text === '' ? [] : text.replace(/\r/g, '').split('\n').map((line) => ({ ...style, text: line }));
}

export function wrapLines(lines: readonly TextLine[], width: number): TextLine[] {
  return lines.flatMap((line) => line.pre ? [line] : wrapText(line.text, width, line.indent).map((text) => ({ ...line, text })));
}

export function TextLines({ lines, rows, columns }: { lines: readonly TextLine[]; rows: number; columns: number }) {
  const shown = wrapLines(lines, columns).slice(0, Math.max(0, rows));
  return (
    <>
      {shown.map((line, index) => (
        <Text key={index} wrap="truncate" bold={line.bold} dimColor={line.dim} color={line.tone ? toneColor(line.tone) : undefined}>
          {line.text}
        </Text>
      ))}
    </>
  );
}

export function textPanel(
  lines: readonly TextLine[],
  { id = 'text', title, priority = 5, min = 1 }: { id?: string; title?: string; priority?: number; min?: number } = {},
): ShellPanel {
  return {
    id,
    title,
    min: Math.min(min, lines.length),
    want: (columns) => wrapLines(lines, columns).length,
    priority,
    render: (budget) => <TextLines lines={lines} {...budget} />,
  };
}
