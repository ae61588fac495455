import { z } from 'zod';
import { ConnectionHog, MAX_CRASH_ROWS, MAX_HOG_CONNECTIONS, checkChecksummedRows, writeChecksummedRows } from '../../sandbox/faults.js';
import { crashPostgres, partHealthy, restartStack } from '../../sandbox/operations.js';
import { queryOnce } from '../../sandbox/postgres.js';
import { SANDBOX_PARTS } from '../../sandbox/sandbox.js';
import { SERVICE_ID, SIGNALS, TEMPLATED, referencesIn } from './common.js';
import { sandboxOf } from './service-postgres-sandbox.js';
import type { FaultKind } from './types.js';

// ---- connection exhaustion ------------------------------------------------------------------

const connectionsSchema = z.strictObject({
  kind: z.literal('postgres_connections'),
  /** Whose slots are taken: a role's connection string straight to the server (`${db.direct_url}`). */
  url: TEMPLATED,
  /** Never more connections than this, whatever the server's limit. */
  limit: z.number().int().min(1).max(MAX_HOG_CONNECTIONS).default(200),
});

type ConnectionsSpec = z.infer<typeof connectionsSchema>;

/**
 * The runbook's connection exhaustion: connections opened until the server refuses the next one
 * ("too many clients", SQLSTATE 53300), held for the step, released, and a new connection confirmed.
 * The connections are sockets of firedrill's own process: a kill -9 of firedrill closes them, so
 * there is nothing for the ledger to undo.
 */
export const postgresConnectionsFault: FaultKind<ConnectionsSpec> = {
  kind: 'postgres_connections',
  schema: connectionsSchema,
  mode: 'held',
  risk: () => 'medium',
  describe: (spec) => `PostgreSQL connections taken until the server refuses one (at most ${spec.limit}) at ${spec.url}`,
  serviceRefs: (spec) => referencesIn(spec.url).map((ref) => ref.id),
  create(spec, context) {
    const url = context.resolve(spec.url);
    const hog = new ConnectionHog(url, { limit: spec.limit });
    let held = false;
    return {
      async start() {
        const result = await hog.exhaust(context.signal);
        held = true;
        context.progress(`holding ${result.held} connections (taken in ${result.ms.toFixed(0)} ms); the next was refused: ${result.refusal}`);
      },
      async stop() {
        const count = hog.held();
        await hog.release();
        if (!held) return;
        held = false;
        const problem = await queryOnce(url, 'SELECT 1', 5000);
        if (problem !== null) throw new Error(`released ${count} connections, yet a new one still fails: ${problem}`);
        context.progress(`released ${count} connections; a new connection works again`);
      },
    };
  },
};

// ---- crash ----------------------------------------------------------------------------------

const crashSchema = z.strictObject({
  kind: z.literal('postgres_crash'),
  /** A postgres_sandbox: its postmaster is killed and its supervisor restarts it. */
  service: SERVICE_ID,
  /** Checksummed rows written and committed just before the crash. */
  rows: z.number().int().min(1).max(MAX_CRASH_ROWS).default(1000),
  /** How long to wait for PostgreSQL to answer again before saying it did not. */
  ready_timeout_seconds: z.number().positive().max(600).default(30),
});

type CrashSpec = z.infer<typeof crashSchema>;

/**
 * The runbook's `pkill -9 postgres`, on the sandbox's own postmaster only: checksummed rows are
 * committed first, the postmaster gets SIGKILL, its supervisor starts it again and PostgreSQL
 * recovers from its WAL. The time until it answers queries and the rows are reported as progress;
 * the steady state checks the rows (a postgres probe with committed_rows_of).
 */
