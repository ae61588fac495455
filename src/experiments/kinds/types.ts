import type { z } from 'zod';
import type { FiredrillConfig } from '../../config/config.js';
import type { Ledger } from '../../drills/ledger.js';
import type { MonitoringEndpoint } from '../../monitor/alerts/http.js';
import type { FiredrillPaths } from '../../paths.js';
import type { Supervisor } from '../../supervise/supervisor.js';

/**
 * The extension points of the experiment engine. Four registries (src/experiments/kinds/index.ts)
 * hold the kinds an experiment file can name:
 * - services: programs the experiment runs for its duration, usually under the supervisor
 *   (the canary; issue 12: the PostgreSQL sandbox, the fault proxy, the demo app);
 * - probes: one measurement of the steady state (HTTP, TCP, command, Prometheus; issue 12: a
 *   PostgreSQL query);
 * - faults: what the method does to the system (every drill, kill a process, stop a service;
 *   issue 12: network faults through the proxy, PostgreSQL faults);
 * - actions: the rollbacks (a command, start a service again).
 * Each kind brings the zod schema of its part of the file (a strictObject with `kind: z.literal`,
 * every number bounded), and create(spec, context) for the object the engine drives. The engine
 * validates everything before it starts anything, so create() may trust its spec.
 */

/** As in the chaos runbook: service chaos low; network and resource medium; database and full stack high. */
export type Risk = 'low' | 'medium' | 'high';

export const RISKS: readonly Risk[] = ['low', 'medium', 'high'];

export function riskRank(risk: Risk): number {
  return RISKS.indexOf(risk);
}

/** What every kind's create() gets from the engine. */
export interface KindContext {
  /** Aborted when the experiment is stopped (Ctrl-C, q, SIGTERM): give up waiting, then clean up. */
  signal: AbortSignal;
  /** Record what you create BEFORE creating it; firedrill cleanup undoes it after a kill -9. */
  ledger: Ledger;
  paths: FiredrillPaths;
  config: FiredrillConfig;
  env: NodeJS.ProcessEnv;
  /** The user's Prometheus (flag, environment or config), for probes that query it. */
  prometheus?: MonitoringEndpoint;
  /** A service this experiment started, by its id (the loader has checked that it exists). */
  service(id: string): ExperimentService;
  /** Replaces `${service.key}` (e.g. `${canary.url}`) with the running service's endpoints. */
  resolve(text: string): string;
  /** A line for the console and the journal ("allocated 3 of 10 chunks"). */
  progress(message: string): void;
}

/** Common to every kind: how the file names it and how a person reads it. */
interface KindBase<S extends { kind: string }> {
  kind: S['kind'];
  /** z.strictObject({ kind: z.literal('...'), ... }) with bounds on every number, string and list. */
  schema: z.ZodObject;
  /** One line for the picker, the journal and the report: "GET ${canary.url}/health, 200 within 250 ms". */
  describe(spec: S): string;
  /** Ids of the experiment's services this spec refers to (checked when the file is loaded). */
  serviceRefs?(spec: S): string[];
}

// ---- services -------------------------------------------------------------------------------

/** A program the experiment runs from before the steady-state check until after the rollbacks. */
export interface ExperimentService {
  readonly id: string;
  /** "the canary service on 127.0.0.1:41234". */
  label(): string;
  /** Values probes and faults refer to as `${id.key}`: at least the keys the kind's `endpointKeys` lists. */
  endpoints(): Record<string, string>;
  /** When firedrill supervises it: process faults kill its instance, service faults stop and start it. */
  readonly supervisor?: Supervisor;
  /** Resolves once it serves; rejects with a sentence when it cannot. */
  start(signal: AbortSignal): Promise<void>;
  /** Stops it and removes what it created; idempotent. */
  stop(): Promise<void>;
  /** Stops serving without being torn down, for service faults (default: supervisor.stop()). */
  pause?(): Promise<void>;
  /** Serves again after pause() (default: supervisor.start()). */
  resume?(): Promise<void>;
}

export interface ServiceKind<S extends { kind: string; id: string } = { kind: string; id: string }> extends KindBase<S> {
  /** The `${id.key}` keys its endpoints() will hold, so that the loader can check references. */
  endpointKeys: readonly string[];
  risk(spec: S): Risk;
  create(spec: S, context: Omit<KindContext, 'service' | 'resolve'>): ExperimentService;
}

// ---- probes ---------------------------------------------------------------------------------

/** One run of a probe. */
export interface ProbeOutcome {
  /** Within tolerance. */
  ok: boolean;
  /** Wall time of the probe; meaningful only for probes that measure latency. */
  latencyMs: number;
  /** The number the tolerance was checked against (a Prometheus value, an exit code...), when there is one. */
  value?: number;
  /** "200 in 3.1 ms", "connection refused", "exit 1: no space". */
  detail: string;
}

export interface Probe {
  /** Never rejects: a failure is an outcome with ok false. Must end by the probe's own timeout. */
  run(signal: AbortSignal): Promise<ProbeOutcome>;
  close?(): Promise<void>;
}

export interface ProbeKind<S extends { kind: string } = { kind: string }> extends KindBase<S> {
  /** HTTP, TCP, a query: their latency goes into the percentiles and the sparkline. */
  measuresLatency: boolean;
  /** A reason this probe cannot run here (no Prometheus URL configured...), found before anything starts. */
  check?(spec: S, context: { prometheus?: MonitoringEndpoint; env: NodeJS.ProcessEnv }): string | null;
  create(spec: S, context: KindContext): Probe;
}

// ---- faults ---------------------------------------------------------------------------------

export interface Fault {
  /**
   * Records in the ledger whatever undoing it needs, then acts; resolves once the fault is in
   * place. Rejects with a sentence when it cannot act (the engine then stops and rolls back).
   */
  start(): Promise<void>;
  /** Undoes the fault. Idempotent, and safe when start() failed or never ran. */
  stop(): Promise<void>;
  /** While held: a sentence when the fault ended by itself or broke (a drill that failed), else undefined. */
  problem?(): string | undefined;
}

export interface FaultKind<S extends { kind: string } = { kind: string }> extends KindBase<S> {
  /**
   * held: in place from start() until stop(), for the step's duration_seconds (a CPU load, a
   * stopped service); instant: done once by start() (a kill), the step has no duration.
   */
  mode: 'held' | 'instant';
  risk(spec: S): Risk;
  /** A reason this fault cannot run here (not Linux, systemd missing...), found before anything starts. */
  check?(spec: S, context: { config: FiredrillConfig; env: NodeJS.ProcessEnv }): string | null | Promise<string | null>;
  create(spec: S, context: KindContext): Fault;
}

// ---- actions (rollbacks) --------------------------------------------------------------------

export interface Action {
  /** Resolves with a line for the journal; rejects with a sentence. Ends by its own timeout. */
  run(signal: AbortSignal): Promise<string>;
}

export interface ActionKind<S extends { kind: string } = { kind: string }> extends KindBase<S> {
  risk(spec: S): Risk;
  create(spec: S, context: KindContext): Action;
}
