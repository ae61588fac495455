import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Everything a headless command needs from the outside world, so that tests can hand in their own. */
export interface CommandContext {
  argv: string[];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C, SIGTERM or SIGHUP: stop, clean up, return. */
  signal: AbortSignal;
}

/** Resolves to the process exit code. */
export type Command = (context: CommandContext) => Promise<number>;

/** Bad flags or arguments: the message is printed as is and the process exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

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

export function writeLine(stream: NodeJS.WritableStream, line = ''): void {
  stream.write(`${line}\n`);
}