export const postgresCrashFault: FaultKind<CrashSpec> = {
  kind: 'postgres_crash',
  schema: crashSchema,
  mode: 'instant',
  risk: () => 'high',
  describe: (spec) => `kill -9 of the postmaster of "${spec.service}" after committing ${spec.rows} checksummed rows`,
  serviceRefs: (spec) => [spec.service],
  create(spec, context) {
    return {
      async start() {
        const service = sandboxOf(context, spec.service);
        const sandbox = service.sandbox();
        const { admin_url: url } = sandbox.endpoints();
        await writeChecksummedRows(url, spec.rows);
        service.committedRows = spec.rows;
        context.progress(`committed ${spec.rows} checksummed rows; sending SIGKILL to the postmaster (pid ${sandbox.unit('postgres').pid()})`);
        const crashed = crashPostgres(sandbox, { timeoutMs: spec.ready_timeout_seconds * 1000, signal: context.signal });
        // Recovery is the system's job and what the experiment measures: reported, not awaited.
        void crashed
          .then(async ({ readyMs }) => {
            const check = await checkChecksummedRows(url, spec.rows);
            context.progress(
              `PostgreSQL answered again ${readyMs.toFixed(0)} ms after kill -9; ${check.found - check.corrupted} of ${spec.rows} committed rows intact` +
                (check.missing + check.corrupted > 0 ? ` (${check.missing} missing, ${check.corrupted} corrupted)` : ''),
            );
          })
          .catch((error: Error) => context.progress(`PostgreSQL after kill -9: ${error.message}`));
      },
      stop: async () => undefined,
    };
  },
};

// ---- a part killed, the stack restarted ------------------------------------------------------

const PART = z.enum(SANDBOX_PARTS);

const killSchema = z.strictObject({
  kind: z.literal('sandbox_kill'),
  service: SERVICE_ID,
  /** Which part of the sandbox: its supervisor restarts it. */
  part: PART,
  signal: z.enum(SIGNALS).default('SIGKILL'),
});

type KillSpec = z.infer<typeof killSchema>;

/** A part of the sandbox (the demo app, the proxy, the postmaster) killed; its supervisor restarts it. */
export const sandboxKillFault: FaultKind<KillSpec> = {
  kind: 'sandbox_kill',
  schema: killSchema,
  mode: 'instant',
  risk: (spec) => (spec.part === 'postgres' ? 'high' : 'low'),
  describe: (spec) => `${spec.signal} to the ${spec.part} of "${spec.service}"`,
  serviceRefs: (spec) => [spec.service],
  create(spec, context) {
    return {
      async start() {
        const unit = sandboxOf(context, spec.service).sandbox().unit(spec.part);
        const pid = unit.kill(spec.signal);
        if (pid === null) throw new Error(`the ${spec.part} of "${spec.service}" has no running process to kill`);
        context.progress(`sent ${spec.signal} to the ${spec.part} (pid ${pid})`);
      },
      stop: async () => undefined,
    };
  },
};

const restartSchema = z.strictObject({
  kind: z.literal('stack_restart'),
  service: SERVICE_ID,
  /** In this order, each confirmed healthy before the next. */
  parts: z.array(PART).min(1).max(3).default([...SANDBOX_PARTS]),
});

type RestartSpec = z.infer<typeof restartSchema>;

/** The runbook's full stack restart: each part stopped, started and confirmed healthy, one by one. */
export const stackRestartFault: FaultKind<RestartSpec> = {
  kind: 'stack_restart',
  schema: restartSchema,
  mode: 'instant',
  risk: () => 'low',
  describe: (spec) => `restart ${spec.parts.join(', ')} of "${spec.service}" one by one, each confirmed healthy`,
  serviceRefs: (spec) => [spec.service],
  create(spec, context) {
    return {
      async start() {
        const sandbox = sandboxOf(context, spec.service).sandbox();
        const results = await restartStack(sandbox, spec.parts, context.signal, (result) =>
          context.progress(`${result.part} restarted${result.healthy ? ' and healthy' : ' but NOT healthy'} in ${result.ms.toFixed(0)} ms`),
        );
        const unhealthy = results.filter((result) => !result.healthy).map((result) => result.part);
        if (unhealthy.length > 0) throw new Error(`not healthy after its restart: ${unhealthy.join(', ')}`);
      },
      async stop() {
        const sandbox = sandboxOf(context, spec.service).sandbox();
        for (const part of spec.parts) {
          if (!(await partHealthy(sandbox, part))) await sandbox.unit(part).start();
        }
      },
    };
  },
};
