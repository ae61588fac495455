import { loadConfig, type FiredrillConfig } from '../config/config.js';
import { cleanupLeftovers, openLedger } from '../drills/ledger.js';
import { formatBytes, formatPercent } from '../format.js';
import { describeNetworkError } from '../http/network-error.js';
import { displayUrl, endpointUrl, normalizeBaseUrl, pickUrl } from '../http/url.js';
import { keepInHistory } from '../history/record.js';
import { type FiredrillPaths } from '../paths.js';
import { sanitizeLine } from '../text/sanitize.js';
import { workloadSession } from '../workloads/history.js';
import { defaultWorkloadsDir, findProfile, loadProfiles } from '../workloads/load.js';
import { startWorkloadMetricsServer, WorkloadMetrics, type WorkloadMetricsServer } from '../workloads/metrics.js';
import { CHAOS_ACTIONS, PRIORITIES, type WorkloadEvent, type WorkloadSummary } from '../workloads/types.js';
import { MAX_PROCESSES } from '../workloads/schema.js';
import { isChaosAction, MAX_DURATION_SECONDS, WORKLOADS_PREFIX } from '../workloads/wire.js';
import { Workload, WorkloadError } from '../workloads/workload.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseFlags, PATH_FLAGS, pathsFromFlags, positiveInteger, UsageError, writeLine, type Command, type CommandContext } from './command.js';

/**
 * `firedrill workload`: a process workload, headless (until Ctrl-C or --duration), with its
 * per-process metrics on --metrics-port; `firedrill workload profiles`; and `firedrill workload
 * chaos ACTION`, which asks a `firedrill serve` to apply a chaos trigger to one of its workloads.
 */

const HELP = `Usage: firedrill workload [--profile P] [--processes N] [--duration D] [--metrics-port N] [--json]
       firedrill workload profiles [--json]
       firedrill workload chaos ACTION [--workload ID] [--api URL] [--api-key K] [trigger flags]

Runs real processes, each under a name as ps shows it, with its priority and its CPU and memory
pattern, until Ctrl-C, SIGTERM or the end of --duration; then ends every one of them.
  --profile P        realistic (default), high-cardinality, high-churn, chaos, or any in workloads/
  --processes N      how many (1 to 1000; default: the profile's)
  --duration D       stop after D (90, 90s, 5m, 1h; at most a day)
  --metrics-port N   serve each process's CPU, memory, threads, fds, start time and uptime, read from
                     /proc, on http://127.0.0.1:N/metrics (--metrics-host to bind elsewhere)
  --json             one JSON object per event on stdout (samples without their process lists)
  --seed N           draw lifetimes and churn victims from this seed (replayable)
  --config FILE, --data-dir DIR
Chaos (only ever the workload's own processes), on a workload run by \`firedrill serve\`:
  cpu-spike --kind K [--percent P] [--seconds S]      CPU spike on the processes of a kind (or executable)
  memory-leak [--kind K | --pid N] [--mb-per-second R] [--max-mb M]   a leak in one process
  kill --priority ${PRIORITIES.join('|')}            SIGKILL a random process of that priority
  churn-burst [--count N]                             end and replace N processes at once
  --workload ID (default: the one running), --api URL (default FIREDRILL_API_URL, api.url, then
  http://127.0.0.1:8000), --api-key K (default FIREDRILL_API_KEY, then api.key in the config)
Exit status: 0 the workload ran and every process is gone, 1 it failed or left processes, 2 bad usage.
`;

const DURATION_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600 };

/** "90", "90s", "5m", "1.5h" -> milliseconds. */
export function parseDuration(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([smh]?)$/.exec(raw.trim());
  const seconds = match ? Number(match[1]) * DURATION_UNITS[match[2]!]! : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`firedrill workload: --duration must be like 90, 90s, 5m or 1h, got "${raw}"`);
  if (seconds > MAX_DURATION_SECONDS) throw new UsageError(`firedrill workload: --duration must be at most a day, got "${raw}"`);
  return seconds * 1000;
}

