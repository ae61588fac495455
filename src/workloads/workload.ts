import { randomBytes } from 'node:crypto';
import type { Ledger } from '../drills/ledger.js';
import { seededRandom } from '../incidents/metric-series.js';
import { isSameProcessAlive, readCgroupMemoryRoom, readMemorySync, readProcessStat } from '../drills/proc.js';
import { detectAgentEngine, type AgentEngine } from './agent.js';
import { endAgent, openAgentPool, type AgentHandle, type AgentPool } from './pool.js';
import { ownCpuSeconds, readPssBytes, readProcStat } from './proc-stats.js';
import { MAX_PROCESSES, planCounts } from './schema.js';
import type {
  ChaosResult,
  ChaosTrigger,
  Priority,
  ProcessKind,
  ProcessSample,
  WorkloadEvent,
  WorkloadProcess,
  WorkloadProfile,
  WorkloadStatus,
  WorkloadSummary,
  WorkloadTotals,
} from './types.js';

/** What one agent costs before its own pattern memory (measured: 0.46 MiB PSS, about 0.6 MiB with the kernel's share). */
const AGENT_BASELINE_BYTES = 0.6 * 1024 * 1024;
/** A workload may plan to use at most this share of the memory that is available when it starts. */
const MEMORY_SHARE = 0.5;
/** Agents started at once: enough to start 1,000 in a few seconds without a fork storm. */
const START_CONCURRENCY = 32;
const STOP_GRACE_MS = 1000;
const GONE_WITHIN_MS = 2000;
const LEDGER_FLUSH_MS = 250;
/** Events worth keeping once they happened (samples and progress are not). */
const NOTABLE = new Set<WorkloadEvent['type']>(['churned', 'died', 'restarted', 'chaos', 'notice']);
const MAX_NOTABLE = 100;
/** Samples between two reads of each process's PSS (the kernel walks its page tables for it). */
const PSS_EVERY = 10;
/** A CPU spike lasts at most this long. */
const MAX_CHAOS_SECONDS = 300;
export const MAX_LEAK_MB = 2048;
export const MAX_CHURN_BURST = MAX_PROCESSES;

export class WorkloadError extends Error {
  override name = 'WorkloadError';
}

export interface WorkloadOptions {
  profile: WorkloadProfile;
  /** Total processes; default the profile's own. */
  processes?: number;
  /** Stop after this long; default: until stopped. */
  durationMs?: number;
  /** Every agent's pid goes here right after it starts and leaves once it is gone. */
  ledger: Ledger;
  /** Default: perl when it runs here, else sh. */
  engine?: AgentEngine;
  /** Default 1000 ms: how often the processes are read from /proc. */
  sampleIntervalMs?: number;
  /** Default: a random seed. */
  seed?: number;
  id?: string;
}

interface Managed extends WorkloadProcess {
  agent: AgentHandle;
  kindSpec: ProcessKind;
  /** Its kind's instance number (`{n}` in the name); a restart keeps it, as a restarted service keeps its command line. */
  instance: number;
  lifetimeSeconds: number;
  /** Set when firedrill ends it, so that its exit is not reported as a death. */
  endingBy: 'churn' | 'chaos' | 'stop' | null;
  previousCpuSeconds: number | null;
  pssBytes: number | null;
}

type LedgerOp = { add: { pid: number; startTime: number; command: string } } | { remove: number };

/** Churn takes the lowest priority first and never a critical process. */
const CHURN_ORDER: readonly Priority[] = ['low', 'medium', 'high'];

/** The bytes a plan may take at its peak: each agent's baseline plus its kind's peak memory. */
export function plannedPeakBytes(profile: WorkloadProfile, counts: Map<string, number>): number {
  let bytes = 0;
  for (const kind of profile.kinds) bytes += (counts.get(kind.id) ?? 0) * (AGENT_BASELINE_BYTES + kind.memory.mb * 1024 * 1024);
  return bytes;
}

/** Memory this machine (or its container) can still give, or null off Linux. */
function memoryRoomBytes(): number | null {
  const available = readMemorySync()?.availableBytes ?? null;
  const cgroup = readCgroupMemoryRoom();
  if (available === null) return cgroup;
  return cgroup === null ? available : Math.min(available, cgroup);
}

