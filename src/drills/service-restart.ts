import type { DrillsConfig } from '../config/config.js';
import { abortedOutcome, failedOutcome, waitOrAbort } from './common.js';
import { formatDuration } from '../format.js';
import type { Ledger } from './ledger.js';
import { isLinux, LINUX_ONLY_MESSAGE } from './proc.js';
import { createServiceControl, serviceConfigProblem, type ServiceControl } from './services.js';
import type { Drill, DrillContext, DrillOutcome, Measured } from './types.js';

const POLL_MS = 50;

export function createServiceRestart(config: DrillsConfig['service_restart'], ledger: Ledger): Drill {
  const what =
    config.target === 'canary'
      ? 'a canary HTTP service firedrill runs itself'
      : config.target === 'systemd'
        ? `the systemd${config.user ? ' user' : ''} unit ${config.unit ?? '(unit not set)'}`
        : 'your service through the configured start/stop/health commands';
  return {
    name: 'service_restart',
    title: 'Service restart',
    description: `stops and restarts ${what}, measuring downtime and time until healthy`,
    defaultDurationSeconds: 3,
    riskWarning: () =>
      config.target === 'systemd'
        ? `service_restart stops and starts ${what}: anything it serves is down meanwhile`
        : config.target === 'command'
          ? 'service_restart runs your configured stop and start commands: that service is down meanwhile'
          : null,
    preflight: async () => (isLinux() ? serviceConfigProblem(config) : LINUX_ONLY_MESSAGE),
    run: async (context) => {
      const problem = serviceConfigProblem(config);
      if (problem) return failedOutcome({ target: config.target }, problem);
      const service = createServiceControl(config, ledger);
      try {
        return await runServiceRestart(context, service, config);
      } finally {
        await service.dispose();
      }
    },
  };
}

/** Polls the health check until it says `want`; the time it did, or null on timeout or abort. */
async function pollHealth(service: ServiceControl, want: boolean, timeoutMs: number, signal: AbortSignal): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await service.healthy()) === want) return Date.now();
    if (Date.now() >= deadline || !(await waitOrAbort(POLL_MS, signal))) return null;
  }
}

async function runServiceRestart(
  context: DrillContext,
  service: ServiceControl,
  config: DrillsConfig['service_restart'],
): Promise<DrillOutcome> {
  const { signal } = context;
  const boundMs = config.healthy_within_seconds * 1000;
  let wentDown = false;
  let cameBack = false;
  let downtimeMs: number | null = null;
  let timeToHealthyMs: number | null = null;
  const measured = (): Measured => ({ target: config.target, downtimeMs, timeToHealthyMs, wentDown, cameBack });
  // A real service firedrill stopped is started again whatever happens next (abort, a failed check).
  let stoppedByUs = false;
  let startIssued = false;

  try {
    if (config.target === 'canary') {
      await service.start();
      context.progress(`started ${service.label()}`);
    }
    if ((await pollHealth(service, true, boundMs, signal)) === null) {
      if (signal.aborted) return abortedOutcome(measured(), 'before the service was stopped');
      return failedOutcome(measured(), `${service.label()} was not healthy before the drill, so it was left alone`);
    }
    if (signal.aborted) return abortedOutcome(measured(), 'before the service was stopped');

    context.progress(`stopping ${service.label()}`);
    stoppedByUs = true;
    await service.stop();
    const downAt = await pollHealth(service, false, boundMs, signal);
    if (downAt === null) {
      if (signal.aborted) return abortedOutcome(measured(), 'while stopping the service');
      return failedOutcome(measured(), `${service.label()} still answered its health check ${formatDuration(boundMs)} after the stop`);
    }
    wentDown = true;
    context.reportEvent({ type: 'service_stopped', at: new Date(downAt).toISOString(), value: 0, detail: service.label() });
    context.progress(`${service.label()} is down; starting it again in ${formatDuration(context.durationMs)}`);
    if (!(await waitOrAbort(context.durationMs, signal))) return abortedOutcome(measured(), 'while the service was down');

    const startIssuedAt = Date.now();
    startIssued = true;
    await service.start();
    const healthyAt = await pollHealth(service, true, Math.max(0, boundMs - (Date.now() - startIssuedAt)), signal);
    if (healthyAt === null) {
      if (signal.aborted) return abortedOutcome(measured(), 'while waiting for the service to come back');
      return failedOutcome(measured(), `${service.label()} was not healthy within ${formatDuration(boundMs)} of the start`);
    }
    cameBack = true;
    downtimeMs = healthyAt - downAt;
    timeToHealthyMs = healthyAt - startIssuedAt;
    context.reportEvent({
      type: 'service_started',
      at: new Date(healthyAt).toISOString(),
      value: 1,
      detail: `${service.label()} healthy again after ${formatDuration(downtimeMs)} down`,
    });
  } catch (error) {
    return failedOutcome(measured(), (error as Error).message);
  } finally {
    if (stoppedByUs && !startIssued && config.target !== 'canary') {
      context.progress(`starting ${service.label()} again`);
      await service.start().catch((error: Error) => context.progress(`could not start ${service.label()} again: ${error.message}`));
    }
  }
  return {
    success: true,
    measured: measured(),
    summary: `${service.label()} went down and was healthy again ${formatDuration(timeToHealthyMs)} after the start (down ${formatDuration(downtimeMs)}, bound ${formatDuration(boundMs)})`,
  };
}
