import { endChild, type Child } from '../drills/children.js';
import type { Ledger } from '../drills/ledger.js';

/**
 * A process supervisor in the spirit of systemd's service units, for the programs firedrill runs
 * itself (the canary, and issue 12's PostgreSQL sandbox, fault proxy and demo app):
 * - Restart= `no` | `on-failure` | `always`, with RestartSec= (restartDelayMs);
 * - StartLimitBurst= / StartLimitIntervalSec=: more starts than the burst within the interval and
 *   the unit is `failed` until started again by hand;
 * - TimeoutStartSec= (readyTimeoutMs) and TimeoutStopSec= (stopTimeoutMs: SIGTERM, then SIGKILL);
 * - a health check (like a liveness probe): after N failures in a row the instance is killed and
 *   counts as failed, so the restart policy applies;
 * - an event for every transition, for the experiment engine, the console and the tests.
 * Every instance is a child under pdeathsig (src/drills/children.ts), recorded in the cleanup
 * ledger while it lives. A deliberate stop() is never restarted, as with `systemctl stop`.
 * https://www.freedesktop.org/software/systemd/man/latest/systemd.service.html#Restart=
 */

export type RestartPolicy = 'no' | 'on-failure' | 'always';

export const RESTART_POLICIES: readonly RestartPolicy[] = ['no', 'on-failure', 'always'];

/** One running instance of the program, as its spawn() hands it over. */
export interface ProgramInstance {
  child: Child;
  /** Resolves once the instance serves (the canary's "listening" message...); rejects if it cannot. */
  ready: Promise<void>;
}

/** What is supervised: how to start one instance and, optionally, how to stop it gracefully. */
export interface SupervisedProgram {
  /** For events and messages: "the canary", "postgres". */
  name: string;
  /** Starts one instance under pdeathsig (spawnChild / spawnNodeChild). */
  spawn(): Promise<ProgramInstance>;
  /** A graceful stop (pg_ctl stop -m fast ...); default: SIGTERM, then SIGKILL after stopTimeoutMs. */
  stop?(child: Child, timeoutMs: number): Promise<void>;
}

export interface HealthCheck {
  /** True while the instance is healthy; must not throw (a throw counts as unhealthy). */
  check(signal: AbortSignal): Promise<boolean>;
  intervalMs: number;
  /** Failures in a row before the instance is killed and counted as failed. */
  failuresBeforeRestart: number;
}

export interface SupervisorOptions {
  restart: RestartPolicy;
  /** RestartSec=: the wait between an exit and the next start. */
  restartDelayMs: number;
  /** StartLimitBurst= starts within StartLimitIntervalSec=; one more and the unit is failed. */
  startLimit: { burst: number; intervalMs: number };
  /** TimeoutStartSec=: an instance not ready by then is killed and counts as failed. */
  readyTimeoutMs: number;
  /** TimeoutStopSec=: the grace between SIGTERM and SIGKILL. */
  stopTimeoutMs: number;
  health?: HealthCheck;
  /** Each instance is recorded here while it lives (firedrill cleanup ends it after a kill -9). */
  ledger?: Ledger;
}

export const DEFAULT_SUPERVISOR_OPTIONS: SupervisorOptions = {
  restart: 'on-failure',
  restartDelayMs: 100,
  // systemd's defaults: DefaultStartLimitBurst=5 within DefaultStartLimitIntervalSec=10s.
  startLimit: { burst: 5, intervalMs: 10_000 },
  readyTimeoutMs: 10_000,
  stopTimeoutMs: 2_000,
};

/** inactive: never started or stopped by hand; failed: gave up (start limit, or no restart after a failure). */
export type SupervisorState = 'inactive' | 'starting' | 'running' | 'restarting' | 'stopping' | 'failed';