/**
 * One running workload. `run(signal)` starts the processes and yields events until the duration
 * is over or the signal aborts, then ends every process and yields `finished`. Chaos triggers and
 * snapshots may be called while it runs (the API, the console's keys).
 */
export class Workload {
  readonly id: string;
  readonly profile: WorkloadProfile;
  readonly requested: number;
  readonly engine: AgentEngine;
  private readonly counts: Map<string, number>;
  private readonly random: () => number;
  private readonly ledger: Ledger;
  private readonly sampleIntervalMs: number;
  private readonly durationMs: number | undefined;
  private readonly live = new Map<number, Managed>();
  private readonly instanceNumbers = new Map<string, number>();
  private state: WorkloadStatus = 'starting';
  private readonly queue: WorkloadEvent[] = [];
  private wake: (() => void) | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<Managed>>();
  private readonly notable: { at: number; event: WorkloadEvent }[] = [];
  private pool: AgentPool | null = null;
  private launcher: { pid: number; startTime: number } | null = null;
  /** Set when the workload cannot go on (its launcher died): run() stops with it. */
  private failure: string | null = null;
  private ledgerOps: LedgerOp[] = [];
  private ledgerTimer: NodeJS.Timeout | null = null;
  private ledgerWork: Promise<void> = Promise.resolve();
  private lastSample: { at: number; totals: WorkloadTotals; processes: ProcessSample[] } | null = null;
  private lastOwnCpu = ownCpuSeconds();
  private sampleCount = 0;
  private lastSampleAt = Date.now();
  private readonly counters = { started: 0, churned: 0, died: 0, restarted: 0, chaos: 0 };
  private readonly peaks = { rssBytes: 0, pssBytes: 0, cpuPercent: 0, ownCpuSum: 0, ownCpuSamples: 0 };
  readonly startedAt = Date.now();
  private startMs = 0;

  constructor(options: WorkloadOptions) {
    this.profile = options.profile;
    this.requested = options.processes ?? options.profile.processes;
    if (!Number.isInteger(this.requested) || this.requested < 1 || this.requested > MAX_PROCESSES) {
      throw new WorkloadError(`a workload runs 1 to ${MAX_PROCESSES} processes, got ${this.requested}`);
    }
    try {
      this.counts = planCounts(this.profile, this.requested);
    } catch (error) {
      throw new WorkloadError((error as Error).message);
    }
    const engine = options.engine ?? detectAgentEngine();
    if (engine === null) throw new WorkloadError('workloads need perl or /bin/sh to run their processes; neither runs here');
    this.engine = engine;
    const room = memoryRoomBytes();
    const peak = plannedPeakBytes(this.profile, this.counts);
    if (room !== null && peak > room * MEMORY_SHARE) {
      const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
      throw new WorkloadError(
        `profile "${this.profile.id}" with ${this.requested} processes may take ${mib(peak)} at its peak, more than half of the ${mib(room)} this machine has available; ask for fewer processes`,
      );
    }
    this.ledger = options.ledger;
    this.sampleIntervalMs = options.sampleIntervalMs ?? 1000;
    this.durationMs = options.durationMs;
    // Lifetimes and victims come from a seeded generator, so that a workload can be replayed (--seed).
    this.random = seededRandom(options.seed ?? randomBytes(4).readUInt32LE(0));
    this.id = options.id ?? `wl_${randomBytes(4).toString('hex')}`;
  }

  get status(): WorkloadStatus {
    return this.state;
  }

  /** The processes alive now, in start order. */
  processes(): WorkloadProcess[] {
    return [...this.live.values()].filter((managed) => managed.endingBy === null).map(toPublic);
  }

  /** The latest /proc sample (null before the first). */
  latestSample(): { at: number; totals: WorkloadTotals; processes: ProcessSample[] } | null {
    return this.lastSample;
  }

  /** Counts since the start. */
  stats(): { started: number; churned: number; died: number; restarted: number; chaos: number } {
    return { ...this.counters };
  }

  /** Kinds and how many processes each was planned to have. */
  plannedCounts(): { kind: string; count: number }[] {
    return this.profile.kinds.map((kind) => ({ kind: kind.id, count: this.counts.get(kind.id) ?? 0 }));
  }

