import { stat, unlink, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { diskFillDirectory, type DrillsConfig } from '../config/config.js';
import { endChild, spawnNodeChild, type Child } from '../drills/children.js';
import { MiB, uniqueSuffix, waitOrAbort } from '../drills/common.js';
import { formatBytes } from '../format.js';
import { BUSY_WORKER } from '../drills/cpu-spike.js';
import { assertSpaceLeft, createDiskFill, writeFillBlocks } from '../drills/disk-fill.js';
import { trackFile, untrackFile } from '../drills/emergency.js';
import type { Ledger } from '../drills/ledger.js';
import { ALLOCATOR, createMemoryPressure } from '../drills/memory-pressure.js';
import { isLinux, isSameProcessAlive, LINUX_ONLY_MESSAGE, readDisk } from '../drills/proc.js';
import { CanaryService } from '../drills/services.js';
import type { LiveFaultKind, LiveFaultSpec } from './spec.js';

/**
 * Real faults on this machine, for live incidents, training exercises and experiments. Each one is
 * created through the drills' own machinery: children under pdeathsig with the node watchdog
 * (src/drills/children.ts), the allocator of memory_pressure, the block writer and space guard of
 * disk_fill, the canary service of service_restart. Everything is in the cleanup ledger before it
 * exists (a kill -9 of firedrill leaves nothing `firedrill cleanup` cannot remove).
 *
 * A process gets its name with `process.title`, which on Linux sets both what `ps -o comm`, top and
 * /proc/PID/comm show (prctl PR_SET_NAME, 15 characters at most) and the command line `ps -o args`
 * shows (argv rewritten in place; the rest padded with NULs). argv[0] alone (`exec -a`) would leave
 * comm at "node", which is what top and the process table show.
 */

/** What a fault is acting on now: what the console shows and what a trainee may act on. */
export type FaultTarget =
  | { kind: 'process'; pid: number; startTime: number | null; name: string }
  | { kind: 'file'; path: string; bytes: number }
  | { kind: 'service'; name: string; url: string };

/** The root cause an analyzer should find: a category of the analyzer's vocabulary and the culprit's name. */
export interface ExpectedRootCause {
  category: string;
  culprit: string;
}

export interface LiveFault {
  readonly kind: LiveFaultKind;
  /** "a runaway process (report-builder)". */
  readonly title: string;
  readonly expected: ExpectedRootCause;
  /** The directory whose filesystem the fault fills, if it fills one: the live incident watches it. */
  readonly directory: string | null;
  /** The service the fault acts on, if any: the live incident probes its health URL. */
  probe(): { name: string; url: string } | null;
  /** Why it cannot run here, or null. Puts no load on the machine. */
  preflight(): Promise<string | null>;
  /** Brings up what the fault acts on (the healthy service), before the baseline is taken. */
  prepare(): Promise<void>;
  /** Creates the fault. */
  start(): Promise<void>;
  /** Whether the fault is still there: the process alive, the file present, the service down. */
  isPresent(): Promise<boolean>;
  target(): FaultTarget | null;
  /** Holds the fault where it is (a presenter's pause): its processes get SIGSTOP, the file stops growing. */
  pause(): void;
  resume(): void;
  isPaused(): boolean;
  /** Removes the fault (ends the process, deletes the file, restarts the service); idempotent. */
  end(): Promise<void>;
  /** Ends the fault and everything it brought up (the service too); idempotent. */
  dispose(): Promise<void>;
  /** One line of what it did so far. */
  describe(): string;
}

export interface LiveFaultDependencies {
  ledger: Ledger;
  drills: DrillsConfig;
}

export function createLiveFault(spec: LiveFaultSpec, dependencies: LiveFaultDependencies): LiveFault {
  switch (spec.fault) {
    case 'runaway_cpu':
      return new RunawayProcess(spec.process_name, spec.threads, dependencies.ledger);
    case 'memory_leak':
      return new LeakingProcess(spec.process_name, spec.rate_mb_per_second, spec.limit_mb, dependencies);
    case 'disk_filling':
      return new FillingFile(spec.rate_mb_per_second, spec.size_mb, spec.directory, dependencies);
    case 'service_down':
      return new ServiceDown(spec.process_name, dependencies.ledger);
  }
}

function linuxOnly(): string | null {
  return isLinux() ? null : LINUX_ONLY_MESSAGE;
}

/** A node child named `name`, in the ledger as soon as it runs; the base of the two process faults. */
abstract class NamedProcessFault {
  protected child: Child | undefined;
  private paused = false;

  constructor(
    protected readonly name: string,
    protected readonly ledger: Ledger,
  ) {}

  async isPresent(): Promise<boolean> {
    const child = this.child;
    // Read from /proc too: a process killed a moment ago is a zombie before Node reaps it.
    return child !== undefined && !child.hasExited() && (child.startTime === null || isSameProcessAlive(child.pid, child.startTime));
  }

  target(): FaultTarget | null {
    const child = this.child;
    return child && !child.hasExited() ? { kind: 'process', pid: child.pid, startTime: child.startTime, name: this.name } : null;
  }

  async prepare(): Promise<void> {}

  probe(): null {
    return null;
  }

  /** Resolves once the child runs under its name (so that `ps` shows the fault from the start). */
  protected async spawnNamed(script: string, args: readonly string[], onMessage?: (message: unknown) => void): Promise<Child> {
    const child = await spawnNodeChild(`process.title = ${JSON.stringify(this.name)};\nprocess.send({ type: 'named' });\n${script}`, args);
    // Listening first: an IPC message that arrives while nobody listens is lost.
    const named = new Promise<void>((resolve, reject) => {
      child.process.on('message', (message: { type?: unknown }) => {
        if (message.type === 'named') resolve();
        else onMessage?.(message);
      });
      void child.exited.then(() => reject(new Error(`${this.name} exited at start: ${child.stderrTail() || 'no message'}`)));
    });
    named.catch(() => undefined);
    this.child = child;
    await this.ledger.addProcesses([{ pid: child.pid, startTime: child.startTime, command: `live ${this.name}` }]);
    await named;
    return child;
  }

  pause(): void {
    this.signal('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    this.signal('SIGCONT');
    this.paused = false;
  }

  isPaused(): boolean {
    return this.paused;
  }

  private signal(name: 'SIGSTOP' | 'SIGCONT'): void {
    const child = this.child;
    if (child && !child.hasExited()) child.process.kill(name);
  }

  async end(): Promise<void> {
    const child = this.child;
    if (!child) return;
    // A stopped process cannot handle SIGTERM: let it run again so that it ends at once.
    if (this.paused) this.resume();
    await endChild(child, 1000);
    await this.ledger.removeProcesses([child.pid]);
  }

  dispose(): Promise<void> {
    return this.end();
  }
}

/** One process keeping `threads` cores busy, as a report job stuck in a loop would. */
class RunawayProcess extends NamedProcessFault implements LiveFault {
  readonly kind = 'runaway_cpu' as const;
  readonly directory = null;
  readonly title: string;
  readonly expected: ExpectedRootCause;

  constructor(
    name: string,
    private readonly threads: number,
    ledger: Ledger,
  ) {
    super(name, ledger);
    this.title = `a runaway process (${name})`;
    this.expected = { category: 'cpu_spike', culprit: name };
  }

  preflight(): Promise<string | null> {
    return Promise.resolve(linuxOnly());
  }

  async start(): Promise<void> {
    // Extra busy loops run as threads of the same process, so that `ps` shows one process at N x 100 %.
    const script = `
const threads = Number(process.argv[1]);
if (threads > 1) {
  const { Worker } = require('node:worker_threads');
  for (let i = 1; i < threads; i += 1) new Worker(${JSON.stringify(BUSY_WORKER)}, { eval: true });
}
${BUSY_WORKER}`;
    await this.spawnNamed(script, [String(this.threads)]);
  }

  describe(): string {
    const target = this.target();
    return target?.kind === 'process'
      ? `${this.name} (pid ${target.pid}) keeps ${this.threads} core${this.threads === 1 ? '' : 's'} busy`
      : `${this.name} is not running`;
  }
}

/**
 * One process whose memory grows at a steady rate up to a limit, and is held there. It starts before
 * the baseline, as a long-running service does, and begins to leak when the fault starts.
 */
class LeakingProcess extends NamedProcessFault implements LiveFault {
  readonly kind = 'memory_leak' as const;
  readonly directory = null;
  readonly title: string;
  readonly expected: ExpectedRootCause;
  private allocatedBytes = 0;

  constructor(
    name: string,
    private readonly rateMbPerSecond: number,
    private readonly limitMb: number,
    private readonly dependencies: LiveFaultDependencies,
  ) {
    super(name, dependencies.ledger);
    this.title = `a process leaking memory (${name})`;
    this.expected = { category: 'memory_leak', culprit: name };
  }

  /** memory_pressure's own guard, for the leak's limit. */
  async preflight(): Promise<string | null> {
    const drills = this.dependencies.drills;
    const guard = createMemoryPressure({ ...drills.memory_pressure, size_mb: this.limitMb }, this.ledger);
    const refusal = await guard.preflight();
    return refusal?.replace(/lower drills\.memory_pressure\.size_mb/, 'lower the fault\'s limit_mb') ?? null;
  }

  override async prepare(): Promise<void> {
    const rateBytes = this.rateMbPerSecond * MiB;
    // Four chunks a second (at least 1 MiB each): a smooth line on a gauge sampled once a second.
    const chunkBytes = Math.max(MiB, Math.min(64 * MiB, Math.floor(rateBytes / 4)));
    const paceMs = Math.max(1, Math.round((chunkBytes / rateBytes) * 1000));
    // The allocator waits for the word to begin.
    const script = `process.on('message', (message) => { if (message.type !== 'leak') return;\n${ALLOCATOR}\n});`;
    await this.spawnNamed(script, [String(chunkBytes), String(this.limitMb * MiB), String(paceMs)], (message) => {
      const bytes = (message as { bytes?: unknown }).bytes;
      if (typeof bytes === 'number') this.allocatedBytes = bytes;
    });
  }

  async start(): Promise<void> {
    if (!this.child) await this.prepare();
    this.child?.process.send({ type: 'leak' });
  }

  describe(): string {
    const target = this.target();
    return target?.kind === 'process'
      ? `${this.name} (pid ${target.pid}) holds ${formatBytes(this.allocatedBytes)}, growing ${this.rateMbPerSecond} MB/s up to ${this.limitMb} MB`
      : `${this.name} is not running`;
  }
}

/** How often a held file checks that it is still there (deleted by a person, it is closed at once). */
const FILE_CHECK_MS = 250;

/**
 * A temporary file that grows at a steady rate up to a size, then is held. If someone deletes it,
 * firedrill closes it too, so that the space really comes back (an open deleted file keeps its blocks).
 */
class FillingFile implements LiveFault {
  readonly kind = 'disk_filling' as const;
  readonly title: string;
  readonly expected: ExpectedRootCause;
  readonly directory: string;
  private readonly file: string;
  private readonly controller = new AbortController();
  private writing: Promise<void> | undefined;
  private written = 0;
  private created = false;
  private ended = false;
  private paused = false;

  constructor(
    private readonly rateMbPerSecond: number,
    private readonly sizeMb: number,
    directory: string | undefined,
    private readonly dependencies: LiveFaultDependencies,
  ) {
    this.directory = path.resolve(directory ?? diskFillDirectory(dependencies.drills));
    this.file = path.join(this.directory, `firedrill-live-disk-${process.pid}-${uniqueSuffix()}.tmp`);
    this.title = `a temporary file filling the disk (${path.basename(this.file)})`;
    this.expected = { category: 'disk_exhaustion', culprit: path.basename(this.file) };
  }

  /** disk_fill's own guard (never at 90 % full, always 10 % left), for the fault's size and directory. */
  async preflight(): Promise<string | null> {
    const drills = this.dependencies.drills;
    const guard = createDiskFill({ ...drills, disk_fill: { ...drills.disk_fill, size_mb: this.sizeMb, directory: this.directory } }, this.dependencies.ledger);
    const refusal = await guard.preflight();
    return refusal?.replace(/lower drills\.disk_fill\.size_mb/, 'lower the fault\'s size_mb') ?? null;
  }

  async prepare(): Promise<void> {}

  probe(): null {
    return null;
  }

  async start(): Promise<void> {
    const refusal = await this.preflight();
    if (refusal) throw new Error(refusal);
    // Into the ledger and the emergency list before the file exists, so that no kill leaves it behind.
    await this.dependencies.ledger.addFile(this.file);
    trackFile(this.file);
    const handle = await open(this.file, 'wx', 0o600);
    this.created = true;
    this.writing = this.fill(handle);
  }

  private async fill(handle: FileHandle): Promise<void> {
    const signal = this.controller.signal;
    const startedAt = Date.now();
    const bytesPerMs = (this.rateMbPerSecond * MiB) / 1000;
    let pausedMs = 0;
    try {
      await writeFillBlocks(handle, this.sizeMb * MiB, signal, async (written) => {
        this.written = written;
        if (!(await this.stillThere())) throw new Error('deleted');
        if (written % (16 * MiB) === 0) {
          // Flushed as it grows, so that df (and the gauges) see the space go, and the disk guard acts in time.
          await handle.datasync();
          assertSpaceLeft(await readDisk(this.directory));
        }
        await waitOrAbort(startedAt + pausedMs + written / bytesPerMs - Date.now(), signal);
        while (this.paused && !signal.aborted) {
          const since = Date.now();
          await waitOrAbort(FILE_CHECK_MS, signal);
          pausedMs += Date.now() - since;
        }
      });
      await handle.datasync();
      while (!signal.aborted && (await this.stillThere())) await waitOrAbort(FILE_CHECK_MS, signal);
    } catch {
      // Deleted by someone, out of space, or a write error: the fault ends here either way.
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  private async stillThere(): Promise<boolean> {
    try {
      await stat(this.file);
      return true;
    } catch {
      return false;
    }
  }

  async isPresent(): Promise<boolean> {
    return this.created && !this.ended && (await this.stillThere());
  }

  target(): FaultTarget | null {
    return this.created && !this.ended ? { kind: 'file', path: this.file, bytes: this.written } : null;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  isPaused(): boolean {
    return this.paused;
  }

  async end(): Promise<void> {
    if (!this.created || this.ended) return;
    this.ended = true;
    this.controller.abort();
    await this.writing;
    await unlink(this.file).catch(() => undefined);
    untrackFile(this.file);
    await this.dependencies.ledger.removeFile(this.file);
  }

  dispose(): Promise<void> {
    return this.end();
  }

  describe(): string {
    return `${this.file} holds ${formatBytes(this.written)}, growing ${this.rateMbPerSecond} MB/s up to ${this.sizeMb} MB`;
  }
}

/** The canary service under a plausible name: healthy during the baseline, then down. */
class ServiceDown implements LiveFault {
  readonly kind = 'service_down' as const;
  readonly directory = null;
  readonly title: string;
  readonly expected: ExpectedRootCause;
  private readonly canary: CanaryService;
  private down = false;

  constructor(
    private readonly name: string,
    ledger: Ledger,
  ) {
    this.canary = new CanaryService(ledger, { processTitle: name });
    this.title = `a service that went down (${name})`;
    this.expected = { category: 'service_down', culprit: name };
  }

  preflight(): Promise<string | null> {
    return Promise.resolve(linuxOnly());
  }

  probe(): { name: string; url: string } {
    return { name: this.name, url: this.canary.healthUrl() };
  }

  async prepare(): Promise<void> {
    await this.canary.start();
  }

  async start(): Promise<void> {
    await this.canary.stop();
    this.down = true;
  }

  async isPresent(): Promise<boolean> {
    return this.down && !(await this.canary.healthy());
  }

  target(): FaultTarget | null {
    return { kind: 'service', name: this.name, url: this.canary.healthUrl() };
  }

  /** A service that is down stays down: there is nothing to hold. */
  pause(): void {}

  resume(): void {}

  isPaused(): boolean {
    return false;
  }

  /** Restarts the service: the fault is over when it answers again. */
  async end(): Promise<void> {
    if (!this.down) return;
    this.down = false;
    if (this.canary.pid() === null) await this.canary.start();
  }

  async dispose(): Promise<void> {
    this.down = false;
    await this.canary.dispose();
  }

  describe(): string {
    const pid = this.canary.pid();
    return pid === null ? `${this.name} is down (${this.canary.label()})` : `${this.name} (pid ${pid}) serves ${this.canary.healthUrl()}`;
  }
}