export type SupervisorEvent =
  | { type: 'starting'; at: number; name: string; attempt: number }
  | { type: 'started'; at: number; name: string; pid: number }
  | { type: 'ready'; at: number; name: string; pid: number; startupMs: number }
  | { type: 'unhealthy'; at: number; name: string; pid: number; failures: number }
  | {
      type: 'exited';
      at: number;
      name: string;
      pid: number;
      code: number | null;
      signal: NodeJS.Signals | null;
      /** False for a stop() asked for by firedrill; true for a crash, a kill, or a failed readiness or health check. */
      unexpected: boolean;
    }
  | { type: 'restart-scheduled'; at: number; name: string; inMs: number; restarts: number }
  | { type: 'start-limit-hit'; at: number; name: string; starts: number; intervalMs: number }
  | { type: 'stopping'; at: number; name: string; pid: number | null }
  | { type: 'stopped'; at: number; name: string }
  | { type: 'failed'; at: number; name: string; reason: string };

/** Exit by these signals is a clean exit for `on-failure`, as in systemd. */
const CLEAN_SIGNALS: ReadonlySet<string> = new Set(['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGPIPE']);

export class SupervisorError extends Error {
  override name = 'SupervisorError';
}

interface Current {
  instance: ProgramInstance;
  /** Set when firedrill itself ended this instance: a failed check (counts as a failure) or stop(). */
  endedBy?: 'stop' | 'readiness' | 'health';
  readyAt?: number;
}

export class Supervisor {
  private readonly options: SupervisorOptions;
  private current: Current | undefined;
  private currentState: SupervisorState = 'inactive';
  private readonly listeners = new Set<(event: SupervisorEvent) => void>();
  private readonly startTimes: number[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private healthController: AbortController | undefined;
  private restartCount = 0;
  private attempts = 0;
  /** Bumped by stop(): a launch that was under way when stop() came ends what it started. */
  private generation = 0;
  private lastFailure = '';

  constructor(
    readonly program: SupervisedProgram,
    options: Partial<SupervisorOptions> = {},
  ) {
    this.options = { ...DEFAULT_SUPERVISOR_OPTIONS, ...options };
  }

  /** Listens to every transition; returns the function that stops listening. */
  on(listener: (event: SupervisorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  state(): SupervisorState {
    return this.currentState;
  }

  /** The pid of the live instance, or null. */
  pid(): number | null {
    const child = this.current?.instance.child;
    return child && !child.hasExited() ? child.pid : null;
  }

  /** Restarts done by the policy since the last start() (systemd's NRestarts). */
  restarts(): number {
    return this.restartCount;
  }

  /**
   * Starts the program (also from `failed`: like `systemctl reset-failed` then `start`) and
   * resolves once an instance is ready. Rejects when it ends `failed` or stopped before that.
   */
  async start(): Promise<void> {
    if (this.currentState === 'running') return;
    if (this.currentState === 'stopping') await this.waitFor((state) => state !== 'stopping');
    if (this.currentState === 'inactive' || this.currentState === 'failed') {
      this.startTimes.length = 0;
      this.restartCount = 0;
      this.attempts = 0;
      void this.launch();
    }
    const reached = await this.waitFor((state) => state === 'running' || state === 'failed' || state === 'inactive');
    if (reached !== 'running') {
      throw new SupervisorError(`${this.program.name} did not start: ${this.lastFailure || reached}`);
    }
  }

  /** A deliberate stop: no restart follows. Resolves once the instance has exited. */
  async stop(): Promise<void> {
    this.generation += 1;
    this.cancelRestart();
    const current = this.current;
    if (!current) {
      if (this.currentState !== 'inactive' && this.currentState !== 'failed') this.setState('inactive');
      if (this.currentState === 'inactive') this.emit({ type: 'stopped', at: Date.now(), name: this.program.name });
      return;
    }
    current.endedBy = 'stop';
    this.setState('stopping');
    this.emit({ type: 'stopping', at: Date.now(), name: this.program.name, pid: current.instance.child.pid });
    await this.endInstance(current.instance.child);
    await this.waitFor((state) => state !== 'stopping');
  }

  /**
   * Sends `signal` to the live instance, as a crash or an operator's kill would: the restart
   * policy applies. Returns the pid that got it, or null when nothing was running.
   */
  kill(signal: NodeJS.Signals = 'SIGKILL'): number | null {
    const child = this.current?.instance.child;
    if (!child || child.hasExited()) return null;
    child.process.kill(signal);
    return child.pid;
  }

  /** Resolves with the state once `predicate` holds for it (checked now and on every transition). */
  waitFor(predicate: (state: SupervisorState) => boolean, timeoutMs?: number, signal?: AbortSignal): Promise<SupervisorState> {
    if (predicate(this.currentState)) return Promise.resolve(this.currentState);
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (outcome: () => void) => {
        off();
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      const off = this.onState(() => {
        if (predicate(this.currentState)) finish(() => resolve(this.currentState));
      });
      const onAbort = () => finish(() => reject(new SupervisorError(`stopped waiting for ${this.program.name}`)));
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) {
        timer = setTimeout(
          () => finish(() => reject(new SupervisorError(`${this.program.name} is still ${this.currentState} after ${timeoutMs} ms`))),
          timeoutMs,
        );
      }
    });
  }

  private readonly stateListeners = new Set<() => void>();

  private onState(listener: () => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private setState(state: SupervisorState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    for (const listener of [...this.stateListeners]) listener();
  }

  private emit(event: SupervisorEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A listener's trouble must not break supervision.
      }
    }
  }