/** Paths and config for a subcommand, or the exit code after saying what is wrong with the config. */
function loadSettings(ctx: CommandContext, values: { config?: string; 'data-dir'?: string }): { paths: FiredrillPaths; config: FiredrillConfig } {
  const paths = pathsFromFlags(values, ctx.env);
  return { paths, config: loadConfig(paths.configFile, { required: values.config !== undefined }) };
}

export const command: Command = async (ctx) => {
  const [first, ...rest] = ctx.argv;
  if (first === 'profiles') return listProfiles(ctx, rest);
  if (first === 'chaos') return chaos(ctx, rest);
  return runWorkload(ctx);
};

async function listProfiles(ctx: CommandContext, argv: string[]): Promise<number> {
  const { values } = parseFlags('workload profiles', argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    ctx.stdout.write(HELP);
    return EXIT_OK;
  }
  const { profiles, errors } = loadProfiles(defaultWorkloadsDir(ctx.env));
  for (const error of errors) writeLine(ctx.stderr, `warning: ${error.message}`);
  if (values.json) {
    writeLine(
      ctx.stdout,
      JSON.stringify(
        profiles.map((profile) => ({ id: profile.id, title: profile.title, description: profile.description, processes: profile.processes, churn_per_minute: profile.churnPerMinute, kinds: profile.kinds.length })),
        null,
        2,
      ),
    );
    return EXIT_OK;
  }
  for (const profile of profiles) {
    writeLine(ctx.stdout, `${profile.id.padEnd(18)} ${String(profile.processes).padStart(5)} processes  ${profile.kinds.length} kinds  churn ${profile.churnPerMinute}/min`);
    writeLine(ctx.stdout, `${''.padEnd(18)} ${profile.description}`);
  }
  return profiles.length > 0 ? EXIT_OK : EXIT_FAILED;
}

/** One line per event a person wants to see; samples every few seconds only. */
function textLine(event: WorkloadEvent, state: { lastSampleLine: number }): string | null {
  const who = (process: { name: string; pid: number }) => `${process.name} (pid ${process.pid})`;
  switch (event.type) {
    case 'starting':
      return `workload ${event.workloadId}: starting ${event.processes} processes of profile ${event.profile} (${event.engine} engine)`;
    case 'progress':
      return null;
    case 'started':
      return `workload ${event.workloadId}: ${event.processes} processes running after ${(event.elapsedMs / 1000).toFixed(1)} s`;
    case 'churned':
      return `churn: ended ${who(event.ended)}${event.started ? `, started pid ${event.started.pid}` : ''}`;
    case 'died': {
      const how = event.signal ? `killed by ${event.signal}` : `exited with ${event.code}`;
      return `died: ${who(event.process)} ${how} (${event.cause})${event.restart ? ', restarting' : ''}`;
    }
    case 'restarted':
      return `restarted: ${event.process.name} as pid ${event.process.pid}`;
    case 'chaos':
      return `chaos: ${event.result.message}`;
    case 'notice':
      return `notice: ${event.message}`;
    case 'sample': {
      if (event.at - state.lastSampleLine < 5000) return null;
      state.lastSampleLine = event.at;
      const { totals } = event;
      return `${totals.processes} processes: CPU ${formatPercent(totals.cpuPercent)} of a core, RSS ${formatBytes(totals.rssBytes)} (PSS ${formatBytes(totals.pssBytes)}), firedrill ${formatPercent(totals.ownCpuPercent)}`;
    }
    case 'finished':
      return summaryLine(event.summary, event.reason);
  }
}

function summaryLine(summary: WorkloadSummary, reason: string): string {
  return (
    `workload ${summary.workloadId} ended (${reason}): ${summary.processesStarted} processes started in all, ` +
    `${summary.churned} churned, ${summary.died} died, ${summary.restarted} restarted, ${summary.chaos} chaos triggers; ` +
    `peak RSS ${formatBytes(summary.peakRssBytes)} (PSS ${formatBytes(summary.peakPssBytes)}), firedrill's own CPU ${formatPercent(summary.ownCpuPercent)}; ` +
    (summary.leftBehind === 0 ? 'every process is gone' : `${summary.leftBehind} processes were still there`)
  );
}

