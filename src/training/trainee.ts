/**
 * Who trains. Light on purpose (the console checks --trainee before its first frame): no engine
 * imports here.
 */
import os from 'node:os';
import { UsageError } from '../errors.js';

/** A trainee's name as given (flag or OS user): one line of letters, digits, spaces and . _ @ -, at most 64 characters. */
export function traineeName(raw: string, from: string): string {
  const name = raw.trim();
  if (!/^[\p{L}\p{N}][\p{L}\p{N} ._@-]{0,63}$/u.test(name)) {
    throw new UsageError(`${from} must be 1 to 64 letters, digits, spaces or . _ @ - (starting with a letter or digit), got "${name.slice(0, 70).replace(/[\p{C}]/gu, '?')}"`);
  }
  return name;
}

/** The trainee when none is named: the OS user. */
export function defaultTrainee(env: NodeJS.ProcessEnv): string {
  let user: string | undefined;
  try {
    user = os.userInfo().username;
  } catch {
    user = env.USER ?? env.LOGNAME;
  }
  try {
    return traineeName(user ?? 'trainee', 'the OS user name');
  } catch {
    return 'trainee';
  }
}
