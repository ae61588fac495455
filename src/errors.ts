/**
 * Errors that the engine, the headless commands and the console share. They live here, below
 * all of them, so that nothing in the engine imports from `src/commands/` or `src/ui/`.
 */

/** Bad flags, arguments or settings: the message is printed as is and the process exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The line to print for a UsageError: always with the `firedrill CMD:` prefix, once. */
export function usageLine(error: UsageError, command = ''): string {
  const prefix = `firedrill${command ? ` ${command}` : ''}`;
  return error.message.startsWith('firedrill') ? error.message : `${prefix}: ${error.message}`;
}
