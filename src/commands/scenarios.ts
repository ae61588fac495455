import { UsageError, type Command } from './command.js';

// Placeholder until the owner of `firedrill scenarios` replaces this module (same export).
export const command: Command = async () => {
  throw new UsageError('firedrill scenarios: not built yet');
};
