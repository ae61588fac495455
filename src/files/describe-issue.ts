import { showControls } from '../text/sanitize.js';
import type { z } from 'zod';

/**
 * One sentence per schema problem, for every file format (config, scenarios, narratives,
 * experiments, workloads, training): the field as written in the file, what was expected and what
 * was found. zod 4 does not keep the offending input on an issue, so the value is looked up in the
 * parsed document by the issue's path.
 */

export interface FieldProblem {
  /** Dotted as in the file ("metrics.2.pattern"); empty for the top level. */
  field: string;
  /** "expected a number, found "300" (a string)". */
  detail: string;
  path: PropertyKey[];
}

export function describeIssues(error: z.ZodError, input: unknown): FieldProblem[] {
  return error.issues.map((issue) => describeIssue(issue, input));
}

export function describeIssue(issue: z.core.$ZodIssue, input: unknown): FieldProblem {
  const path = issue.path.slice();
  const field = path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.slice(0, 5).map((key) => `"${shorten(key)}"`);
    const more = issue.keys.length > 5 ? ` and ${issue.keys.length - 5} more` : '';
    const where = [...path, issue.keys[0]!];
    return { field: where.map(String).join('.'), path: where, detail: `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys.join(', ')}${more}` };
  }
  const found = valueAt(input, path);
  const expected = expectation(issue, found);
  if (!found.present && issue.code === 'invalid_type') return { field, path, detail: `missing (${expected})` };
  // A refinement may already say what it found ("found 9 entries"): do not say it twice.
  if (/\bfound\b/.test(expected)) return { field, path, detail: expected };
  return { field, path, detail: `${expected}, found ${describeValue(found.value, found.present)}` };
}

/** "field: detail; field: detail" with at most `limit` problems: for a value that came from a server or a model. */
export function summarizeIssues(error: z.ZodError, input: unknown, limit = 3): string {
  const problems = describeIssues(error, input);
  const shown = problems.slice(0, limit).map((problem) => `${problem.field || '(top level)'}: ${problem.detail}`);
  return `${shown.join('; ')}${problems.length > limit ? `; and ${problems.length - limit} more` : ''}`;
}

/** "FILE: field: detail; field: detail" with at most `limit` problems. */
export function formatProblems(file: string, problems: FieldProblem[], limit = 5, lineOf?: (path: PropertyKey[]) => number | undefined): string {
  const shown = problems.slice(0, limit).map((problem) => {
    const line = lineOf?.(problem.path);
    return `${problem.field || '(top level)'}: ${problem.detail}${line === undefined ? '' : ` (line ${line})`}`;
  });
  const more = problems.length > limit ? `; and ${problems.length - limit} more` : '';
  return `${showControls(file)}: ${shown.join('; ')}${more}`;
}

function expectation(issue: z.core.$ZodIssue, found: { value: unknown; present: boolean }): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${article(issue.expected)}`;
    case 'too_big':
      return `expected ${bound('at most', issue.maximum, issue.inclusive, issue.origin, issue.exact)}`;
    case 'too_small':
      if (issue.origin === 'string' && issue.minimum === 1) return 'expected a non-empty string';
      return `expected ${bound('at least', issue.minimum, issue.inclusive, issue.origin, issue.exact)}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `expected ${JSON.stringify(issue.values[0])}` : `expected one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
    case 'custom':
      // Formats and refinements carry their own wording ("must be snake_case ..."), written for the user.
      return found.present ? customMessage(issue.message) : 'expected a value';
    case 'invalid_union':
      // A discriminated union names its options ("kind: expected one of http, tcp, found \"htp\"").
      if ('options' in issue && Array.isArray(issue.options)) return `expected one of ${issue.options.map(String).join(', ')}`;
      return `expected ${issue.message.replace(/^Invalid input: expected /, '')}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}`;
    default:
      return `expected ${issue.message.replace(/^Invalid input: expected /, '')}`;
  }
}

function customMessage(message: string): string {
  return /^(expected|must)\b/.test(message) ? message : `expected ${message}`;
}

function bound(words: string, limit: number | bigint, inclusive: boolean | undefined, origin: string, exact?: boolean): string {
  const value = Number(limit);
  const prefix = exact ? 'exactly' : inclusive === false ? (words === 'at most' ? 'less than' : 'more than') : words;
  switch (origin) {
    case 'string':
      return `${prefix} ${value} character${value === 1 ? '' : 's'}`;
    case 'array':
    case 'set':
      return `${prefix} ${value} item${value === 1 ? '' : 's'}`;
    case 'file':
      return `${prefix} ${value} bytes`;
    default:
      return `${prefix === 'at most' ? 'a number at most' : prefix === 'at least' ? 'a number at least' : `a number ${prefix}`} ${value}`;
  }
}

function article(type: string): string {
  switch (type) {
    case 'number':
    case 'int':
      return type === 'int' ? 'a whole number' : 'a number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
    case 'record':
    case 'map':
      return 'a mapping';
    default:
      return type;
  }
}

function valueAt(input: unknown, path: PropertyKey[]): { value: unknown; present: boolean } {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return { value: undefined, present: false };
    if (!Object.prototype.hasOwnProperty.call(value, key)) return { value: undefined, present: false };
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return { value, present: true };
}

/** What a user reading the file would call the value: "\"300\" (a string)", ".nan", "a list of 2 items". */
export function describeValue(value: unknown, present = true): string {
  if (!present || value === undefined) return 'nothing (the key is missing)';
  if (value === null) return 'null (an empty value)';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan (not a number)';
    if (!Number.isFinite(value)) return `${value > 0 ? '' : '-'}infinity (.inf, or a number too large to hold)`;
    return String(value);
  }
  if (typeof value === 'string') {
    const length = value.length > 40 ? ` (a string of ${value.length} characters)` : ' (a string)';
    return `${JSON.stringify(shorten(value))}${length}`;
  }
  if (typeof value === 'boolean') return `${value} (a boolean)`;
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (value instanceof Date) return `a date (${value.toISOString()})`;
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

function shorten(text: string, max = 40): string {
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}
