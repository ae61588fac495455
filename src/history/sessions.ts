/**
 * A session: one demo, chaos experiment, gameday or workload as history keeps it. The new modes
 * share this one record (rather than a table each): what ran, on which machine, when, how it ended,
 * a one-line summary, a flat map of figures to compare over time, and a bounded JSON detail the
 * mode can read back (its journal, its timeline).
 *
 * Every record passes `sessionSchema` before a store writes it, so that a bad record fails where it
 * is made, naming the field, rather than in SQLite or Neo4j. `prepareSession` first fits what can
 * be fitted (text cut to its bound, a detail above DETAIL_LIMIT_BYTES replaced by a note) and says so.
 */
import { z } from 'zod';
import { formatBytes } from '../format.js';
import { sanitizeLine } from '../text/sanitize.js';

export const SESSION_KINDS = ['demo', 'experiment', 'gameday', 'workload'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

export const SESSION_STATUSES = ['completed', 'stopped', 'failed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export type FigureValue = number | string | boolean;

/** JSON as it comes back from JSON.parse. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface SessionRecord {
  /** Unique across every machine (a UUID, or the mode's own run id). */
  id: string;
  kind: SessionKind;
  machine: string;
  /** What ran: the narrative id, the experiment id, the gameday's file, the workload profile. */
  subject: string;
  /** A title for lists: "Memory leak in checkout (demo)". */
  title: string;
  startedAt: string;
  finishedAt: string;
  /** How the session ended: ran to its end, stopped by the user, or failed to run. */
  status: SessionStatus;
  /** The mode's own verdict when it has one ("passed", "deviated", "inconclusive"...). */
  verdict?: string;
  /** One line for lists. */
  summary: string;
  /** Flat figures, named so that `formatFigure` reads their unit: `timeToDetectMs`, `peakRssBytes`, `errorPercent`. */
  figures: Record<string, FigureValue>;
  /** The mode's own record of the session (JSON, at most DETAIL_LIMIT_BYTES once serialised). */
  detail: JsonValue;
}

/** A session without its detail: what lists show. */
export type SessionSummary = Omit<SessionRecord, 'detail'>;

export interface SessionQuery {
  kind?: SessionKind;
  machine?: string;
  limit: number;
  offset?: number;
}

export const DETAIL_LIMIT_BYTES = 256 * 1024;
export const MAX_FIGURES = 64;
const TEXT_LIMITS = { subject: 200, title: 200, summary: 300, verdict: 64, figure: 200 } as const;

// Nothing that could move the terminal's cursor or reorder the text when a list prints it.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const oneLine = (max: number) => {
  const expected = `one line of 1 to ${max} characters`;
  return z
    .string({ error: expected })
    .min(1, expected)
    .max(max, expected)
    .refine((text) => !CONTROL_CHARACTERS.test(text), `${expected}, without control characters`);
};

const isoTime = z.string({ error: 'an ISO 8601 date and time' }).refine((text) => text.length <= 40 && Number.isFinite(Date.parse(text)), 'an ISO 8601 date and time');

export const sessionSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'letters, digits and . _ : - (at most 128)'),
    kind: z.enum(SESSION_KINDS, { error: `one of ${SESSION_KINDS.join(', ')}` }),
    machine: oneLine(253),
    subject: oneLine(TEXT_LIMITS.subject),
    title: oneLine(TEXT_LIMITS.title),
    startedAt: isoTime,
    finishedAt: isoTime,
    status: z.enum(SESSION_STATUSES, { error: `one of ${SESSION_STATUSES.join(', ')}` }),
    verdict: oneLine(TEXT_LIMITS.verdict).optional(),
    summary: oneLine(TEXT_LIMITS.summary),
    figures: z
      .record(
        z.string().regex(/^[A-Za-z][A-Za-z0-9_.]{0,63}$/, 'a name of letters, digits, _ and . (at most 64)'),
        z.union([z.number(), z.string().max(TEXT_LIMITS.figure), z.boolean()], {
          error: `a finite number, a text of at most ${TEXT_LIMITS.figure} characters, or true or false`,
        }),
        { error: 'a map of figures' },
      )
      .refine((figures) => Object.keys(figures).length <= MAX_FIGURES, `at most ${MAX_FIGURES} figures`),
    detail: z.custom<JsonValue>(
      (value) => value !== undefined && serialisedBytes(value) <= DETAIL_LIMIT_BYTES,
      `JSON of at most ${formatBytes(DETAIL_LIMIT_BYTES)}`,
    ),
  })
  .strict();

function serialisedBytes(value: unknown): number {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? Number.POSITIVE_INFINITY : Buffer.byteLength(text);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Thrown for a record that does not fit the schema: names the session, the field, what was expected and found. */
export class InvalidSessionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSessionError';
  }
}

function describeFound(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `a text of ${value.length} characters` : JSON.stringify(value);
  if (value === undefined) return 'nothing';
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'a list' : `an object of ${formatBytes(serialisedBytes(value))}`;
  return String(value);
}

/** The record as a store may write it; throws InvalidSessionError naming the first bad field. */
export function validateSession(record: SessionRecord): SessionRecord {
  const parsed = sessionSchema.safeParse(record);
  if (parsed.success) return parsed.data as SessionRecord;
  const issue = parsed.error.issues[0]!;
  let found: unknown = record;
  for (const key of issue.path) found = (found as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    message = 'only the fields of a SessionRecord';
    found = issue.keys.join(', ');
  }
  if (issue.code === 'invalid_key') {
    // A figure's name is wrong: say what the name should be, and show the name.
    message = issue.issues[0]?.message ?? message;
    found = issue.path.at(-1);
  }
  const field = issue.path.join('.') || '(record)';
  const id = typeof record?.id === 'string' ? record.id.slice(0, 128) : '?';
  throw new InvalidSessionError(`session ${JSON.stringify(id)}: ${field}: expected ${message}, found ${describeFound(found)}`);
}

function fitText(text: string, max: number): string {
  // Escape sequences go whole (not only their ESC), line breaks become spaces.
  const flat = sanitizeLine(text).replace(/ {2,}/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * Fits what can be fitted without losing the session: text fields made one line and cut to their
 * bound, a detail above DETAIL_LIMIT_BYTES replaced by a note of its size. Returns the record and a
 * sentence per change, for the user; what cannot be fitted (a bad kind, id or date) is left for
 * `validateSession` to refuse.
 */
export function prepareSession(record: SessionRecord): { record: SessionRecord; notices: string[] } {
  const notices: string[] = [];
  const fitted: SessionRecord = { ...record };
  for (const field of ['subject', 'title', 'summary', 'verdict'] as const) {
    const value = record[field];
    if (typeof value !== 'string') continue;
    const text = fitText(value, TEXT_LIMITS[field]);
    if (text !== value) {
      fitted[field] = text;
      if (value.length > TEXT_LIMITS[field]) notices.push(`session ${record.id}: ${field} cut to ${TEXT_LIMITS[field]} characters`);
    }
  }
  const bytes = serialisedBytes(record.detail);
  if (bytes > DETAIL_LIMIT_BYTES) {
    const size = Number.isFinite(bytes) ? formatBytes(bytes) : 'not JSON';
    fitted.detail = { omitted: `the detail (${size}) was above the ${formatBytes(DETAIL_LIMIT_BYTES)} history keeps` };
    notices.push(`session ${record.id}: detail not kept (${size}, above the ${formatBytes(DETAIL_LIMIT_BYTES)} limit); summary and figures kept`);
  }
  return { record: fitted, notices };
}
