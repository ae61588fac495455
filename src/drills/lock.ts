import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { FiredrillPaths } from '../paths.js';
import { onEmergency } from './emergency.js';
import { isRecordedProcessAlive, selfIdentity } from './proc.js';

/**
 * One drill run per machine: two runs at once would read each other's load as their own. The lock
 * is a file created with O_EXCL holding the holder's pid and process start time; a lock whose
 * holder has died (or whose pid now names another process) is taken over.
 */

export class DrillLockError extends Error {
  override name = 'DrillLockError';
  constructor(readonly holderPid: number) {
    super(`another firedrill run (pid ${holderPid}) is running drills on this machine`);
  }
}

interface LockContent {
  pid: number;
  startTime: number | null;
  acquiredAt: string;
}

function readHolder(file: string): LockContent | null {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockContent>;
    if (typeof raw.pid !== 'number') return null;
    return { pid: raw.pid, startTime: typeof raw.startTime === 'number' ? raw.startTime : null, acquiredAt: String(raw.acquiredAt ?? '') };
  } catch {
    return null;
  }
}

export async function acquireDrillLock(paths: FiredrillPaths): Promise<{ release(): void }> {
  const file = paths.lockFile;
  await mkdir(path.dirname(file), { recursive: true });
  const content: LockContent = { ...selfIdentity(), acquiredAt: new Date().toISOString() };
  const text = JSON.stringify(content);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        forget();
        // Remove only our own lock: never one a later run took over.
        try {
          if (readFileSync(file, 'utf8') === text) unlinkSync(file);
        } catch {
          // Already gone.
        }
      };
      const forget = onEmergency(release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new Error(`cannot create the drill lock ${file}: ${(error as Error).message}`);
      }
    }
    let holderText = safeRead(file);
    if (holderText !== null && readHolder(file) === null) {
      // Possibly a holder between creating the file and writing it: look again a moment later.
      await new Promise((resolve) => setTimeout(resolve, 100));
      holderText = safeRead(file);
    }
    const holder = holderText === null ? null : readHolder(file);
    if (holder && isRecordedProcessAlive(holder)) throw new DrillLockError(holder.pid);
    // The holder died (or the file is half written by a crashed run): take it over, but only if
    // it is still the same stale file we just looked at.
    if (holderText !== null && safeRead(file) === holderText) {
      try {
        unlinkSync(file);
      } catch {
        // Someone else took it over first; the next attempt sees their lock.
      }
    }
  }
  const holder = readHolder(file);
  throw holder ? new DrillLockError(holder.pid) : new Error(`cannot take the drill lock ${file}`);
}

function safeRead(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
