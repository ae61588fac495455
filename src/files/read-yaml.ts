import { showControls } from '../text/sanitize.js';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { z } from 'zod';
import { describeIssues, formatProblems } from './describe-issue.js';

/**
 * The one way firedrill reads a YAML file a user gave it (config, scenarios, and the new formats:
 * narratives, experiments, workloads, training). It refuses what is not a regular file (a FIFO
 * named *.yaml would hang a plain read for ever, /dev/zero would fill memory) and anything above a
 * size bound before a byte is parsed; it turns every parser error or warning (duplicate keys,
 * `!!js/function` and other unknown tags, too many aliases) into one error naming the file and the
 * line, where the yaml package would print a raw YAMLWarning; and, with a schema, reports every
 * field as "expected ..., found ..." with the line it is on.
 */

/**
 * Hand-written config and scenario files are a few KiB. The yaml package needs up to ~270 bytes of
 * memory and ~2 µs per byte of dense flow-style YAML (1 MiB: 280 MB, 2.3 s), so 256 KiB is the
 * bound: at worst ~70 MB and half a second.
 */
export const MAX_YAML_BYTES = 256 * 1024;

export class YamlFileError extends Error {
  override name = 'YamlFileError';

  constructor(
    readonly file: string,
    message: string,
    /** The errno code when the file could not be opened or read (ENOENT...). */
    readonly code?: string,
    /** The first offending field, dotted as in the file, when the schema refused it. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface YamlFileOptions {
  /** Default MAX_YAML_BYTES. */
  maxBytes?: number;
  /** "config file", "scenario file": used in "cannot read the <what>". Default "file". */
  what?: string;
}

export interface YamlDocument {
  file: string;
  /** The parsed value, as plain data (maps are objects, sequences arrays). */
  value: unknown;
  /** The 1-based line of the node at `path`, or of its nearest parent present in the file. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

/** Reads and parses a bounded regular YAML file; every problem is a YamlFileError naming the file. */
export function readYamlFile(file: string, options: YamlFileOptions = {}): YamlDocument {
  const text = readBoundedTextFile(file, options);
  // The parser is loaded only when there is a file to read: it is a tenth of the console's start-up.
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const lineCounter = new yaml.LineCounter();
  // The parser's own duplicate-key check compares every key with every other (40,000 keys: 20 s).
  const document = yaml.parseDocument(text, { lineCounter, prettyErrors: true, logLevel: 'silent', uniqueKeys: false });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) {
    const at = problem.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : '';
    const detail =
      problem.code === 'TAG_RESOLVE_FAILED'
        ? `unknown tag ${tagName(problem.message)} (firedrill files hold plain data only)`
        : problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new YamlFileError(file, `${showControls(file)}: not valid YAML${where}: ${detail}`);
  }
  const duplicate = firstDuplicateKey(yaml, document.contents);
  if (duplicate) {
    const at = lineCounter.linePos(duplicate.offset);
    throw new YamlFileError(file, `${showControls(file)}: not valid YAML at line ${at.line}, column ${at.col}: the key "${duplicate.key}" appears twice in one mapping`);
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Alias bombs: "Excessive alias count indicates a resource exhaustion attack".
    throw new YamlFileError(file, `${showControls(file)}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  return {
    file,
    value,
    lineOf(path) {
      // The line of the key (or list item) that holds the value: where a reader looks for it.
      for (let depth = path.length; depth > 0; depth -= 1) {
        const parent = depth === 1 ? document.contents : document.getIn(path.slice(0, depth - 1) as unknown[], true);
        const key = String(path[depth - 1]);
        let node: { range?: [number, number, number] | null } | null | undefined;
        if (yaml.isMap(parent)) {
          const pair = parent.items.find((item) => String(yaml.isScalar(item.key) ? item.key.value : item.key) === key);
          node = (pair?.key as typeof node) ?? (pair?.value as typeof node);
        } else if (yaml.isSeq(parent)) {
          node = parent.items[Number(key)] as typeof node;
        }
        if (node?.range) return lineCounter.linePos(node.range[0]).line;
      }
      const top = document.contents?.range;
      return top ? lineCounter.linePos(top[0]).line : undefined;
    },
  };
}

/**
 * Reads a YAML file and validates it against `schema`: the typed value, or a YamlFileError whose
 * message names the file, each field, what was expected, what was found and the line.
 */
export function parseYamlFile<S extends z.ZodType>(file: string, schema: S, options: YamlFileOptions & { emptyAs?: unknown } = {}): z.output<S> {
  const document = readYamlFile(file, options);
  const raw = document.value ?? options.emptyAs;
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = describeIssues(result.error, raw);
  throw new YamlFileError(file, formatProblems(file, problems, 5, (path) => document.lineOf(path)), undefined, problems[0]?.field);
}

/** A regular file of at most `maxBytes`, as UTF-8 text; refuses FIFOs, devices and folders without blocking. */
export function readBoundedTextFile(file: string, options: YamlFileOptions = {}): string {
  const maxBytes = options.maxBytes ?? MAX_YAML_BYTES;
  const what = options.what ?? 'file';
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, for ever.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new YamlFileError(file, `${showControls(file)}: cannot read the ${what} (${describeOpenError(error)})`, code);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw new YamlFileError(file, `${showControls(file)}: not a regular file (it is ${kindOf(stats)}); firedrill reads ${withArticle(what)} only from a regular file`, 'ENOTREG');
    }
    if (stats.size > maxBytes) {
      throw new YamlFileError(file, `${showControls(file)}: ${stats.size.toLocaleString('en-US')} bytes is too large for ${withArticle(what)} (at most ${formatSize(maxBytes)})`, 'EFBIG');
    }
    // The size may change while we read: read at most one byte past the bound to notice growth.
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, stats.size + 1));
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length === buffer.length) break;
    }
    if (length > maxBytes) {
      throw new YamlFileError(file, `${showControls(file)}: grew past ${formatSize(maxBytes)} while being read; too large for ${withArticle(what)}`, 'EFBIG');
    }
    return buffer.subarray(0, length).toString('utf8');
  } catch (error) {
    if (error instanceof YamlFileError) throw error;
    throw new YamlFileError(file, `${showControls(file)}: cannot read the ${what} (${describeOpenError(error)})`, (error as NodeJS.ErrnoException).code);
  } finally {
    closeSync(fd);
  }
}

/** The first key repeated within one mapping, in one pass over the document (a Set per mapping). */
function firstDuplicateKey(yaml: typeof import('yaml'), root: unknown): { key: string; offset: number } | undefined {
  let found: { key: string; offset: number } | undefined;
  yaml.visit(root as Parameters<typeof yaml.visit>[0], {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!yaml.isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (seen.has(key)) {
          found = { key: key.length > 40 ? `${key.slice(0, 39)}…` : key, offset: pair.key.range?.[0] ?? 0 };
          return yaml.visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  return found;
}

function tagName(message: string): string {
  const tag = /Unresolved tag: (\S+)/.exec(message)?.[1] ?? '';
  return tag.replace(/^tag:yaml\.org,2002:/, '!!');
}

function kindOf(stats: import('node:fs').Stats): string {
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function describeOpenError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return (error as Error).message;
  }
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / 1024 / 1024).toFixed(1))} MiB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `${bytes} bytes`;
}

/** "a config file", "an experiment file". */
function withArticle(what: string): string {
  return `${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}`;
}