/** The JSON line of an event: samples keep their totals, not a thousand process rows. */
function jsonEvent(event: WorkloadEvent): unknown {
  if (event.type === 'sample') return { type: 'sample', at: event.at, totals: event.totals, top: event.processes.slice(0, 5) };
  return event;
}

async function runWorkload(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('workload', ctx.argv, {
    profile: { type: 'string' },
    processes: { type: 'string' },
    duration: { type: 'string' },
    'metrics-port': { type: 'string' },
    'metrics-host': { type: 'string' },
    json: { type: 'boolean' },
    seed: { type: 'string' },
    ...PATH_FLAGS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    ctx.stdout.write(HELP);
    return EXIT_OK;
  }
  const processes = positiveInteger('processes', values.processes, MAX_PROCESSES);
  const durationMs = parseDuration(values.duration);
  const metricsPort = positiveInteger('metrics-port', values['metrics-port'], 65535);
  const seedValue = values.seed === undefined ? undefined : Number(values.seed);
  if (seedValue !== undefined && (!Number.isInteger(seedValue) || seedValue < 0 || seedValue >= 2 ** 32)) {
    throw new UsageError(`firedrill workload: --seed must be a whole number from 0 to 4294967295, got "${values.seed}"`);
  }
  const { paths, config } = loadSettings(ctx, values);

  let workload: Workload;
  try {
    const profile = findProfile(values.profile ?? 'realistic', defaultWorkloadsDir(ctx.env));
    workload = new Workload({
      profile,
      ledger: openLedger(paths),
      ...(processes === undefined ? {} : { processes }),
      ...(durationMs === undefined ? {} : { durationMs }),
      ...(seedValue === undefined ? {} : { seed: seedValue }),
    });
  } catch (error) {
    writeLine(ctx.stderr, `firedrill workload: ${(error as Error).message}`);
    return error instanceof WorkloadError ? EXIT_FAILED : EXIT_USAGE;
  }

  const leftovers = await cleanupLeftovers(paths);
  if (leftovers.processesEnded.length > 0 || leftovers.filesRemoved.length > 0) {
    writeLine(ctx.stderr, `firedrill workload: removed what an interrupted firedrill left behind: ${leftovers.filesRemoved.length} file(s), ${leftovers.processesEnded.length} process(es)`);
  }

  let server: WorkloadMetricsServer | undefined;
  if (metricsPort !== undefined) {
    try {
      server = await startWorkloadMetricsServer(new WorkloadMetrics(() => [workload]), { host: values['metrics-host'] ?? '127.0.0.1', port: metricsPort });
    } catch (error) {
      writeLine(ctx.stderr, `firedrill workload: cannot serve metrics on port ${metricsPort}: ${(error as Error).message}`);
      return EXIT_FAILED;
    }
    writeLine(ctx.stderr, `firedrill workload: per-process metrics at ${server.url}`);
  }

  const state = { lastSampleLine: 0 };
  let finished: Extract<WorkloadEvent, { type: 'finished' }> | undefined;
  try {
    for await (const event of workload.run(ctx.signal)) {
      if (event.type === 'finished') finished = event;
      if (values.json) {
        writeLine(ctx.stdout, JSON.stringify(jsonEvent(event)));
        continue;
      }
      const line = textLine(event, state);
      if (line !== null) writeLine(ctx.stdout, line);
    }
  } finally {
    await server?.close();
  }
  if (!finished) return EXIT_FAILED;
  if (finished.status === 'failed') writeLine(ctx.stderr, `firedrill workload: ${finished.reason}`);
  // Kept on this machine (and in Neo4j when configured), interrupted ones too.
  const problem = await keepInHistory({ paths, config, env: ctx.env }, { session: workloadSession(workload, finished) });
  if (problem) writeLine(ctx.stderr, `firedrill workload: history: ${problem}`);
  return finished.status === 'finished' && finished.summary.leftBehind === 0 ? EXIT_OK : EXIT_FAILED;
}

/** Flags each trigger takes, mapped to the body the API expects. */
const CHAOS_FLAGS = {
  kind: { type: 'string' },
  percent: { type: 'string' },
  seconds: { type: 'string' },
  pid: { type: 'string' },
  'mb-per-second': { type: 'string' },
  'max-mb': { type: 'string' },
  priority: { type: 'string' },
  count: { type: 'string' },
  workload: { type: 'string' },
  api: { type: 'string' },
  'api-key': { type: 'string' },
  ...PATH_FLAGS,
  help: { type: 'boolean', short: 'h' },
} as const;

function numberFlag(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`firedrill workload chaos: --${flag} must be a number, got "${raw}"`);
  return value;
}

