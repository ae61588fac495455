import { UsageError, type Command } from './command.js';

// Placeholder until the owner of `firedrill incident` replaces this module (same export).
export const command: Command = async () => {
  throw new UsageError('firedrill incident: not built yet');
};
