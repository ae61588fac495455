import { UsageError, type Command } from './command.js';

// Placeholder until the owner of `firedrill cleanup` replaces this module (same export).
export const command: Command = async () => {
  throw new UsageError('firedrill cleanup: not built yet');
};