async function chaos(ctx: CommandContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('workload chaos', argv, CHAOS_FLAGS, true);
  if (values.help) {
    ctx.stdout.write(HELP);
    return EXIT_OK;
  }
  const action = positionals[0];
  if (action === undefined || !isChaosAction(action) || positionals.length > 1) {
    throw new UsageError(`firedrill workload chaos: expected one action (${CHAOS_ACTIONS.join(', ')}), got ${positionals.length === 0 ? 'none' : `"${positionals.join(' ')}"`}`);
  }
  const body: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) body[key] = value;
  };
  set('kind', values.kind);
  set('percent', numberFlag('percent', values.percent));
  set('seconds', numberFlag('seconds', values.seconds));
  set('pid', numberFlag('pid', values.pid));
  set('mb_per_second', numberFlag('mb-per-second', values['mb-per-second']));
  set('max_mb', numberFlag('max-mb', values['max-mb']));
  set('priority', values.priority);
  set('count', numberFlag('count', values.count));

  const { paths, config } = loadSettings(ctx, values);
  const picked = pickUrl('api', [
    ['--api', values.api],
    ['FIREDRILL_API_URL', ctx.env.FIREDRILL_API_URL],
    [`${paths.configFile}: api.url`, config.api.url],
  ]);
  const base = normalizeBaseUrl(picked ?? 'http://127.0.0.1:8000', { suffix: '/api/v1' });
  const apiKey = values['api-key'] ?? ctx.env.FIREDRILL_API_KEY ?? config.api.key;
  if (!apiKey) throw new UsageError('firedrill workload chaos: needs the API key of firedrill serve: pass --api-key K or set FIREDRILL_API_KEY');
  const url = endpointUrl(base, WORKLOADS_PREFIX);

  const call = async (method: string, path: string, payload?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const response = await fetch(`${url.href}${path}`, {
      method,
      headers: { 'x-api-key': apiKey, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(10_000)]),
    });
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { detail: text.slice(0, 200) };
    }
    return { status: response.status, json };
  };

  try {
    let id = values.workload;
    if (id === undefined) {
      const listed = await call('GET', '');
      if (listed.status !== 200) {
        writeLine(ctx.stderr, `firedrill workload chaos: ${listed.status}: ${sanitizeLine(String(listed.json.detail ?? 'listing the workloads failed'))}`);
        return EXIT_FAILED;
      }
      const running = (listed.json as unknown as { workload_id: string; status: string }[]).filter((entry) => entry.status === 'running');
      if (running.length !== 1) {
        writeLine(ctx.stderr, `firedrill workload chaos: ${running.length === 0 ? 'no workload is running on' : `${running.length} workloads run on`} ${displayUrl(base)}; name one with --workload ID${running.length > 1 ? ` (${sanitizeLine(running.map((entry) => entry.workload_id).join(', '))})` : ''}`);
        return EXIT_FAILED;
      }
      id = running[0]!.workload_id;
    }
    const answer = await call('POST', `/${encodeURIComponent(id)}/chaos/${action}`, body);
    if (answer.status !== 200) {
      writeLine(ctx.stderr, `firedrill workload chaos: ${answer.status}: ${sanitizeLine(String(answer.json.detail ?? 'refused'))}`);
      return answer.status === 400 ? EXIT_USAGE : EXIT_FAILED;
    }
    writeLine(ctx.stdout, `workload ${sanitizeLine(id)}: ${sanitizeLine(String(answer.json.message))}`);
    return EXIT_OK;
  } catch (error) {
    writeLine(ctx.stderr, `firedrill workload chaos: cannot reach ${displayUrl(base)}: ${describeNetworkError(error)}; is \`firedrill serve\` running?`);
    return EXIT_FAILED;
  }
}
