/**
 * Bounds for free-form data from a file (a scenario's `context`, a session's detail): how deep,
 * how many entries, how long a string. A file is already bounded in bytes; these keep a small
 * file from expanding (aliases) into something that takes seconds to walk or megabytes to print.
 */
export interface DataBounds {
  maxDepth: number;
  /** Entries of one mapping or one list. */
  maxEntries: number;
  maxStringLength: number;
}

export interface DataBoundsProblem {
  /** Where, below the value checked. */
  path: string[];
  /** "expected at most 50 entries"; the caller says what was found. */
  expected: string;
}

/** The first place where `value` exceeds the bounds, or undefined. */
export function dataBoundsProblem(value: unknown, bounds: DataBounds, path: string[] = []): DataBoundsProblem | undefined {
  if (typeof value === 'string') {
    return value.length > bounds.maxStringLength ? { path, expected: `expected at most ${bounds.maxStringLength} characters` } : undefined;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { path, expected: 'expected a finite number' };
  if (value === null || typeof value !== 'object') return undefined;
  if (path.length >= bounds.maxDepth) return { path, expected: `expected at most ${bounds.maxDepth} levels of nesting` };
  const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
  if (entries.length > bounds.maxEntries) return { path, expected: `expected at most ${bounds.maxEntries} entries` };
  for (const [key, item] of entries) {
    if (key.length > bounds.maxStringLength) return { path, expected: `expected keys of at most ${bounds.maxStringLength} characters` };
    const problem = dataBoundsProblem(item, bounds, [...path, key]);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
