import { unlinkSync } from 'node:fs';

/**
 * Process-wide safety state: every child firedrill started that is still alive, and every file it
 * created that still exists. When firedrill has to stop in a hurry (a second Ctrl-C, an uncaught
 * error, process exit) this is what is ended and removed, synchronously, and nothing else.
 */

interface LiveChild {
  pid: number;
}

const liveChildren = new Map<number, LiveChild>();
const createdFiles = new Set<string>();
const exitHooks = new Set<() => void>();
let exitHandlerInstalled = false;

function installExitHandlerOnce(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => emergencyCleanupSync());
}

/** Call right after a child has been spawned: its pid is ours until its 'exit' event has been seen. */
export function trackChild(pid: number): void {
  installExitHandlerOnce();
  liveChildren.set(pid, { pid });
}

/** Call on the child's 'exit' event (Node has reaped it, so the pid may be recycled from now on). */
export function untrackChild(pid: number): void {
  liveChildren.delete(pid);
}

export function liveChildPids(): number[] {
  return [...liveChildren.keys()];
}

/** Call before creating a file, so that an emergency removes it even half written. */
export function trackFile(file: string): void {
  installExitHandlerOnce();
  createdFiles.add(file);
}

export function untrackFile(file: string): void {
  createdFiles.delete(file);
}

/** Something else to undo synchronously on emergency (drop own ledger entries, release the lock). */
export function onEmergency(hook: () => void): () => void {
  installExitHandlerOnce();
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}

/** Synchronously end every child firedrill started and remove every file it created. */
export function emergencyCleanupSync(): void {
  for (const pid of liveChildren.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  liveChildren.clear();
  for (const file of createdFiles) {
    try {
      unlinkSync(file);
    } catch {
      // Already removed (or never created).
    }
  }
  createdFiles.clear();
  for (const hook of [...exitHooks]) {
    try {
      hook();
    } catch {
      // An emergency path must not throw.
    }
  }
  exitHooks.clear();
}
