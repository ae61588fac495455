import os from 'node:os';
import { openLedger } from '../drills/ledger.js';
import { DrillLockError } from '../drills/lock.js';
import { loadRunConfig, prepareRun, type PreparedRun } from '../drills/prepare.js';
import { runExperiment } from '../experiments/engine.js';
import { RISKS, type Risk } from '../experiments/kinds/types.js';
import { defaultExperimentsDir, loadExperiments } from '../experiments/load.js';
import { detectorsFor, findExperiment, outputProblem, prometheusFor, riskRefusal, setupProblems, writeOutputs, type OutputFiles } from '../experiments/prepare.js';
import type { Experiment } from '../experiments/schema.js';
import { toJournal } from '../experiments/journal.js';
import { experimentSession } from '../experiments/session.js';
import { keepInHistory } from '../history/record.js';
import { eventLines } from '../experiments/text.js';
import type { ExperimentResult } from '../experiments/types.js';
import { detectionFlagOptions } from '../monitor/alerts/detector.js';
import { terminalSafeJson } from '../text/sanitize.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseFlags, pathsFromFlags, positiveNumber, UsageError, writeLine, type Command, type CommandContext } from './command.js';

export const EXIT_INTERRUPTED = 130;

const USAGE = `Usage: firedrill experiment list [--json]
       firedrill experiment validate [ID|FILE ...]
       firedrill experiment run ID|FILE [--yes] [--risk high] [--json] [--junit FILE] [--journal FILE]
                                [--report FILE.html] [--duration S] [--prometheus URL] [--alertmanager URL]
                                [--config FILE] [--data-dir DIR]

Chaos experiments: a steady state checked before, faults, time to detect and to recover, rollbacks.
  list             the experiments in experiments/ (FIREDRILL_EXPERIMENTS_DIR), grouped by risk
  validate         check experiment files (all of them without arguments); exit 1 if any is invalid
  run              run one experiment for real on this machine
    --yes, -y      run a medium risk experiment; with --risk high, a high risk one
    --risk LEVEL   the highest risk --yes approves: low, medium (default) or high
    --json         print the journal (JSON) on stdout instead of the text report
    --journal FILE also write the journal to FILE
    --junit FILE   also write a JUnit XML report to FILE
    --report FILE  also write a self-contained HTML report with charts to FILE
    --duration S   hold every held fault for S seconds instead of its duration_seconds
    --prometheus URL, --alertmanager URL
                   your monitoring: prometheus probes query it, and each fault is checked for the
                   experiment's expected alert (also FIREDRILL_PROMETHEUS_URL, the config's detection)
Exit status: 0 every fault held or recovered in time, 1 a fault did not recover (or the steady state
did not hold before, or something failed), 2 bad usage or file, 130 interrupted.
`;

export interface ExperimentCommandHooks {
  /** Called with every finished result, interrupted ones too (history goes here); returns a problem to report, never fatal. */
  onResult?: (result: ExperimentResult, experiment: Experiment, run: PreparedRun) => Promise<string | undefined>;
}

export function createExperimentCommand(hooks: ExperimentCommandHooks = {}): Command {
  return async (ctx) => {
    const [sub, ...rest] = ctx.argv;
    switch (sub) {
      case 'list':
        return list(ctx, rest);
      case 'validate':
        return validate(ctx, rest);
      case 'run':
        return run(ctx, rest, hooks);
      case '--help':
      case '-h':
      case 'help':
        ctx.stdout.write(USAGE);
        return EXIT_OK;
      default:
        throw new UsageError(`firedrill experiment: ${sub === undefined ? 'say list, validate or run' : `unknown subcommand "${sub}"`}\n\n${USAGE}`);
    }
  };
}

