import { UsageError, type Command } from './command.js';

// Placeholder until the owner of `firedrill serve` replaces this module (same export).
export const command: Command = async () => {
  throw new UsageError('firedrill serve: not built yet');
};