  /**
   * Applies a chaos trigger to this workload's own processes, and only those (pids are checked
   * against the ones it started). Throws WorkloadError for a trigger that cannot apply.
   */
  chaos(trigger: ChaosTrigger): ChaosResult {
    if (this.state !== 'running') throw new WorkloadError(`workload ${this.id} is ${this.state}, not running`);
    const alive = [...this.live.values()].filter((managed) => managed.endingBy === null);
    let result: ChaosResult;
    switch (trigger.action) {
      case 'cpu-spike': {
        this.needsCommands('cpu-spike');
        const percent = clamp(trigger.percent, 1, 100);
        const seconds = clamp(trigger.seconds, 1, MAX_CHAOS_SECONDS);
        const targets = alive.filter((managed) => matchesKind(managed, trigger.kind));
        if (targets.length === 0) throw new WorkloadError(`no running process of kind "${trigger.kind}" (kinds: ${this.kindList()})`);
        for (const managed of targets) managed.agent.send(`cpu ${percent} ${seconds}`);
        result = {
          action: 'cpu-spike',
          targets: targets.map(toPublic),
          message: `CPU spike: ${targets.length} ${trigger.kind} process(es) at ${percent} % of a core for ${seconds} s`,
        };
        break;
      }
      case 'memory-leak': {
        this.needsCommands('memory-leak');
        let target: Managed | undefined;
        if (trigger.pid !== undefined) {
          target = alive.find((managed) => managed.pid === trigger.pid);
          if (!target) throw new WorkloadError(`pid ${trigger.pid} is not a running process of workload ${this.id}`);
        } else {
          const candidates = alive.filter((managed) => (trigger.kind === undefined ? managed.priority !== 'critical' : matchesKind(managed, trigger.kind)));
          target = this.pick(candidates);
          if (!target) throw new WorkloadError(trigger.kind === undefined ? 'no running process to leak memory in' : `no running process of kind "${trigger.kind}" (kinds: ${this.kindList()})`);
        }
        const maxMb = clamp(trigger.maxMb, 1, MAX_LEAK_MB);
        const rate = clamp(trigger.mbPerSecond, 0.25, maxMb);
        const room = memoryRoomBytes();
        if (room !== null && maxMb * 2 ** 20 > room * MEMORY_SHARE) {
          throw new WorkloadError(`a leak of up to ${maxMb} MiB is more than half of the ${Math.round(room / 2 ** 20)} MiB available; ask for less`);
        }
        target.agent.send(`leak ${Math.round(rate * 1024)} ${Math.round(maxMb * 1024)}`);
        result = {
          action: 'memory-leak',
          targets: [toPublic(target)],
          message: `memory leak: ${target.name} (pid ${target.pid}) grows by ${rate} MiB/s up to ${maxMb} MiB more`,
        };
        break;
      }
      case 'kill': {
        const target = this.pick(alive.filter((managed) => managed.priority === trigger.priority));
        if (!target) throw new WorkloadError(`no running ${trigger.priority}-priority process to kill`);
        target.endingBy = 'chaos';
        target.agent.kill('SIGKILL');
        result = { action: 'kill', targets: [toPublic(target)], message: `killed ${target.name} (pid ${target.pid}, ${target.priority}) with SIGKILL` };
        break;
      }
      case 'churn-burst': {
        const count = clamp(Math.round(trigger.count), 1, MAX_CHURN_BURST);
        const ended: WorkloadProcess[] = [];
        for (let index = 0; index < count; index++) {
          const victim = this.churnOne('burst');
          if (!victim) break;
          ended.push(victim);
        }
        if (ended.length === 0) throw new WorkloadError('no process that churn may end (critical ones never churn)');
        result = { action: 'churn-burst', targets: ended, message: `churn burst: ${ended.length} process(es) ended and replaced` };
        break;
      }
    }
    this.counters.chaos++;
    this.emit({ type: 'chaos', result });
    return result;
  }

