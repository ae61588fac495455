import { z } from 'zod';
import { DEMO_APP_LIMITS } from '../../sandbox/demo-app.js';
import { MAX_MAX_CONNECTIONS, MIN_MAX_CONNECTIONS } from '../../sandbox/postgres.js';
import { Sandbox, SANDBOX_DEFAULTS, type SandboxEndpoints } from '../../sandbox/sandbox.js';
import { SERVICE_ID } from './common.js';
import { describeSupervision, supervisionFields, supervisorOptionsFrom, type SupervisionSpec } from './supervision.js';
import type { ExperimentService, KindContext, ServiceKind } from './types.js';

const schema = z.strictObject({
  id: SERVICE_ID,
  kind: z.literal('postgres_sandbox'),
  /** PostgreSQL's max_connections: small, so that exhausting it is quick. */
  max_connections: z.number().int().min(MIN_MAX_CONNECTIONS).max(MAX_MAX_CONNECTIONS).default(SANDBOX_DEFAULTS.maxConnections),
  pool_size: z.number().int().min(DEMO_APP_LIMITS.poolSize.min).max(DEMO_APP_LIMITS.poolSize.max).default(SANDBOX_DEFAULTS.poolSize),
  app_timeout_ms: z.number().int().min(DEMO_APP_LIMITS.timeoutMs.min).max(DEMO_APP_LIMITS.timeoutMs.max).default(SANDBOX_DEFAULTS.appTimeoutMs),
  app_retries: z.number().int().min(DEMO_APP_LIMITS.retries.min).max(DEMO_APP_LIMITS.retries.max).default(SANDBOX_DEFAULTS.appRetries),
  ...supervisionFields,
  restart: supervisionFields.restart.default('always'),
});

type SandboxSpec = z.infer<typeof schema>;

const ENDPOINT_KEYS: readonly (keyof SandboxEndpoints)[] = [
  'url',
  'database_url',
  'direct_url',
  'admin_url',
  'proxy_control',
  'proxy_address',
  'postgres_address',
  'max_connections',
];

/** The sandbox as an experiment service; the PostgreSQL faults and probes reach it through sandboxOf(). */
export interface SandboxService extends ExperimentService {
  readonly kind: 'postgres_sandbox';
  sandbox(): Sandbox;
  /** Rows the crash fault committed last (null: none yet): what the postgres probe's committed_rows_of checks. */
  committedRows: number | null;
}

/** The running sandbox behind `${id}`, or a sentence when `id` is not a postgres_sandbox. */
export function sandboxOf(context: Pick<KindContext, 'service'>, id: string): SandboxService {
  const service = context.service(id) as Partial<SandboxService>;
  if (service.kind !== 'postgres_sandbox' || !service.sandbox) throw new Error(`the service "${id}" is not a postgres_sandbox`);
  return service as SandboxService;
}

/**
 * The PostgreSQL sandbox (src/sandbox/): a throwaway cluster, the fault proxy in front of it and
 * the demo app, each under the supervisor with the service's Restart= settings. Its supervisor (for
 * process_kill and service_stop) is the postmaster's.
 */
export const postgresSandboxService: ServiceKind<SandboxSpec> = {
  kind: 'postgres_sandbox',
  schema,
  endpointKeys: ENDPOINT_KEYS,
  risk: () => 'low',
  describe: (spec) =>
    `a PostgreSQL sandbox (max_connections ${spec.max_connections}) behind the fault proxy, with a demo app (pool ${spec.pool_size}), ${describeSupervision(spec as SupervisionSpec)}`,
  create(spec, context) {
    const sandbox = new Sandbox({
      ledger: context.ledger,
      env: context.env,
      maxConnections: spec.max_connections,
      poolSize: spec.pool_size,
      appTimeoutMs: spec.app_timeout_ms,
      appRetries: spec.app_retries,
      supervision: () => supervisorOptionsFrom(spec as SupervisionSpec, context.ledger),
    });
    let started = false;
    // The engine follows the postmaster's supervisor; the proxy's and the app's crashes and
    // restarts go to the journal as progress lines.
    for (const part of ['proxy', 'app'] as const) {
      sandbox.unit(part).on((event) => {
        if (event.type === 'exited' && event.unexpected) context.progress(`${event.name} exited (${event.signal ?? `code ${event.code}`}), pid ${event.pid}`);
        if (event.type === 'ready' && started) context.progress(`${event.name} ready again (pid ${event.pid}, ${event.startupMs.toFixed(0)} ms)`);
      });
    }
    const service: SandboxService = {
      kind: 'postgres_sandbox',
      id: spec.id,
      committedRows: null,
      sandbox: () => sandbox,
      supervisor: sandbox.unit('postgres'),
      label: () => (started ? sandbox.label() : `the PostgreSQL sandbox "${spec.id}"`),
      endpoints: () => ({ ...sandbox.endpoints() }),
      async start(signal) {
        await sandbox.start(signal);
        started = true;
        context.progress(`started ${sandbox.label()}`);
      },
      stop: () => sandbox.stop(),
    };
    return service;
  },
};
