import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { resolveLlmSettings, selectAnalyzer, type LlmSettings } from '../analysis/select.js';
import { startApiServer, type ApiServer } from '../api/server.js';
import { API_PREFIX } from '../api/wire.js';
import { loadConfig, type FiredrillConfig } from '../config/config.js';
import { checkNeo4jSettings } from '../history/neo4j-settings.js';
import { keepInHistory } from '../history/record.js';
import { displayUrl } from '../http/url.js';
import { openLedger } from '../drills/ledger.js';
import { defaultScenariosDir } from '../incidents/load.js';
import { workloadSession } from '../workloads/history.js';
import { WorkloadManager } from '../workloads/manager.js';
import {
  EXIT_FAILED,
  EXIT_OK,
  parseFlags,
  pathsFromFlags,
  positiveInteger,
  speedFlag,
  UsageError,
  writeLine,
  type Command,
} from './command.js';

const HELP = `Usage: firedrill serve [--host 127.0.0.1] [--port 8000] [--api-key-file FILE]

Serves the incident API (compatible with the original simulator's /api/v1/simulator routes, plus
an event stream per simulation) and the process workloads (/api/v1/workloads: create, start, stop,
status, chaos triggers; their per-process series on /metrics) until Ctrl-C or SIGTERM.

The API refuses to start without a key. It is read from, in order: --api-key-file FILE, the
FIREDRILL_API_KEY environment variable, <data dir>/api-key. Clients send it in X-API-Key.
/metrics (Prometheus) and /healthz answer without a key.

Flags:
  --host HOST            address to listen on (default 127.0.0.1: this machine only)
  --port N               port (default 8000; 0 picks a free one)
  --api-key-file FILE    file holding the API key (one line)
  --speed N              scenario seconds played per second (default: the engine's)
  --max-simulations N    simulations running at once (default 50)
  --llm-url URL, --llm-model NAME   analyze with an LLM (falls back to the built-in analyzer)
  --llm-timeout S        seconds for the LLM's whole answer (default 120)
  --config FILE, --data-dir DIR
`;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function parsePort(raw: string | undefined): number {
  if (raw === undefined) return 8000;
  const port = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`firedrill serve: --port must be a whole number from 0 to 65535, got "${raw}"`);
  }
  return port;
}

/** The key and where it came from (never the key itself in any message). */
function readApiKey(keyFile: string | undefined, env: NodeJS.ProcessEnv, dataDir: string): { key: string; from: string; warning?: string } {
  if (keyFile !== undefined) return readKeyFile(keyFile, true);
  const fromEnv = env.FIREDRILL_API_KEY?.trim();
  if (fromEnv) return { key: fromEnv, from: 'FIREDRILL_API_KEY' };
  const defaultFile = path.join(dataDir, 'api-key');
  const fromFile = readKeyFile(defaultFile, false);
  if (fromFile.key) return fromFile;
  throw new UsageError(
    'firedrill serve: refusing to start without an API key; set FIREDRILL_API_KEY, or write a key to ' +
      `${defaultFile}, or pass --api-key-file FILE`,
  );
}

