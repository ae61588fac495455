/**
 * Errors that the engine, the headless commands and the console share. They live here, below
 * all of them, so that nothing in the engine imports from `src/commands/` or `src/ui/`.
 */

/** Bad flags, arguments or settings: the message is printed as is and the process exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A config file (or the environment standing for one) that cannot be used: names the file and the key; exit 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Errors that are the user's to fix, printed as one line with exit 2, never as a stack trace. */
export function isUsersError(error: unknown): error is UsageError | ConfigError {
  return error instanceof UsageError || error instanceof ConfigError;
}

/** The line to print for a UsageError or ConfigError: always with the `firedrill CMD:` prefix, once. */
export function usageLine(error: UsageError | ConfigError, command = ''): string {
  const prefix = `firedrill${command ? ` ${command}` : ''}`;
  return error.message.startsWith('firedrill') ? error.message : `${prefix}: ${error.message}`;
}