function list(ctx: CommandContext, argv: string[]): number {
  const { values } = parseFlags('experiment list', argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    ctx.stdout.write(USAGE);
    return EXIT_OK;
  }
  const dir = defaultExperimentsDir(ctx.env);
  const { experiments, errors } = loadExperiments(dir);
  for (const error of errors) writeLine(ctx.stderr, `firedrill experiment list: ${error.message}`);
  if (values.json) {
    const rows = experiments.map(({ id, title, risk, severity, tags, description, file }) => ({ id, title, risk, severity, tags, description: description.trim(), file }));
    writeLine(ctx.stdout, terminalSafeJson(rows));
    return EXIT_OK;
  }
  for (const risk of RISKS) {
    const group = experiments.filter((experiment) => experiment.risk === risk);
    if (group.length === 0) continue;
    writeLine(ctx.stdout, `${risk} risk${risk === 'low' ? '' : risk === 'medium' ? ' (needs --yes)' : ' (needs --yes --risk high)'}:`);
    const width = Math.max(...group.map((experiment) => experiment.id.length));
    for (const experiment of group) {
      writeLine(ctx.stdout, `  ${experiment.id.padEnd(width)}  severity ${experiment.severity}  ${experiment.title}`);
    }
  }
  if (experiments.length === 0) writeLine(ctx.stdout, `no experiments in ${dir}`);
  return EXIT_OK;
}