function readKeyFile(file: string, required: boolean): { key: string; from: string; warning?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return { key: '', from: file };
    throw new UsageError(`firedrill serve: cannot read the API key file ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const key = text.trim();
  if (key === '') throw new UsageError(`firedrill serve: the API key file ${file} is empty`);
  if (key.includes('\n')) throw new UsageError(`firedrill serve: the API key file ${file} must hold the key on a single line`);
  let warning: string | undefined;
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    warning = `warning: the API key file ${file} can be read by other users; chmod 600 it`;
  }
  return { key, from: file, ...(warning ? { warning } : {}) };
}

function describeListenError(error: NodeJS.ErrnoException, host: string, port: number): string {
  const where = `${host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `firedrill serve: ${where} is already in use; stop what listens there or pick another port with --port`;
    case 'EACCES':
      return `firedrill serve: not allowed to listen on ${where}; ports below 1024 need privileges, pick another with --port`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `firedrill serve: cannot listen on ${where}: --host "${host}" is not an address of this machine`;
    default:
      return `firedrill serve: cannot listen on ${where} (${error.message})`;
  }
}

/** Far above what one machine serves at once; a bound so that a typo is not taken for a setting. */
const MAX_SIMULATIONS = 10_000;

export const command: Command = async (ctx) => {
  const { values } = parseFlags('serve', ctx.argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    'api-key-file': { type: 'string' },
    speed: { type: 'string' },
    'max-simulations': { type: 'string' },
    'llm-url': { type: 'string' },
    'llm-timeout': { type: 'string' },
    'llm-model': { type: 'string' },
    config: { type: 'string' },
    'data-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    ctx.stdout.write(HELP);
    return EXIT_OK;
  }
  const host = values.host ?? '127.0.0.1';
  const port = parsePort(values.port);
  const speed = speedFlag(values.speed);
  const maxSimulations = positiveInteger('max-simulations', values['max-simulations'], MAX_SIMULATIONS);
  const paths = pathsFromFlags(values, ctx.env);
  const apiKey = readApiKey(values['api-key-file'], ctx.env, paths.dataDir);
  if (apiKey.warning) writeLine(ctx.stderr, apiKey.warning);

  const config: FiredrillConfig = loadConfig(paths.configFile, { required: values.config !== undefined });
  const llmSettings: LlmSettings | null = resolveLlmSettings({ llmUrl: values['llm-url'], llmModel: values['llm-model'], llmTimeout: values['llm-timeout'] }, ctx.env, config.llm);
  checkNeo4jSettings('serve', config, ctx.env);

  if (ctx.signal.aborted) return EXIT_OK;
  let server: ApiServer;
  try {
    server = await startApiServer({
      host,
      port,
      apiKey: apiKey.key,
      scenariosDir: defaultScenariosDir(ctx.env),
      analyzerFactory: () => selectAnalyzer(llmSettings),
      ...(speed === undefined ? {} : { speed }),
      ...(maxSimulations === undefined ? {} : { maxSimulations }),
      log: (message) => writeLine(ctx.stderr, message),
      // Every simulation is kept in this machine's history, as `firedrill incident` keeps its own.
      keepIncident: async (incident) => {
        const problem = await keepInHistory({ paths, config, env: ctx.env }, { incident });
        if (problem) writeLine(ctx.stderr, `firedrill serve: history: ${problem}`);
      },
      workloads: new WorkloadManager({
        ledger: openLedger(paths),
        log: (message) => writeLine(ctx.stderr, message),
        // Every workload is kept in this machine's history, as `firedrill workload` keeps its own.
        onFinished: async (finished, workload) => {
          const problem = await keepInHistory({ paths, config, env: ctx.env }, { session: workloadSession(workload, finished) });
          if (problem) writeLine(ctx.stderr, `firedrill serve: history: ${problem}`);
        },
      }),
    });
  } catch (error) {
    const errno = error as NodeJS.ErrnoException;
    writeLine(ctx.stderr, errno.code ? describeListenError(errno, host, port) : `firedrill serve: ${errno.message}`);
    return EXIT_FAILED;
  }

  for (const problem of server.scenarioErrors) writeLine(ctx.stderr, `warning: ${problem.message}`);
  if (server.scenarioCount === 0) {
    await server.close();
    writeLine(ctx.stderr, 'firedrill serve: no scenario could be loaded, so there is nothing to serve (see the warnings above)');
    return EXIT_FAILED;
  }
  if (!LOOPBACK.has(host)) {
    writeLine(
      ctx.stderr,
      `warning: listening on ${host}: the API is reachable from the network, and without TLS its key travels in clear text`,
    );
  }
  writeLine(ctx.stdout, `firedrill serve: incident API listening on ${server.url}${API_PREFIX} (${server.scenarioCount} scenarios)`);
  writeLine(ctx.stdout, `  API key from ${apiKey.from}; send it in the X-API-Key header`);
  writeLine(ctx.stdout, `  ${server.url}/metrics (Prometheus) and ${server.url}/healthz answer without a key`);
  writeLine(ctx.stdout, `  analysis: ${llmSettings ? `${llmSettings.model} via ${displayUrl(llmSettings.url)} (built-in as fallback)` : 'built-in'}`);

  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.close();
  writeLine(ctx.stdout, 'firedrill serve: stopped');
  return EXIT_OK;
};
