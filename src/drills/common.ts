import { randomBytes } from 'node:crypto';
import type { DrillOutcome, Measured } from './types.js';

/** The error of every drill stopped by ctx.signal. */
export const ABORTED = 'aborted';

/** Waits ms, or less when the signal aborts; true when the whole wait elapsed. */
export function waitOrAbort(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, Math.max(0, ms));
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortedOutcome(measured: Measured, what: string): DrillOutcome {
  return { success: false, measured, summary: `stopped before the end: ${what}`, error: ABORTED };
}

export function failedOutcome(measured: Measured, error: string): DrillOutcome {
  return { success: false, measured, summary: error, error };
}

const MIB = 1024 * 1024;

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export const MiB = MIB;

/** A random hex suffix for names firedrill gives its files (12 hex digits, see FIREDRILL_FILE_PATTERN). */
export function uniqueSuffix(): string {
  return randomBytes(6).toString('hex');
}