  async *run(signal: AbortSignal): AsyncGenerator<WorkloadEvent> {
    const stop = () => this.wakeUp();
    signal.addEventListener('abort', stop, { once: true });
    const outcome: { failure: string | null; reason: string; startDone: boolean } = { failure: null, reason: 'stopped', startDone: false };
    const starting = this.startAll(signal).then(
      () => {
        outcome.startDone = true;
        this.wakeUp();
      },
      (error: unknown) => {
        outcome.failure = `could not start the processes: ${(error as Error).message}`;
        this.wakeUp();
      },
    );
    try {
      this.emit({ type: 'starting', workloadId: this.id, profile: this.profile.id, processes: this.requested, engine: this.engine });
      for (;;) {
        while (this.queue.length > 0) yield this.queue.shift()!;
        if (this.failure !== null) outcome.failure ??= this.failure;
        if (outcome.failure !== null || signal.aborted || this.state === 'stopping') break;
        if (outcome.startDone && this.state === 'starting') {
          this.state = 'running';
          this.startMs = Date.now() - this.startedAt;
          this.emit({ type: 'started', workloadId: this.id, processes: this.live.size, elapsedMs: this.startMs });
          this.armTimers(() => {
            outcome.reason = 'duration over';
          });
          continue;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
      }
      if (signal.aborted) outcome.reason = abortReason(signal);
    } finally {
      // Runs even when the consumer stops iterating: every process is ended before anything else.
      signal.removeEventListener('abort', stop);
      this.state = 'stopping';
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      await starting;
      const leftBehind = await this.endAll();
      this.state = outcome.failure === null ? 'finished' : 'failed';
      while (this.queue.length > 0) yield this.queue.shift()!;
      yield {
        type: 'finished',
        status: outcome.failure === null ? 'finished' : 'failed',
        reason: outcome.failure ?? outcome.reason,
        summary: this.summary(leftBehind),
      };
    }
  }

  private fail(reason: string): void {
    this.failure ??= reason;
    this.wakeUp();
  }

  /** Ends the workload from outside (the API's stop): run() then cleans up and yields `finished`. */
  requestStop(): void {
    if (this.state === 'running' || this.state === 'starting') this.state = 'stopping';
    this.wakeUp();
  }

  private summary(leftBehind: number): WorkloadSummary {
    return {
      workloadId: this.id,
      profile: this.profile.id,
      engine: this.engine,
      requested: this.requested,
      startedAt: this.startedAt,
      finishedAt: Date.now(),
      startMs: this.startMs,
      processesStarted: this.counters.started,
      churned: this.counters.churned,
      died: this.counters.died,
      restarted: this.counters.restarted,
      chaos: this.counters.chaos,
      peakRssBytes: this.peaks.rssBytes,
      peakPssBytes: this.peaks.pssBytes,
      peakCpuPercent: this.peaks.cpuPercent,
      ownCpuPercent: this.peaks.ownCpuSamples === 0 ? 0 : this.peaks.ownCpuSum / this.peaks.ownCpuSamples,
      leftBehind,
    };
  }

  private emit(event: WorkloadEvent): void {
    this.queue.push(event);
    if (NOTABLE.has(event.type)) {
      this.notable.push({ at: Date.now(), event });
      if (this.notable.length > MAX_NOTABLE) this.notable.shift();
    }
    this.wakeUp();
  }

  /** The last churn, deaths, restarts, chaos and notices, oldest first (status answers, history). */
  recentEvents(): { at: number; event: WorkloadEvent }[] {
    return [...this.notable];
  }

  private wakeUp(): void {
    this.wake?.();
  }

  private every(ms: number, action: () => void): void {
    const tick = () => {
      this.timers.delete(timer);
      if (this.state !== 'running') return;
      action();
      timer = setTimeout(tick, ms);
      this.timers.add(timer);
    };
    let timer = setTimeout(tick, ms);
    this.timers.add(timer);
  }

  private armTimers(onDurationOver: () => void): void {
    this.sample();
    this.every(this.sampleIntervalMs, () => this.sample());
    if (this.profile.churnPerMinute > 0) {
      this.every(Math.max(10, 60_000 / this.profile.churnPerMinute), () => this.churnOne('rate'));
    }
    if (this.durationMs !== undefined) {
      const timer = setTimeout(() => {
        onDurationOver();
        this.requestStop();
      }, this.durationMs);
      this.timers.add(timer);
    }
  }

  private async startAll(signal: AbortSignal): Promise<void> {
    const pool = await openAgentPool(this.engine);
    this.pool = pool;
    if (pool.launcherPid !== null) {
      const startTime = readProcessStat(pool.launcherPid)?.startTime;
      if (startTime !== undefined) {
        this.launcher = { pid: pool.launcherPid, startTime };
        this.queueLedger({ add: { pid: pool.launcherPid, startTime, command: `workload ${this.id} launcher` } });
      }
    }
    void pool.broken.then((reason) => {
      if (this.state === 'starting' || this.state === 'running') this.fail(reason);
    });
    // Kinds interleaved by their share, so that a workload cut short by Ctrl-C still looks like the profile.
    const slots: { kind: ProcessKind; at: number }[] = [];
    for (const kind of this.profile.kinds) {
      const count = this.counts.get(kind.id) ?? 0;
      for (let index = 0; index < count; index++) slots.push({ kind, at: index / count });
    }
    const plan = slots.sort((a, b) => a.at - b.at).map((slot) => slot.kind);
    let next = 0;
    let started = 0;
    const worker = async () => {
      while (next < plan.length && !signal.aborted && this.state === 'starting') {
        const kind = plan[next++]!;
        await this.startProcess(kind);
        started++;
        if (started % 50 === 0 || started === plan.length) this.emit({ type: 'progress', started, of: plan.length });
      }
    };
    await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, plan.length) }, worker));
    await this.flushLedger();
  }

  /** Starts one agent; stop waits for every start in flight, so none can slip past it. */
  private startProcess(kind: ProcessKind, instance?: number): Promise<Managed> {
    const spawning = this.spawnAgent(kind, instance);
    this.inFlight.add(spawning);
    const settle = () => this.inFlight.delete(spawning);
    spawning.then(settle, settle);
    return spawning;
  }

  private async spawnAgent(kind: ProcessKind, restartOf?: number): Promise<Managed> {
    const instance = restartOf ?? (this.instanceNumbers.get(kind.id) ?? 0) + 1;
    if (restartOf === undefined) this.instanceNumbers.set(kind.id, instance);
    const lifetimeSeconds = kind.lifetime
      ? Math.round(kind.lifetime.minSeconds + this.random() * (kind.lifetime.maxSeconds - kind.lifetime.minSeconds))
      : 0;
    const name = kind.name.replace(/\{n\}/g, String(instance));
    const pool = this.pool;
    if (!pool) throw new Error('the workload has no process launcher');
    const agent = await pool.start({
      name,
      comm: kind.comm,
      cpuPattern: kind.cpu.pattern,
      cpuPercent: kind.cpu.percent,
      memoryPattern: kind.memory.pattern,
      memoryKib: kind.memory.mb * 1024,
      lifetimeSeconds,
      exitCode: kind.exitCode,
      openFiles: kind.openFiles,
      nice: kind.nice,
      rampSeconds: kind.rampSeconds,
      seed: Math.floor(this.random() * 2 ** 31),
    });
    const managed: Managed = {
      pid: agent.pid,
      startTime: agent.startTime ?? 0,
      name,
      comm: kind.comm,
      kind: kind.id,
      priority: kind.priority,
      cpuPattern: kind.cpu.pattern,
      memoryPattern: kind.memory.pattern,
      startedAt: Date.now(),
      agent,
      kindSpec: kind,
      instance,
      lifetimeSeconds,
      endingBy: null,
      previousCpuSeconds: null,
      pssBytes: null,
    };
    this.live.set(agent.pid, managed);
    this.counters.started++;
    if (agent.startTime !== null) this.queueLedger({ add: { pid: agent.pid, startTime: agent.startTime, command: `workload ${this.id} ${name}` } });
    void agent.exited.then(({ code, signal }) => this.onExit(managed, code, signal));
    return managed;
  }

  private onExit(managed: Managed, code: number | null, signal: NodeJS.Signals | null): void {
    this.live.delete(managed.pid);
    this.queueLedger({ remove: managed.pid });
    if (managed.endingBy === 'stop' || managed.endingBy === 'churn' || this.state === 'stopping') return;
    const byChaos = managed.endingBy === 'chaos';
    const ageMs = Date.now() - managed.startedAt;
    const byLifetime = !byChaos && managed.lifetimeSeconds > 0 && code === managed.kindSpec.exitCode && ageMs >= managed.lifetimeSeconds * 1000 - 1000;
    const failed = code !== 0 || signal !== null;
    const policy = managed.kindSpec.restart;
    const restart = policy === 'always' || (policy === 'on-failure' && failed);
    this.counters.died++;
    this.emit({
      type: 'died',
      process: toPublic(managed),
      code,
      signal,
      restart,
      cause: byChaos ? 'chaos' : byLifetime ? 'lifetime' : 'unexpected',
    });
    if (!restart) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.state === 'stopping') return;
      this.startProcess(managed.kindSpec, managed.instance).then(
        (replacement) => {
          this.counters.restarted++;
          this.emit({ type: 'restarted', previous: toPublic(managed), process: toPublic(replacement) });
        },
        (error: unknown) => this.emit({ type: 'notice', message: `could not restart ${managed.name}: ${(error as Error).message}` }),
      );
    }, managed.kindSpec.restartDelaySeconds * 1000);
    this.timers.add(timer);
  }

  /** Ends one process that churn may take (lowest priority first) and starts another of its kind. */
  private churnOne(reason: 'rate' | 'burst'): WorkloadProcess | null {
    for (const priority of CHURN_ORDER) {
      const victim = this.pick([...this.live.values()].filter((managed) => managed.endingBy === null && managed.priority === priority));
      if (!victim) continue;
      victim.endingBy = 'churn';
      void endAgent(victim.agent, STOP_GRACE_MS);
      this.counters.churned++;
      this.startProcess(victim.kindSpec).then(
        (replacement) => this.emit({ type: 'churned', ended: toPublic(victim), started: toPublic(replacement), reason }),
        (error: unknown) => {
          this.emit({ type: 'churned', ended: toPublic(victim), started: null, reason });
          this.emit({ type: 'notice', message: `could not start a replacement for ${victim.name}: ${(error as Error).message}` });
        },
      );
      return toPublic(victim);
    }
    return null;
  }

  private pick<T>(candidates: T[]): T | undefined {
    if (candidates.length === 0) return undefined;
    return candidates[Math.floor(this.random() * candidates.length)];
  }

  private needsCommands(action: string): void {
    if (this.engine === 'sh') {
      throw new WorkloadError(`${action} needs the perl engine: the sh engine's processes take no commands (install perl to use it)`);
    }
  }

  private kindList(): string {
    return this.profile.kinds.map((kind) => kind.id).join(', ');
  }

  private sample(): void {
    const now = Date.now();
    const elapsed = Math.max(0.001, (now - this.lastSampleAt) / 1000);
    const own = ownCpuSeconds();
    const ownCpuPercent = ((own - this.lastOwnCpu) / elapsed) * 100;
    this.lastOwnCpu = own;
    this.lastSampleAt = now;
    const processes: ProcessSample[] = [];
    let cpuPercent = 0;
    let rssBytes = 0;
    let pssBytes = 0;
    for (const managed of this.live.values()) {
      if (managed.endingBy !== null) continue;
      const stat = readProcStat(managed.pid);
      if (!stat) continue;
      const cpuSeconds = stat.userSeconds + stat.systemSeconds;
      const percent = managed.previousCpuSeconds === null ? 0 : Math.max(0, ((cpuSeconds - managed.previousCpuSeconds) / elapsed) * 100);
      managed.previousCpuSeconds = cpuSeconds;
      cpuPercent += percent;
      // PSS costs a page-table walk per process: refreshed every few samples only.
      if (managed.pssBytes === null || this.sampleCount % PSS_EVERY === 0) managed.pssBytes = readPssBytes(managed.pid) ?? 0;
      const own = managed.pssBytes;
      rssBytes += stat.rssBytes;
      pssBytes += own;
      // One object per process and sample (a thousand a second): filled in place rather than spread.
      const row = toPublic(managed) as ProcessSample;
      row.cpuPercent = percent;
      row.cpuSeconds = cpuSeconds;
      row.rssBytes = stat.rssBytes;
      row.pssBytes = own;
      row.threads = stat.threads;
      processes.push(row);
    }
    processes.sort((a, b) => b.cpuPercent - a.cpuPercent || b.rssBytes - a.rssBytes);
    const totals: WorkloadTotals = {
      processes: processes.length,
      cpuPercent,
      rssBytes,
      pssBytes,
      ownCpuPercent,
      churned: this.counters.churned,
      died: this.counters.died,
      restarted: this.counters.restarted,
    };
    this.peaks.rssBytes = Math.max(this.peaks.rssBytes, rssBytes);
    this.peaks.pssBytes = Math.max(this.peaks.pssBytes, pssBytes);
    this.peaks.cpuPercent = Math.max(this.peaks.cpuPercent, cpuPercent);
    // The first sample is taken right after the start, whose cost is not management.
    if (this.lastSample !== null) {
      this.peaks.ownCpuSum += ownCpuPercent;
      this.peaks.ownCpuSamples++;
    }
    this.lastSample = { at: now, totals, processes };
    this.sampleCount++;
    this.emit({ type: 'sample', at: now, totals, processes });
  }

  /** SIGTERM to every agent, SIGKILL to those still there after the grace; resolves with how many outlived it. */
  private async endAll(): Promise<number> {
    await Promise.allSettled([...this.inFlight]);
    const all = [...this.live.values()];
    for (const managed of all) managed.endingBy ??= 'stop';
    await Promise.all(all.map((managed) => endAgent(managed.agent, STOP_GRACE_MS)));
    await this.pool?.close();
    if (this.launcher) this.queueLedger({ remove: this.launcher.pid });
    // Their ends were reported by whoever reaped them; confirm through /proc all the same.
    const alive = () => all.filter((managed) => managed.startTime !== 0 && isSameProcessAlive(managed.pid, managed.startTime)).length;
    const deadline = Date.now() + GONE_WITHIN_MS;
    let left = alive();
    while (left > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      left = alive();
    }
    await this.flushLedger();
    return left;
  }

  private queueLedger(op: LedgerOp): void {
    this.ledgerOps.push(op);
    this.ledgerTimer ??= setTimeout(() => void this.flushLedger(), LEDGER_FLUSH_MS);
  }

  /**
   * Ledger changes go in batches: a thousand agents would otherwise rewrite the ledger a thousand
   * times. The agents die with firedrill through pdeathsig; the ledger is the second net.
   */
  private flushLedger(): Promise<void> {
    if (this.ledgerTimer) clearTimeout(this.ledgerTimer);
    this.ledgerTimer = null;
    const ops = this.ledgerOps;
    this.ledgerOps = [];
    // In order: a pid added and gone within the batch is never written; a pid reused after its
    // first owner ended is removed, then added again.
    const adds = new Map<number, { pid: number; startTime: number; command: string }>();
    const removes = new Set<number>();
    for (const op of ops) {
      if ('add' in op) adds.set(op.add.pid, op.add);
      else if (adds.has(op.remove)) adds.delete(op.remove);
      else removes.add(op.remove);
    }
    this.ledgerWork = this.ledgerWork
      .then(async () => {
        if (removes.size > 0) await this.ledger.removeProcesses([...removes]);
        if (adds.size > 0) await this.ledger.addProcesses([...adds.values()]);
      })
      .catch((error: unknown) => this.emit({ type: 'notice', message: `the cleanup ledger could not be written: ${(error as Error).message}` }));
    return this.ledgerWork;
  }
}

function toPublic(managed: Managed): WorkloadProcess {
  return {
    pid: managed.pid,
    startTime: managed.startTime,
    name: managed.name,
    comm: managed.comm,
    kind: managed.kind,
    priority: managed.priority,
    cpuPattern: managed.cpuPattern,
    memoryPattern: managed.memoryPattern,
    startedAt: managed.startedAt,
  };
}

/** A kind matches by its id, or by the executable name its processes show (nginx matches master and workers). */
function matchesKind(managed: Managed, kind: string): boolean {
  return managed.kind === kind || managed.comm === kind;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.message) return reason.message;
  return typeof reason === 'string' ? reason : 'stopped';
}
