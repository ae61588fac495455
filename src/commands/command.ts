import { sanitizeText } from '../text/sanitize.js';

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

// The commands' toolkit in one import; the console and the engine import these from their own files.
export { UsageError } from '../errors.js';
export { parseFlags, PATH_FLAGS, pathsFromFlags, positiveInteger, positiveNumber, speedFlag } from '../flags.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/**
 * Output is the commands' business alone: the engine yields events and never writes to stdout.
 * Every line is sanitised: much of what commands print came from a file or a server.
 */
export function writeLine(stream: NodeJS.WritableStream, line = ''): void {
  stream.write(`${sanitizeText(line)}\n`);
}
