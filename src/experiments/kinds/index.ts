import { commandAction, serviceStartAction } from './actions.js';
import { drillFault } from './fault-drill.js';
import { networkFault } from './fault-network.js';
import { postgresConnectionsFault, postgresCrashFault, sandboxKillFault, stackRestartFault } from './fault-postgres.js';
import { processKillFault } from './fault-process.js';
import { serviceStopFault } from './fault-service.js';
import { commandProbe } from './probe-command.js';
import { httpProbe } from './probe-http.js';
import { postgresProbe } from './probe-postgres.js';
import { prometheusProbe } from './probe-prometheus.js';
import { tcpProbe } from './probe-tcp.js';
import { canaryService } from './service-canary.js';
import { postgresSandboxService } from './service-postgres-sandbox.js';
import type { ActionKind, FaultKind, ProbeKind, ServiceKind } from './types.js';

/**
 * The registries: every kind an experiment file may name. A new kind is one file exporting a
 * ServiceKind / ProbeKind / FaultKind / ActionKind and one line here; the experiment schema, the
 * loader's checks (risk, service references), the engine and the reports pick it up from these lists.
 */

export const SERVICE_KINDS: readonly ServiceKind<any>[] = [canaryService, postgresSandboxService];

export const PROBE_KINDS: readonly ProbeKind<any>[] = [httpProbe, tcpProbe, commandProbe, prometheusProbe, postgresProbe];

export const FAULT_KINDS: readonly FaultKind<any>[] = [
  drillFault,
  processKillFault,
  serviceStopFault,
  networkFault,
  postgresConnectionsFault,
  postgresCrashFault,
  sandboxKillFault,
  stackRestartFault,
];

export const ACTION_KINDS: readonly ActionKind<any>[] = [commandAction, serviceStartAction];

export function kindNamed<K extends { kind: string }>(kinds: readonly K[], kind: string): K {
  const found = kinds.find((candidate) => candidate.kind === kind);
  if (!found) throw new Error(`no kind "${kind}" is registered`);
  return found;
}

export type { Action, ActionKind, ExperimentService, Fault, FaultKind, KindContext, Probe, ProbeKind, ProbeOutcome, Risk, ServiceKind } from './types.js';
