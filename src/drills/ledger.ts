import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { lstat, mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { FiredrillPaths } from '../paths.js';
import { onEmergency } from './emergency.js';
import { isRecordedProcessAlive, isSameProcessAlive, selfIdentity } from './proc.js';

/**
 * The cleanup ledger: every file and child process a drill creates is written here (atomically)
 * BEFORE the file is created / right after the child starts, and removed once it is gone. If
 * firedrill is killed outright, `firedrill cleanup` (and the next run) read it to remove what was
 * left: only files whose names firedrill gives, only processes whose pid AND start time match.
 */

/** Names firedrill gives the files it creates; nothing else is ever removed from a ledger entry. */
export const FIREDRILL_FILE_PATTERN = /^firedrill-[a-z-]+-\d+-[0-9a-f]{12}\.tmp$/;
/** Names firedrill gives the directories it creates (a PostgreSQL sandbox's cluster and sockets). */
export const FIREDRILL_DIR_PATTERN = /^firedrill-[a-z-]+-\d+-[0-9a-f]{12}$/;

const ownerSchema = z.object({ pid: z.number().int().positive(), startTime: z.number().nullable() });

const entrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), path: z.string().min(1), owner: ownerSchema, createdAt: z.string() }),
  z.object({ kind: z.literal('directory'), path: z.string().min(1), owner: ownerSchema, createdAt: z.string() }),
  z.object({
    kind: z.literal('process'),
    pid: z.number().int().positive(),
    startTime: z.number(),
    command: z.string(),
    owner: ownerSchema,
    createdAt: z.string(),
  }),
  /**
   * A command that undoes a change firedrill made outside itself (a service it stopped through the
   * user's own stop command or systemctl): run once if the owner died before undoing it.
   */
  z.object({
    kind: z.literal('undo'),
    id: z.string().regex(/^[0-9a-f]{12}$/),
    argv: z.array(z.string().max(4000)).min(1).max(64),
    description: z.string().max(400),
    owner: ownerSchema,
    createdAt: z.string(),
  }),
]);

const ledgerSchema = z.object({ version: z.literal(1), entries: z.array(entrySchema) });

export type LedgerEntry = z.infer<typeof entrySchema>;
type Owner = z.infer<typeof ownerSchema>;

export class LedgerError extends Error {
  override name = 'LedgerError';
}

function isOwnedBySelf(entry: LedgerEntry, self: Owner): boolean {
  return entry.owner.pid === self.pid && entry.owner.startTime === self.startTime;
}

function parseLedger(text: string, file: string): LedgerEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new LedgerError(`the cleanup ledger ${file} is not valid JSON: check it by hand, then remove it`);
  }
  const result = ledgerSchema.safeParse(raw);
  if (!result.success) {
    throw new LedgerError(`the cleanup ledger ${file} is not in firedrill's format: check it by hand, then remove it`);
  }
  return result.data.entries;
}