function validate(ctx: CommandContext, argv: string[]): number {
  const { values, positionals } = parseFlags('experiment validate', argv, { help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    ctx.stdout.write(USAGE);
    return EXIT_OK;
  }
  const dir = defaultExperimentsDir(ctx.env);
  let failed = 0;
  if (positionals.length === 0) {
    const { experiments, errors } = loadExperiments(dir);
    for (const experiment of experiments) writeLine(ctx.stdout, `ok  ${experiment.id}  (${experiment.file})`);
    for (const error of errors) writeLine(ctx.stderr, `invalid: ${error.message}`);
    failed = errors.length;
  } else {
    for (const target of positionals) {
      const found = findExperiment(target, dir);
      if ('error' in found) {
        failed += 1;
        writeLine(ctx.stderr, `invalid: ${found.error}`);
      } else {
        writeLine(ctx.stdout, `ok  ${found.experiment.id}  (${found.experiment.file})`);
      }
    }
  }
  return failed > 0 ? EXIT_FAILED : EXIT_OK;
}

/** --duration, --risk and the positional, checked before anything loads. */
function runArguments(argv: string[]) {
  const { values, positionals } = parseFlags(
    'experiment run',
    argv,
    {
      yes: { type: 'boolean', short: 'y' },
      risk: { type: 'string' },
      json: { type: 'boolean' },
      junit: { type: 'string' },
      journal: { type: 'string' },
      report: { type: 'string' },
      duration: { type: 'string' },
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...detectionFlagOptions,
    },
    true,
  );
  if (values.help) return { help: true as const };
  if (positionals.length !== 1) throw new UsageError(`firedrill experiment run: give one experiment id or file\n\n${USAGE}`);
  if (values.risk !== undefined && !(RISKS as readonly string[]).includes(values.risk)) {
    throw new UsageError(`firedrill experiment run: --risk must be low, medium or high, got "${values.risk}"`);
  }
  let duration: number | undefined;
  try {
    duration = positiveNumber('duration', values.duration);
  } catch (error) {
    throw new UsageError(`firedrill experiment run: ${(error as Error).message}`);
  }
  if (duration !== undefined && duration > 3600) throw new UsageError(`firedrill experiment run: --duration must be at most 3600 seconds, got "${values.duration}"`);
  const files: OutputFiles = {
    ...(values.journal !== undefined ? { journal: values.journal } : {}),
    ...(values.junit !== undefined ? { junit: values.junit } : {}),
    ...(values.report !== undefined ? { report: values.report } : {}),
  };
  const problem = outputProblem(files);
  if (problem) throw new UsageError(`firedrill experiment run: ${problem}`);
  return { help: false as const, target: positionals[0]!, values, duration, files, risk: values.risk as Risk | undefined };
}

async function run(ctx: CommandContext, argv: string[], hooks: ExperimentCommandHooks): Promise<number> {
  const args = runArguments(argv);
  if (args.help) {
    ctx.stdout.write(USAGE);
    return EXIT_OK;
  }
  const { values } = args;
  const found = findExperiment(args.target, defaultExperimentsDir(ctx.env));
  if ('error' in found) {
    writeLine(ctx.stderr, `firedrill experiment run: ${found.error}`);
    return EXIT_USAGE;
  }
  const { experiment } = found;
  const refusal = riskRefusal(experiment, { yes: values.yes === true, ...(args.risk ? { risk: args.risk } : {}) });
  if (refusal) {
    writeLine(ctx.stderr, `firedrill experiment run: not running ${refusal}`);
    return EXIT_USAGE;
  }
  const loaded = loadRunConfig({ configFile: values.config, paths: pathsFromFlags(values, ctx.env) });
  const flags = { prometheusUrl: values.prometheus, alertmanagerUrl: values.alertmanager };
  const detectors = detectorsFor(experiment, loaded.config, ctx.env, flags);
  const prometheus = prometheusFor(loaded.config, ctx.env, values.prometheus);
  const problems = await setupProblems(experiment, { config: loaded.config, env: ctx.env, ...(prometheus ? { prometheus } : {}) });
  if (problems.length > 0) {
    writeLine(ctx.stderr, `firedrill experiment run: ${experiment.id} cannot run here: ${problems.join('; ')}`);
    return EXIT_USAGE;
  }

  let prepared: PreparedRun;
  try {
    prepared = await prepareRun(loaded);
  } catch (error) {
    const hint = error instanceof DrillLockError ? '; wait for it to finish, or stop it first' : '';
    writeLine(ctx.stderr, `firedrill experiment run: ${(error as Error).message}${hint}`);
    return EXIT_FAILED;
  }
  try {
    const { filesRemoved, directoriesRemoved, processesEnded, undone } = prepared.leftovers;
    if (filesRemoved.length + directoriesRemoved.length + processesEnded.length + undone.length > 0) {
      writeLine(
        ctx.stderr,
        `firedrill experiment run: removed what an interrupted run left behind: ${filesRemoved.length} file(s), ${directoriesRemoved.length} folder(s), ${processesEnded.length} process(es), ${undone.length} change(s) undone`,
      );
    }
    const result = await execute(ctx, prepared, experiment, { json: values.json === true, duration: args.duration, detectors, prometheus });
    for (const problem of await writeOutputs(result, experiment, args.files)) writeLine(ctx.stderr, `firedrill experiment run: ${problem}`);
    const problem = await hooks.onResult?.(result, experiment, prepared).catch((error: Error) => error.message);
    if (problem) writeLine(ctx.stderr, `firedrill experiment run: history: ${problem}`);
    if (result.status === 'interrupted') return EXIT_INTERRUPTED;
    return result.status === 'completed' && result.verdict !== 'not-recovered' ? EXIT_OK : EXIT_FAILED;
  } finally {
    prepared.release();
  }
}

async function execute(
  ctx: CommandContext,
  prepared: PreparedRun,
  experiment: Experiment,
  options: { json: boolean; duration: number | undefined; detectors: ReturnType<typeof detectorsFor>; prometheus: ReturnType<typeof prometheusFor> },
): Promise<ExperimentResult> {
  const events = runExperiment({
    experiment,
    config: prepared.config,
    paths: prepared.paths,
    ledger: openLedger(prepared.paths),
    env: ctx.env,
    signal: ctx.signal,
    sampler: prepared.sampler,
    detectors: options.detectors,
    ...(options.prometheus ? { prometheus: options.prometheus } : {}),
    ...(options.duration !== undefined ? { faultDurationSeconds: options.duration } : {}),
    machine: os.hostname(),
  });
  let result: ExperimentResult | undefined;
  for await (const event of events) {
    if (event.type === 'experiment-finished') result = event.result;
    if (!options.json) for (const line of eventLines(event)) writeLine(ctx.stdout, line);
  }
  if (!result) throw new Error('the experiment ended without a result');
  if (options.json) writeLine(ctx.stdout, terminalSafeJson(toJournal(result, experiment)));
  return result;
}

export const command: Command = createExperimentCommand({
  // Every experiment is kept, interrupted ones too: on this machine first, then in Neo4j when configured.
  onResult: (result, experiment, run) =>
    keepInHistory({ paths: run.paths, config: run.config, env: process.env }, { session: experimentSession(result, toJournal(result, experiment)) }),
});
