import type { Ledger } from '../drills/ledger.js';
import { findProfile, loadProfiles } from './load.js';
import { MAX_PROCESSES } from './schema.js';
import type { ChaosResult, ChaosTrigger, WorkloadEvent, WorkloadProfile, WorkloadSummary } from './types.js';
import { Workload, WorkloadError } from './workload.js';

/**
 * Workloads run by a long-lived firedrill (`firedrill serve`): created, started, stopped and
 * probed by id, each engine's events consumed in the background. Together they never run more
 * than MAX_PROCESSES processes: a second workload must fit beside the first.
 */

const MAX_FINISHED = 50;

export class WorkloadCapacityError extends Error {
  override name = 'WorkloadCapacityError';
}

export type ManagedStatus = 'created' | 'starting' | 'running' | 'stopping' | 'finished' | 'failed';

export interface ManagedWorkload {
  readonly workload: Workload;
  status: ManagedStatus;
  readonly createdAt: number;
  summary: WorkloadSummary | null;
  reason: string | null;
}

export interface CreateWorkloadRequest {
  profile: string;
  processes?: number;
  durationMs?: number;
  seed?: number;
}

export interface WorkloadManagerOptions {
  ledger: Ledger;
  /** Default: the shipped workloads/ folder (or FIREDRILL_WORKLOADS_DIR). */
  profilesDir?: string;
  sampleIntervalMs?: number;
  /** Called once per workload that ran, after its processes are gone (history goes here). */
  onFinished?: (finished: Extract<WorkloadEvent, { type: 'finished' }>, workload: Workload) => Promise<void> | void;
  log?: (message: string) => void;
}

export class WorkloadManager {
  private readonly entries = new Map<string, ManagedWorkload & { controller: AbortController; done: Promise<void> | null }>();

  constructor(private readonly options: WorkloadManagerOptions) {}

  profiles(): { profiles: WorkloadProfile[]; errors: { file: string; message: string }[] } {
    return loadProfiles(this.options.profilesDir);
  }

  /** Throws WorkloadError for an unknown profile or a plan that cannot run here. */
  create(request: CreateWorkloadRequest): ManagedWorkload {
    let profile: WorkloadProfile;
    try {
      profile = findProfile(request.profile, this.options.profilesDir);
    } catch (error) {
      throw new WorkloadError((error as Error).message);
    }
    const workload = new Workload({
      profile,
      ledger: this.options.ledger,
      ...(request.processes === undefined ? {} : { processes: request.processes }),
      ...(request.durationMs === undefined ? {} : { durationMs: request.durationMs }),
      ...(request.seed === undefined ? {} : { seed: request.seed }),
      ...(this.options.sampleIntervalMs === undefined ? {} : { sampleIntervalMs: this.options.sampleIntervalMs }),
    });
    this.forgetOldest();
    const entry = { workload, status: 'created' as ManagedStatus, createdAt: Date.now(), summary: null, reason: null, controller: new AbortController(), done: null };
    this.entries.set(workload.id, entry);
    return entry;
  }

  /** Forgets a workload that was created and never started (its start was refused). */
  discard(id: string): void {
    if (this.entries.get(id)?.status === 'created') this.entries.delete(id);
  }

  get(id: string): ManagedWorkload | undefined {
    return this.entries.get(id);
  }

  list(): ManagedWorkload[] {
    return [...this.entries.values()];
  }

  /** The workloads whose processes are alive (for /metrics). */
  *active(): Iterable<Workload> {
    for (const entry of this.entries.values()) if (entry.status === 'starting' || entry.status === 'running' || entry.status === 'stopping') yield entry.workload;
  }

  /** Starts a created workload in the background. WorkloadCapacityError when it would not fit. */
  start(id: string): ManagedWorkload | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.status !== 'created') throw new WorkloadError(`workload ${id} is ${entry.status}; only a created workload can be started`);
    const busy = [...this.active()].reduce((sum, workload) => sum + workload.requested, 0);
    if (busy + entry.workload.requested > MAX_PROCESSES) {
      throw new WorkloadCapacityError(
        `workload ${id} needs ${entry.workload.requested} processes and ${busy} are already running; together they may run ${MAX_PROCESSES}`,
      );
    }
    entry.status = 'starting';
    entry.done = this.consume(entry);
    return entry;
  }

  private async consume(entry: ManagedWorkload & { controller: AbortController }): Promise<void> {
    let finished: Extract<WorkloadEvent, { type: 'finished' }> | undefined;
    try {
      for await (const event of entry.workload.run(entry.controller.signal)) {
        if (event.type === 'started') entry.status = 'running';
        if (event.type === 'finished') {
          finished = event;
          entry.status = event.status;
          entry.summary = event.summary;
          entry.reason = event.reason;
        }
      }
    } catch (error) {
      entry.status = 'failed';
      entry.reason = (error as Error).message;
      this.options.log?.(`workload ${entry.workload.id}: ${entry.reason}`);
    }
    if (finished) {
      try {
        await this.options.onFinished?.(finished, entry.workload);
      } catch (error) {
        this.options.log?.(`workload ${entry.workload.id}: could not be kept in history: ${(error as Error).message}`);
      }
    }
  }

  /** Stops a workload and waits until its processes are gone; undefined for an unknown id. */
  async stop(id: string): Promise<{ entry: ManagedWorkload; previousStatus: ManagedStatus } | undefined> {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    const previousStatus = entry.status;
    if (entry.status === 'created') {
      entry.status = 'finished';
      entry.reason = 'stopped before it started';
      return { entry, previousStatus };
    }
    if (entry.status === 'starting' || entry.status === 'running') entry.status = 'stopping';
    entry.controller.abort(new Error('stopped through the API'));
    await entry.done;
    return { entry, previousStatus };
  }

  /** Applies a chaos trigger to one running workload. Throws WorkloadError when it cannot. */
  chaos(id: string, trigger: ChaosTrigger): ChaosResult | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    return entry.workload.chaos(trigger);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((id) => this.stop(id)));
  }

  private forgetOldest(): void {
    const ended = [...this.entries.values()].filter((entry) => entry.status === 'finished' || entry.status === 'failed');
    for (const entry of ended.slice(0, Math.max(0, ended.length - MAX_FINISHED + 1))) this.entries.delete(entry.workload.id);
  }
}
