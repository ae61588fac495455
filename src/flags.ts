import { statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';
import { resolvePaths, type FiredrillPaths } from './paths.js';

/**
 * Flag parsing for both front ends (the headless commands and the console): every flag is checked
 * here, before any work starts, and a bad one is a UsageError that names it (exit 2).
 */

/** The flags every command and the console accept. */
export const PATH_FLAGS = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

/**
 * `util.parseArgs`, with its errors turned into one-line UsageErrors that name the command. An
 * empty value (`--junit ''`) is refused for every string flag but those in `emptyAllowed`, where
 * it means "none" (`--neo4j-uri ''`).
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = false,
  emptyAllowed: ReadonlyArray<keyof T & string> = [],
) {
  const prefix = `firedrill${command ? ` ${command}` : ''}`;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    // parseArgs explains an ambiguous flag over three lines: one line reads better among others.
    throw new UsageError(`${prefix}: ${(error as Error).message.split('\n').map((line) => line.trim()).join(' ')}`);
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    const values = Array.isArray(value) ? value : [value];
    if (values.some((one) => typeof one === 'string' && one.trim() === '') && !emptyAllowed.includes(name as keyof T & string)) {
      throw new UsageError(`${prefix}: --${name} needs a value, got an empty string`);
    }
  }
  return parsed;
}

/** A positive, finite number from a flag, at most `max`, or a UsageError naming the flag. */
export function positiveNumber(flag: string, raw: string | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`--${flag} must be a positive number, got "${raw}"`);
  }
  if (value > max) throw new UsageError(`--${flag} must be at most ${max}, got "${raw}"`);
  return value;
}

/** A positive whole number from a flag, at most `max`, or a UsageError naming the flag. */
export function positiveInteger(flag: string, raw: string | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const value = positiveNumber(flag, raw, max);
  if (value !== undefined && !Number.isInteger(value)) {
    throw new UsageError(`--${flag} must be a whole number, got "${raw}"`);
  }
  return value;
}

/** Scenario seconds per real second: below 0.1 a 300 s scenario takes most of an hour, above 10,000 it is over before the first frame. */
export const SPEED_RANGE = { min: 0.1, max: 10_000 } as const;

/** --speed, within SPEED_RANGE. */
export function speedFlag(raw: string | undefined): number | undefined {
  const speed = positiveNumber('speed', raw, SPEED_RANGE.max);
  if (speed !== undefined && speed < SPEED_RANGE.min) throw new UsageError(`--speed must be at least ${SPEED_RANGE.min}, got "${raw}"`);
  return speed;
}

/**
 * Where the config and the data live, from --config / --data-dir and the environment, checked now:
 * a data dir that is (or lies below) a regular file is refused here rather than as a raw mkdir error
 * halfway through a command. A missing data dir is fine: it is created when first written.
 */
export function pathsFromFlags(values: { config?: string; 'data-dir'?: string }, env: NodeJS.ProcessEnv = process.env): FiredrillPaths {
  const paths = resolvePaths({ configFile: values.config, dataDir: values['data-dir'] }, env);
  const source = values['data-dir'] !== undefined ? '--data-dir' : env.FIREDRILL_DATA_DIR ? 'FIREDRILL_DATA_DIR' : 'the data dir';
  const blocking = firstNonDirectory(paths.dataDir);
  if (blocking !== undefined) {
    throw new UsageError(
      blocking === paths.dataDir
        ? `${source}: ${paths.dataDir} is a file, not a directory`
        : `${source}: ${paths.dataDir} cannot be a directory: ${blocking} is a file`,
    );
  }
  return paths;
}

/** The first existing path, from `dir` up, that is not a directory (undefined when all are). */
function firstNonDirectory(dir: string): string | undefined {
  for (let current = dir; ; current = path.dirname(current)) {
    try {
      const stat = statSync(current, { throwIfNoEntry: false });
      if (stat) return stat.isDirectory() ? undefined : current;
    } catch (error) {
      // ENOTDIR: a file further up; look there. Anything else (EACCES) is for the command to report.
      if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') return undefined;
    }
    if (path.dirname(current) === current) return undefined;
  }
}