async function readEntries(file: string): Promise<LedgerEntry[]> {
  try {
    return parseLedger(await readFile(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function tmpName(file: string): string {
  return `${file}.${process.pid}.${Math.random().toString(16).slice(2)}.tmp`;
}

async function writeEntries(file: string, entries: LedgerEntry[]): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = tmpName(file);
  await writeFile(tmp, `${JSON.stringify({ version: 1, entries }, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

/** Ledger updates in this process go one at a time per file (read, change, write tmp, rename). */
const queues = new Map<string, Promise<unknown>>();

function update(file: string, change: (entries: LedgerEntry[]) => LedgerEntry[]): Promise<void> {
  const previous = queues.get(file) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(async () => {
    await writeEntries(file, change(await readEntries(file)));
  });
  queues.set(file, next);
  return next;
}

/** Drops this process's own files and processes synchronously: used when emergency cleanup has just removed them. */
function pruneOwnEntriesSync(file: string): void {
  let entries: LedgerEntry[];
  try {
    entries = parseLedger(readFileSync(file, 'utf8'), file);
  } catch {
    return;
  }
  const self = selfIdentity();
  // Undo commands are not run by the emergency path: they stay for cleanup at the next start.
  const kept = entries.filter((entry) => entry.kind === 'undo' || !isOwnedBySelf(entry, self));
  if (kept.length === entries.length) return;
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tmpName(file);
  writeFileSync(tmp, `${JSON.stringify({ version: 1, entries: kept }, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

export interface LedgerProcess {
  pid: number;
  startTime: number | null;
  command: string;
}

/** This process's view of the ledger at paths.ledgerFile. */
export class Ledger {
  private readonly owner = selfIdentity();

  constructor(readonly file: string) {}

  private armEmergencyPrune(): void {
    onEmergency(ledgerPruners.get(this.file) ?? makePruner(this.file));
  }

  /** Call BEFORE creating the file. Only names matching FIREDRILL_FILE_PATTERN are accepted. */
  async addFile(filePath: string): Promise<void> {
    if (!FIREDRILL_FILE_PATTERN.test(path.basename(filePath))) {
      throw new LedgerError(`refusing to track ${filePath}: not a name firedrill gives its files`);
    }
    this.armEmergencyPrune();
    const entry: LedgerEntry = { kind: 'file', path: path.resolve(filePath), owner: this.owner, createdAt: new Date().toISOString() };
    await update(this.file, (entries) => [...entries, entry]);
  }

  /**
   * Call BEFORE creating the directory. Only names matching FIREDRILL_DIR_PATTERN are accepted;
   * cleanup removes it with everything in it, so it must hold nothing but what firedrill put there.
   */
  async addDirectory(dirPath: string): Promise<void> {
    if (!FIREDRILL_DIR_PATTERN.test(path.basename(dirPath))) {
      throw new LedgerError(`refusing to track ${dirPath}: not a name firedrill gives its directories`);
    }
    this.armEmergencyPrune();
    const entry: LedgerEntry = { kind: 'directory', path: path.resolve(dirPath), owner: this.owner, createdAt: new Date().toISOString() };
    await update(this.file, (entries) => [...entries, entry]);
  }

  async removeDirectory(dirPath: string): Promise<void> {
    const resolved = path.resolve(dirPath);
    await update(this.file, (entries) =>
      entries.filter((entry) => !(entry.kind === 'directory' && entry.path === resolved && isOwnedBySelf(entry, this.owner))),
    );
  }

  async removeFile(filePath: string): Promise<void> {
    const resolved = path.resolve(filePath);
    await update(this.file, (entries) =>
      entries.filter((entry) => !(entry.kind === 'file' && entry.path === resolved && isOwnedBySelf(entry, this.owner))),
    );
  }

  /** Call right after the children started (a child without a start time cannot be matched later and is skipped). */
  async addProcesses(children: readonly LedgerProcess[]): Promise<void> {
    const createdAt = new Date().toISOString();
    const added: LedgerEntry[] = children.flatMap((child) =>
      child.startTime === null
        ? []
        : [{ kind: 'process' as const, pid: child.pid, startTime: child.startTime, command: child.command, owner: this.owner, createdAt }],
    );
    if (added.length === 0) return;
    this.armEmergencyPrune();
    await update(this.file, (entries) => [...entries, ...added]);
  }

  /**
   * Call BEFORE making a change that `argv` undoes (execFile, no shell: pass /bin/sh -c yourself).
   * Returns the entry's id for removeUndo() once undone.
   */
  async addUndo(argv: readonly string[], description: string): Promise<string> {
    const id = randomBytes(6).toString('hex');
    this.armEmergencyPrune();
    const entry: LedgerEntry = { kind: 'undo', id, argv: [...argv], description, owner: this.owner, createdAt: new Date().toISOString() };
    await update(this.file, (entries) => [...entries, entry]);
    return id;
  }

  async removeUndo(id: string): Promise<void> {
    await update(this.file, (entries) => entries.filter((entry) => !(entry.kind === 'undo' && entry.id === id && isOwnedBySelf(entry, this.owner))));
  }

  async removeProcesses(pids: readonly number[]): Promise<void> {
    const gone = new Set(pids);
    await update(this.file, (entries) =>
      entries.filter((entry) => !(entry.kind === 'process' && gone.has(entry.pid) && isOwnedBySelf(entry, this.owner))),
    );
  }
}

const ledgerPruners = new Map<string, () => void>();

function makePruner(file: string): () => void {
  const pruner = () => pruneOwnEntriesSync(file);
  ledgerPruners.set(file, pruner);
  return pruner;
}

export function openLedger(paths: FiredrillPaths): Ledger {
  return new Ledger(paths.ledgerFile);
}

/** Reads the ledger as it is on disk (for tests and `firedrill cleanup`). */
export function readLedger(paths: FiredrillPaths): Promise<LedgerEntry[]> {
  return readEntries(paths.ledgerFile);
}

/**
 * Removes what an earlier firedrill that died before cleaning up left behind. Entries of a
 * firedrill that is still running are left alone; a file is removed only when its name is one
 * firedrill gives and it is a regular file; a process is ended only when its pid and start time
 * both match what was recorded.
 */
export async function cleanupLeftovers(
  paths: FiredrillPaths,
): Promise<{ filesRemoved: string[]; directoriesRemoved: string[]; processesEnded: number[]; undone: string[] }> {
  const filesRemoved: string[] = [];
  const directoriesRemoved: string[] = [];
  const processesEnded: number[] = [];
  const undone: string[] = [];
  const file = paths.ledgerFile;
  const previous = queues.get(file) ?? Promise.resolve();
  const work = previous.catch(() => undefined).then(async () => {
    const entries = await readEntries(file);
    if (entries.length === 0) return;
    const kept: LedgerEntry[] = [];
    // Processes first: a directory is removed only once what ran in it has been ended.
    const ordered = [...entries.filter((entry) => entry.kind === 'process'), ...entries.filter((entry) => entry.kind !== 'process')];
    for (const entry of ordered) {
      if (isRecordedProcessAlive(entry.owner)) {
        kept.push(entry);
        continue;
      }
      if (entry.kind === 'undo') {
        const problem = await runUndo(entry.argv);
        if (problem === null) undone.push(entry.description);
        else kept.push(entry);
        continue;
      }
      if (entry.kind === 'process') {
        if (isSameProcessAlive(entry.pid, entry.startTime)) {
          try {
            process.kill(entry.pid, 'SIGKILL');
            processesEnded.push(entry.pid);
          } catch {
            // Gone in the meantime.
          }
        }
        continue;
      }
      if (entry.kind === 'directory') {
        if (!FIREDRILL_DIR_PATTERN.test(path.basename(entry.path))) continue;
        try {
          const stats = await lstat(entry.path);
          if (!stats.isDirectory()) continue;
          // Retries: the backends of a killed postmaster may still be closing files in it.
          await rm(entry.path, { recursive: true, maxRetries: 10, retryDelay: 100 });
          directoriesRemoved.push(entry.path);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') kept.push(entry);
        }
        continue;
      }
      if (!FIREDRILL_FILE_PATTERN.test(path.basename(entry.path))) continue;
      try {
        const stats = await lstat(entry.path);
        if (!stats.isFile()) continue;
        await unlink(entry.path);
        filesRemoved.push(entry.path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          kept.push(entry);
        }
      }
    }
    if (kept.length !== entries.length) await writeEntries(file, kept);
  });
  queues.set(file, work);
  await work;
  return { filesRemoved, directoriesRemoved, processesEnded, undone };
}

/** Runs an undo command (30 s at most); null when it exited 0, else why not. */
function runUndo(argv: readonly string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { timeout: 30_000 }, (error) => resolve(error ? error.message : null));
  });
}
