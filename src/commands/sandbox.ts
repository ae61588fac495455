import { cleanupLeftovers, openLedger } from '../drills/ledger.js';
import { parseAddress } from '../proxy/flags.js';
import { DEMO_APP_LIMITS, startDemoApp } from '../sandbox/demo-app.js';
import { MAX_MAX_CONNECTIONS, MIN_MAX_CONNECTIONS } from '../sandbox/postgres.js';
import { Sandbox, SANDBOX_DEFAULTS } from '../sandbox/sandbox.js';
import { EXIT_FAILED, EXIT_OK, parseFlags, pathsFromFlags, UsageError, writeLine, type Command, type CommandContext } from './command.js';

const USAGE = `Usage:
  firedrill sandbox up [--max-connections N] [--pool N] [--json] [--data-dir DIR]
        start the PostgreSQL sandbox (a throwaway cluster, the fault proxy in front of it, the demo
        app) on loopback, print its addresses, and remove it all on Ctrl-C
  firedrill sandbox app --listen [HOST:]PORT --database URL [--pool N] [--timeout-ms N] [--retries N]
        the demo app alone (what the sandbox runs): GET /query reads a row through the pool
`;

function bounded(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`firedrill sandbox: --${flag} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

async function app(context: CommandContext): Promise<number> {
  const { values } = parseFlags('sandbox app', context.argv.slice(1), {
    listen: { type: 'string' },
    database: { type: 'string' },
    pool: { type: 'string' },
    'timeout-ms': { type: 'string' },
    retries: { type: 'string' },
  });
  if (values.listen === undefined || values.database === undefined) throw new UsageError(`firedrill sandbox app: --listen and --database are needed\n\n${USAGE}`);
  let listen;
  try {
    listen = parseAddress('--listen', values.listen, true);
  } catch (error) {
    throw new UsageError(`firedrill sandbox app: ${(error as Error).message}`);
  }
  if (!/^postgres(ql)?:\/\//.test(values.database)) throw new UsageError(`firedrill sandbox app: --database must be a postgresql:// URL, got "${values.database}"`);
  const server = await startDemoApp({
    host: listen.host,
    port: listen.port,
    database: values.database,
    poolSize: bounded('pool', values.pool, SANDBOX_DEFAULTS.poolSize, DEMO_APP_LIMITS.poolSize.min, DEMO_APP_LIMITS.poolSize.max),
    timeoutMs: bounded('timeout-ms', values['timeout-ms'], SANDBOX_DEFAULTS.appTimeoutMs, DEMO_APP_LIMITS.timeoutMs.min, DEMO_APP_LIMITS.timeoutMs.max),
    retries: bounded('retries', values.retries, SANDBOX_DEFAULTS.appRetries, DEMO_APP_LIMITS.retries.min, DEMO_APP_LIMITS.retries.max),
  });
  writeLine(context.stdout, `firedrill demo app: http://${listen.host}:${server.port} -> ${values.database}`);
  await untilAborted(context.signal);
  await server.close();
  return EXIT_OK;
}

async function up(context: CommandContext): Promise<number> {
  const { values } = parseFlags('sandbox up', context.argv.slice(1), {
    'max-connections': { type: 'string' },
    pool: { type: 'string' },
    json: { type: 'boolean' },
    'data-dir': { type: 'string' },
    config: { type: 'string' },
  });
  const paths = pathsFromFlags(values, context.env);
  const maxConnections = bounded('max-connections', values['max-connections'], SANDBOX_DEFAULTS.maxConnections, MIN_MAX_CONNECTIONS, MAX_MAX_CONNECTIONS);
  const poolSize = bounded('pool', values.pool, SANDBOX_DEFAULTS.poolSize, DEMO_APP_LIMITS.poolSize.min, DEMO_APP_LIMITS.poolSize.max);
  let sandbox: Sandbox;
  try {
    await cleanupLeftovers(paths);
    sandbox = await Sandbox.start({ ledger: openLedger(paths), maxConnections, poolSize, env: context.env }, context.signal);
  } catch (error) {
    writeLine(context.stderr, `firedrill sandbox: ${(error as Error).message}`);
    return EXIT_FAILED;
  }
  const endpoints = sandbox.endpoints();
  if (values.json) writeLine(context.stdout, JSON.stringify(endpoints));
  else {
    writeLine(context.stdout, `firedrill sandbox: up (Ctrl-C removes it all)`);
    for (const [key, value] of Object.entries(endpoints)) writeLine(context.stdout, `  ${key.padEnd(16)} ${value}`);
    writeLine(context.stdout, `  try: curl ${endpoints.url}/query; firedrill proxy set --control ${endpoints.proxy_control} --latency 500`);
  }
  await untilAborted(context.signal);
  await sandbox.stop();
  return EXIT_OK;
}

export const command: Command = async (context) => {
  const [sub] = context.argv;
  if (sub === 'app') return app(context);
  if (sub === 'up') return up(context);
  if (sub === '--help' || sub === '-h') {
    context.stdout.write(USAGE);
    return EXIT_OK;
  }
  throw new UsageError(`firedrill sandbox: say "up" or "app"\n\n${USAGE}`);
};
