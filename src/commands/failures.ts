import { UsageError, type Command } from './command.js';

// Placeholder until the owner of `firedrill failures` replaces this module (same export).
export const command: Command = async () => {
  throw new UsageError('firedrill failures: not built yet');
};
