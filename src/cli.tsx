import './no-color.js';
import { EXIT_FAILED, EXIT_USAGE, type Command, type CommandContext } from './commands/command.js';
import { emergencyCleanupSync } from './drills/emergency.js';
import { isUsersError, usageLine } from './errors.js';
import { sanitizeText, showControls } from './text/sanitize.js';

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
  demo: () => import('./commands/demo.js'),
  gameday: () => import('./commands/gameday.js'),
  train: () => import('./commands/train.js'),
  workload: () => import('./commands/workload.js'),
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
  firedrill train [--trainee NAME]   the trainee ladder in the console (scored incident exercises)
  firedrill train --report [--trainee NAME] | --roster | --agent [--llm-url U --llm-model M] [--json]
  firedrill demo [ID|FILE] [--list] [--check] [--rehearse] [--notes] [--script] [--record FILE.cast]
                                 presenter demos: narratives that drive real drills and incidents on stage
  firedrill workload [--profile P] [--processes N] [--duration D] [--metrics-port N] [--json]
                                 real named processes with CPU and memory patterns; also
                                 "workload profiles" and "workload chaos ACTION" (see --help)

Common flags: --config FILE, --data-dir DIR (every command). "firedrill help COMMAND" gives a command's flags.
Drills: cpu_spike, memory_pressure, disk_fill, service_restart, process_spawn.
Exit status: 0 done, 1 failed, 2 bad usage or config (nothing was started), 130/143 interrupted;
  141 when stdout closed early (as with "| head"): the command stops as if interrupted (drills clean
  up, a run is still kept in history), quietly, like a program ended by SIGPIPE.
`;

/** Grace for a command to clean up after Ctrl-C / SIGTERM / SIGHUP before firedrill ends it itself. */
const SHUTDOWN_GRACE_MS = 1500;

/** Exit status when the reader of stdout went away (`| head`): 128 + SIGPIPE, as for a program that SIGPIPE ended. */
const EXIT_CLOSED_OUTPUT = 141;

/** Set once stdout failed: the exit status, whatever the command returns. */
let outputFailure: number | undefined;
/** Stops the running headless command, if any. */
let stopCommand: (reason: string, exitCode: number) => void = () => {};

/**
 * A closed pipe (EPIPE) or a full disk (ENOSPC) on stdout: nothing more can be shown, so a command
 * stops as if interrupted (drills clean up, the run is still kept in history) and firedrill ends
 * quietly: 141 for a closed pipe, 1 with one line on stderr for any other write error. Without a
 * listener Node prints an "Unhandled 'error' event" stack trace instead.
 */
function watchOutput(commandName: string): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (outputFailure !== undefined) return;
    const closed = error.code === 'EPIPE';
    outputFailure = closed ? EXIT_CLOSED_OUTPUT : EXIT_FAILED;
    // The last write's error can arrive after the command returned its code.
    process.exitCode = outputFailure;
    if (!closed) process.stderr.write(`firedrill${commandName ? ` ${commandName}` : ''}: cannot write to stdout: ${error.message}\n`);
    stopCommand('stdout closed', outputFailure);
  });
  // stderr closed too (`2>&-`, `|& head`): nowhere to say anything; the exit status tells.
  process.stderr.on('error', () => {});
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    // `firedrill help run` is `firedrill run --help`.
    const topic = first === 'help' && rest[0] !== undefined ? (ALIASES[rest[0]] ?? rest[0]) : undefined;
    const load = topic === undefined ? undefined : COMMANDS[topic];
    if (topic !== undefined && !load) {
      process.stderr.write(`firedrill help: unknown command "${showControls(rest[0]!)}"; the commands are ${Object.keys(COMMANDS).join(', ')}\n`);
      return EXIT_USAGE;
    }
    watchOutput('help');
    if (load) return runHeadless(load, ['--help'], topic!);
    process.stdout.write(HELP);
    return 0;
  }
  if (first === '--version' || first === '-v') {
    watchOutput('');
    process.stdout.write(`${process.env.FIREDRILL_VERSION ?? '0.1.0'}\n`);
    return 0;
  }
  const name = first === undefined ? undefined : (ALIASES[first] ?? first);
  if (name !== undefined && !name.startsWith('-')) {
    const load = COMMANDS[name];
    if (!load) {
      process.stderr.write(`firedrill: unknown command "${showControls(name)}"\n\n${HELP}`);
      return EXIT_USAGE;
    }
    // "firedrill train" is the console's training ladder; its --report, --roster and --agent are headless.
    if (name === 'train' && process.stdin.isTTY && process.stdout.isTTY && !rest.some((arg) => /^(--report|--roster|--agent|--help|-h)(=|$)/.test(arg))) {
      const { openConsole } = await import('./ui/open-console.js');
      return openConsole(rest, process.env, { initialScreen: { name: 'training' } });
    }
    watchOutput(name);
    return runHeadless(load, rest, name);
  }
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    process.stderr.write(`firedrill: the console needs a terminal; for cron and scripts use a command below.\n\n${HELP}`);
    return EXIT_USAGE;
  }
  const { openConsole } = await import('./ui/open-console.js');
  return openConsole(argv);
}

async function runHeadless(load: () => Promise<{ command: Command }>, argv: string[], commandName: string): Promise<number> {
  const controller = new AbortController();
  /** One way to stop a command early: a signal, or an output nobody can read any more. */
  const stop = (reason: string, exitCode: number) => {
    if (controller.signal.aborted) return;
    controller.abort(new Error(reason));
    setTimeout(() => {
      emergencyCleanupSync();
      process.exit(exitCode);
    }, SHUTDOWN_GRACE_MS).unref();
  };
  stopCommand = stop;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) process.stderr.write(`\nfiredrill: ${signal}, stopping and cleaning up...\n`);
    stop(signal, signal === 'SIGINT' ? 130 : 143);
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
  let code: number;
  try {
    code = await command(context);
  } catch (error) {
    if (!isUsersError(error)) throw error;
    process.stderr.write(`${sanitizeText(usageLine(error, commandName))}\n`);
    code = EXIT_USAGE;
  }
  return outputFailure ?? code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    emergencyCleanupSync();
    if (isUsersError(error)) {
      process.stderr.write(`${sanitizeText(usageLine(error))}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    process.stderr.write(`firedrill: ${sanitizeText(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
    process.exitCode = 1;
  },
);
