/**
 * A scenario's context (recent deployments, changes, dependencies, alerts...), one line per entry,
 * read as an on-call engineer would: "recent deployments: v2.3.1 (6 h ago): Added Redis
 * connection pooling; Refactored payment processing". Any shape is shown; nothing is interpreted.
 */
import type { ShellPanel } from '../shell/ScreenShell.js';
import { textPanel, type TextLine } from './TextLines.js';

function humanKey(key: string): string {
  return key.replaceAll('_', ' ');
}

function ago(minutes: number): string {
  if (minutes < 120) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h ago`;
  return `${Math.round(minutes / 1440)} days ago`;
}

const LEAD_KEYS = ['name', 'version', 'source', 'kind', 'subject', 'flag'];
const TEXT_KEYS = ['description', 'message', 'changes'];

/**
 * One value as a phrase; a record puts what names it first ("v2.3.1", "cert-manager"), then when
 * ("6 h ago"), then its text ("Added the transaction history feature"), then its other keys.
 */
export function describeValue(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return '-';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.map((item) => describeValue(item, depth + 1)).join(depth === 0 ? '; ' : ', ');
  if (depth > 3) return '…';
  const entries = Object.entries(value as Record<string, unknown>);
  const lead = entries.filter(([key]) => LEAD_KEYS.includes(key)).map(([, entry]) => describeValue(entry, depth + 1));
  const when = entries.filter(([key]) => key === 'minutes_ago').map(([, entry]) => (typeof entry === 'number' ? ago(entry) : String(entry)));
  const text = entries.filter(([key]) => TEXT_KEYS.includes(key)).map(([, entry]) => describeValue(entry, depth + 1));
  const rest = entries
    .filter(([key]) => ![...LEAD_KEYS, ...TEXT_KEYS, 'minutes_ago'].includes(key))
    .map(([key, entry]) => `${humanKey(key)} ${describeValue(entry, depth + 1)}`);
  const head = [...lead, ...(when.length > 0 ? [`(${when.join(', ')})`] : [])].join(' ');
  const body = [...text, ...rest].join(', ');
  return head && body ? `${head}: ${body}` : head || body;
}

export function contextLines(context: Record<string, unknown>): TextLine[] {
  return Object.entries(context).map(([key, value]) => ({ text: `${humanKey(key)}: ${describeValue(value)}`, indent: 2 }));
}

export function contextPanel(context: Record<string, unknown>, { priority = 3, title = 'Context' }: { priority?: number; title?: string } = {}): ShellPanel {
  return textPanel(contextLines(context), { id: 'context', title, priority, min: 2 });
}
