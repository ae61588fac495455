import './no-color.js';
import { EXIT_USAGE, UsageError, type Command, type CommandContext } from './commands/command.js';
import { emergencyCleanupSync } from './drills/emergency.js';

const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  run: () => import('./commands/run.js'),
  cleanup: () => import('./commands/cleanup.js'),
  scenarios: () => import('./commands/scenarios.js'),
  incident: () => import('./commands/incident.js'),
  serve: () => import('./commands/serve.js'),
  history: () => import('./commands/history.js'),
  failures: () => import('./commands/failures.js'),
  compare: () => import('./commands/compare.js'),
  sync: () => import('./commands/sync.js'),
  proxy: () => import('./commands/proxy.js'),
  sandbox: () => import('./commands/sandbox.js'),
  experiment: () => import('./commands/experiment.js'),
  gameday: () => import('./commands/gameday.js'),
};

/** The original `mythos-test` was called with flags; those spellings keep working. */
const ALIASES: Record<string, string> = { '--run': 'run', '--history': 'history', '--failures': 'failures' };

export const HELP = `firedrill: incident fire drills in your terminal

Usage:
  firedrill [--config FILE] [--data-dir DIR] [--api URL] [--llm-url URL] [--llm-model M] [--speed N]
            [--prometheus URL] [--alertmanager URL]
                                 open the console (needs a terminal)
  firedrill run [--duration S] [--only cpu_spike,process_spawn,...] [--yes] [--json] [--junit FILE]
                [--prometheus URL] [--alertmanager URL] [--metrics-port N]
                                 run the local event drills headless (for cron); exit 0 all passed, 1 any failed
  firedrill cleanup              remove anything an interrupted drill left behind
  firedrill scenarios [--difficulty D] [--tag T] [--json]
  firedrill incident ID [--speed N] [--json] [--api URL] [--api-key K] [--llm-url URL] [--llm-model M] [--llm-timeout S]
  firedrill serve [--host 127.0.0.1] [--port 8000] [--api-key-file FILE]
  firedrill history [--limit N] [--machine HOST] [--json] [--detection]
  firedrill failures [--machine HOST] [--json]
  firedrill compare [--json]
  firedrill sync                 push runs still pending to Neo4j
  firedrill proxy --listen PORT --upstream HOST:PORT [--latency MS ...]
                                 a TCP fault proxy (Toxiproxy's toxics), changeable while it runs
  firedrill sandbox up           a throwaway PostgreSQL, the fault proxy and a demo app, until Ctrl-C
  firedrill experiment list|validate|run ID|FILE [--yes] [--risk high] [--json] [--junit FILE]
                [--journal FILE] [--report FILE.html] [--duration S]
                                 chaos experiments: steady state, faults, recovery, rollbacks
  firedrill gameday [--duration 30m] [--interval 60s] [--severity 1-3] [--experiments a,b] [--report FILE.html]
                                 continuous chaos: experiments one at a time until the time is up

Common flags: --config FILE, --data-dir DIR. "firedrill COMMAND --help" gives a command's flags.
Drills: cpu_spike, memory_pressure, disk_fill, service_restart, process_spawn.
`;

/** Grace for a command to clean up after Ctrl-C / SIGTERM / SIGHUP before firedrill ends it itself. */
const SHUTDOWN_GRACE_MS = 1500;

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${process.env.FIREDRILL_VERSION ?? '0.1.0'}\n`);
    return 0;
  }
  const name = first === undefined ? undefined : (ALIASES[first] ?? first);
  if (name !== undefined && !name.startsWith('-')) {
    const load = COMMANDS[name];
    if (!load) {
      process.stderr.write(`firedrill: unknown command "${first}"\n\n${HELP}`);
      return EXIT_USAGE;
    }
    return runHeadless(load, rest);
  }
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    process.stderr.write(`firedrill: the console needs a terminal; for cron and scripts use a command below.\n\n${HELP}`);
    return EXIT_USAGE;
  }
  const { openConsole } = await import('./ui/open-console.js');
  return openConsole(argv);
}

async function runHeadless(load: () => Promise<{ command: Command }>, argv: string[]): Promise<number> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    process.stderr.write(`\nfiredrill: ${signal}, stopping and cleaning up...\n`);
    controller.abort(new Error(signal));
    setTimeout(() => {
      emergencyCleanupSync();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }, SHUTDOWN_GRACE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  const context: CommandContext = {
    argv,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
  };
  const { command } = await load();
  return command(context);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    emergencyCleanupSync();
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    process.stderr.write(`firedrill: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
