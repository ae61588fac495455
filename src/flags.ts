import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

/** Flag parsing for both front ends: the headless commands and the console. */

/** `util.parseArgs`, with its errors turned into UsageErrors that name the command. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(`firedrill${command ? ` ${command}` : ''}: ${(error as Error).message}`);
  }
}

/** A positive number from a flag, or a UsageError naming the flag. */
export function positiveNumber(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`--${flag} must be a positive number, got "${raw}"`);
  }
  return value;
}

/** A positive integer from a flag, or a UsageError naming the flag. */
export function positiveInteger(flag: string, raw: string | undefined): number | undefined {
  const value = positiveNumber(flag, raw);
  if (value !== undefined && !Number.isInteger(value)) {
    throw new UsageError(`--${flag} must be a whole number, got "${raw}"`);
  }
  return value;
}
