import { z } from 'zod';
import type { Ledger } from '../../drills/ledger.js';
import { RESTART_POLICIES, type HealthCheck, type SupervisorOptions } from '../../supervise/supervisor.js';

/**
 * The supervision keys a service kind spreads into its schema, named after systemd's
 * (Restart=, RestartSec=, StartLimitBurst=, StartLimitIntervalSec=, TimeoutStartSec=, TimeoutStopSec=).
 */
export const supervisionFields = {
  restart: z.enum(RESTART_POLICIES as ['no', 'on-failure', 'always']).default('on-failure'),
  restart_delay_seconds: z.number().min(0).max(60).default(0.1),
  start_limit_burst: z.number().int().min(1).max(100).default(5),
  start_limit_interval_seconds: z.number().positive().max(3600).default(10),
  start_timeout_seconds: z.number().positive().max(600).default(10),
  stop_timeout_seconds: z.number().positive().max(600).default(2),
  /** A health check every this many seconds while it runs; failing `health_failures` times in a row restarts it. */
  health_interval_seconds: z.number().min(0.05).max(600).optional(),
  health_failures: z.number().int().min(1).max(100).default(3),
};

export interface SupervisionSpec {
  restart: 'no' | 'on-failure' | 'always';
  restart_delay_seconds: number;
  start_limit_burst: number;
  start_limit_interval_seconds: number;
  start_timeout_seconds: number;
  stop_timeout_seconds: number;
  health_interval_seconds?: number;
  health_failures: number;
}

export function supervisorOptionsFrom(
  spec: SupervisionSpec,
  ledger: Ledger,
  check?: HealthCheck['check'],
): Partial<SupervisorOptions> {
  return {
    restart: spec.restart,
    restartDelayMs: spec.restart_delay_seconds * 1000,
    startLimit: { burst: spec.start_limit_burst, intervalMs: spec.start_limit_interval_seconds * 1000 },
    readyTimeoutMs: spec.start_timeout_seconds * 1000,
    stopTimeoutMs: spec.stop_timeout_seconds * 1000,
    ledger,
    ...(check && spec.health_interval_seconds !== undefined
      ? { health: { check, intervalMs: spec.health_interval_seconds * 1000, failuresBeforeRestart: spec.health_failures } }
      : {}),
  };
}

/** "restarted always after 0.1 s" */
export function describeSupervision(spec: SupervisionSpec): string {
  return spec.restart === 'no' ? 'not restarted' : `restarted ${spec.restart} after ${spec.restart_delay_seconds} s`;
}
