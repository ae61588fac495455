/**
 * A record as lines of text with a tone each (title, good, bad, quiet, plain): what the console's
 * history browser shows and the history command prints, from one description.
 */
import { figureLabel, formatFigure } from '../format.js';
import type { SessionRecord } from './sessions.js';

export type LineTone = 'title' | 'ok' | 'bad' | 'dim' | 'plain';
export interface DetailLine {
  text: string;
  tone: LineTone;
}

/** At most this many lines of a session's detail JSON (the rest is one line saying how many more). */
const MAX_DETAIL_JSON_LINES = 400;

/** A session as lines: what ran and how it ended, its summary, its figures in their units, then its detail. */
export function sessionDetailLines(record: SessionRecord): DetailLine[] {
  const outcome = record.verdict === undefined ? record.status : `${record.verdict} (${record.status})`;
  const lines: DetailLine[] = [
    { text: `${record.title}: ${record.kind} ${record.subject} on ${record.machine}, ${outcome}`, tone: 'title' },
    { text: `started ${record.startedAt}, finished ${record.finishedAt}`, tone: 'dim' },
    { text: record.summary, tone: record.status === 'failed' ? 'bad' : 'plain' },
  ];
  const figures = Object.entries(record.figures);
  if (figures.length > 0) {
    lines.push({ text: 'figures:', tone: 'title' });
    const width = Math.max(...figures.map(([name]) => figureLabel(name).length));
    for (const [name, value] of figures) lines.push({ text: `  ${figureLabel(name).padEnd(width)}  ${formatFigure(name, value)}`, tone: 'plain' });
  }
  if (record.detail !== null && !(typeof record.detail === 'object' && Object.keys(record.detail).length === 0)) {
    lines.push({ text: 'detail:', tone: 'title' });
    const json = JSON.stringify(record.detail, null, 2).split('\n');
    for (const line of json.slice(0, MAX_DETAIL_JSON_LINES)) lines.push({ text: `  ${line}`, tone: 'dim' });
    if (json.length > MAX_DETAIL_JSON_LINES) lines.push({ text: `  … ${json.length - MAX_DETAIL_JSON_LINES} more lines (firedrill history --session ID --json)`, tone: 'dim' });
  }
  return lines;
}