  private cancelRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  /** True when one more start stays within the start limit. */
  private takeStartSlot(now: number): boolean {
    const { burst, intervalMs } = this.options.startLimit;
    while (this.startTimes.length > 0 && now - this.startTimes[0]! > intervalMs) this.startTimes.shift();
    if (this.startTimes.length >= burst) return false;
    this.startTimes.push(now);
    return true;
  }

  private fail(reason: string): void {
    this.lastFailure = reason;
    this.setState('failed');
    this.emit({ type: 'failed', at: Date.now(), name: this.program.name, reason });
  }

  private async launch(): Promise<void> {
    const { name } = this.program;
    const now = Date.now();
    if (!this.takeStartSlot(now)) {
      const { burst, intervalMs } = this.options.startLimit;
      this.emit({ type: 'start-limit-hit', at: now, name, starts: this.startTimes.length, intervalMs });
      this.fail(`started ${burst} times within ${intervalMs / 1000} s (the start limit)`);
      return;
    }
    this.attempts += 1;
    this.setState('starting');
    this.emit({ type: 'starting', at: now, name, attempt: this.attempts });
    const generation = this.generation;
    let instance: ProgramInstance;
    try {
      instance = await this.program.spawn();
    } catch (error) {
      if (generation === this.generation) this.afterFailure(`could not be started: ${(error as Error).message}`);
      return;
    }
    if (generation !== this.generation) {
      // stop() came while it was being spawned.
      await endChild(instance.child, this.options.stopTimeoutMs);
      return;
    }
    const current: Current = { instance };
    this.current = current;
    const { child } = instance;
    void child.exited.then((exit) => this.onExit(current, exit));
    this.emit({ type: 'started', at: Date.now(), name, pid: child.pid });
    await this.options.ledger?.addProcesses([{ pid: child.pid, startTime: child.startTime, command: `supervised ${name}` }]);

    let readyTimer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      readyTimer = setTimeout(() => reject(new Error(`not ready within ${this.options.readyTimeoutMs} ms`)), this.options.readyTimeoutMs);
    });
    try {
      await Promise.race([instance.ready, timedOut]);
    } catch (error) {
      if (this.current === current && current.endedBy === undefined && !child.hasExited()) {
        current.endedBy = 'readiness';
        this.lastFailure = (error as Error).message;
        child.process.kill('SIGKILL');
      }
      return;
    } finally {
      clearTimeout(readyTimer);
    }
    if (this.current !== current || current.endedBy !== undefined || child.hasExited()) return;
    current.readyAt = Date.now();
    this.setState('running');
    this.emit({ type: 'ready', at: current.readyAt, name, pid: child.pid, startupMs: current.readyAt - now });
    this.watchHealth(current);
  }

  private watchHealth(current: Current): void {
    const health = this.options.health;
    if (!health) return;
    const controller = new AbortController();
    this.healthController = controller;
    let failures = 0;
    const tick = async (): Promise<void> => {
      if (controller.signal.aborted || this.current !== current) return;
      let healthy: boolean;
      try {
        healthy = await health.check(controller.signal);
      } catch {
        healthy = false;
      }
      if (controller.signal.aborted || this.current !== current) return;
      failures = healthy ? 0 : failures + 1;
      if (failures >= health.failuresBeforeRestart && current.endedBy === undefined) {
        const { child } = current.instance;
        this.emit({ type: 'unhealthy', at: Date.now(), name: this.program.name, pid: child.pid, failures });
        current.endedBy = 'health';
        this.lastFailure = `failed its health check ${failures} times in a row`;
        child.process.kill('SIGKILL');
        return;
      }
      timer = setTimeout(() => void tick(), health.intervalMs);
    };
    let timer = setTimeout(() => void tick(), health.intervalMs);
    controller.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  }

  private async onExit(current: Current, exit: { code: number | null; signal: NodeJS.Signals | null }): Promise<void> {
    const { child } = current.instance;
    await this.options.ledger?.removeProcesses([child.pid]).catch(() => undefined);
    if (this.current !== current) return;
    this.current = undefined;
    this.healthController?.abort();
    this.healthController = undefined;
    const deliberate = current.endedBy === 'stop';
    this.emit({
      type: 'exited',
      at: Date.now(),
      name: this.program.name,
      pid: child.pid,
      code: exit.code,
      signal: exit.signal,
      unexpected: !deliberate,
    });
    if (deliberate) {
      this.setState('inactive');
      this.emit({ type: 'stopped', at: Date.now(), name: this.program.name });
      return;
    }
    const failedCheck = current.endedBy === 'readiness' || current.endedBy === 'health';
    const clean = !failedCheck && (exit.code === 0 || (exit.signal !== null && CLEAN_SIGNALS.has(exit.signal)));
    const reason = failedCheck
      ? this.lastFailure
      : exit.signal !== null
        ? `killed by ${exit.signal}`
        : `exited with code ${exit.code}${child.stderrTail() ? `: ${child.stderrTail().split('\n').pop()}` : ''}`;
    this.afterFailure(reason, clean);
  }

  /** After an instance ended on its own (or could not start): restart per the policy, or give up. */
  private afterFailure(reason: string, clean = false): void {
    this.lastFailure = reason;
    const restart = this.options.restart === 'always' || (this.options.restart === 'on-failure' && !clean);
    if (!restart) {
      if (clean) {
        this.setState('inactive');
        this.emit({ type: 'stopped', at: Date.now(), name: this.program.name });
      } else {
        this.fail(reason);
      }
      return;
    }
    this.setState('restarting');
    this.restartCount += 1;
    this.emit({
      type: 'restart-scheduled',
      at: Date.now(),
      name: this.program.name,
      inMs: this.options.restartDelayMs,
      restarts: this.restartCount,
    });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.launch();
    }, this.options.restartDelayMs);
  }

  private async endInstance(child: Child): Promise<void> {
    if (child.hasExited()) return;
    if (this.program.stop) {
      try {
        await this.program.stop(child, this.options.stopTimeoutMs);
      } catch {
        // The graceful way failed: fall through to signals.
      }
    }
    await endChild(child, this.options.stopTimeoutMs);
  }
}
