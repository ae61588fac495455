import os from 'node:os';
import { openLedger } from '../drills/ledger.js';
import { DrillLockError } from '../drills/lock.js';
import { loadRunConfig, prepareRun, type PreparedRun } from '../drills/prepare.js';
import { runGameday, type GamedayResult } from '../experiments/gameday.js';
import { experimentReportHtml } from '../experiments/html-report.js';
import { toGamedayJournal } from '../experiments/journal.js';
import { gamedaySessions } from '../experiments/session.js';
import { keepInHistory } from '../history/record.js';
import { experimentsToJunit } from '../experiments/junit.js';
import { RISKS, type Risk } from '../experiments/kinds/types.js';
import { defaultExperimentsDir, loadExperiments } from '../experiments/load.js';
import { detectorsFor, outputProblem, prometheusFor, riskRefusal, setupProblems, writeFiles, type OutputFiles } from '../experiments/prepare.js';
import type { Experiment } from '../experiments/schema.js';
import { eventLines } from '../experiments/text.js';
import { detectionFlagOptions } from '../monitor/alerts/detector.js';
import { terminalSafeJson } from '../text/sanitize.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseFlags, pathsFromFlags, UsageError, writeLine, type Command, type CommandContext } from './command.js';
import { EXIT_INTERRUPTED } from './experiment.js';

const USAGE = `Usage: firedrill gameday [--duration 30m] [--interval 60s] [--severity 1-3] [--experiments a,b]
                        [--yes] [--risk high] [--report FILE.html] [--journal FILE] [--junit FILE] [--json]
                        [--prometheus URL] [--alertmanager URL] [--config FILE] [--data-dir DIR]

Continuous chaos: one experiment at a time, chosen at random within the severity range, a pause
between them for the system to recover, until the duration is over or Ctrl-C (the experiment
under way then stops and rolls back). A summary at the end, and the reports asked for.
  --duration D     how long to keep starting experiments (default 30m; 90s, 30m, 2h)
  --interval D     the pause between two experiments (default 60s)
  --severity A-B   the severities to choose from, 1 (mild) to 5 (severe) (default 1-3)
  --experiments    only these experiment ids (comma separated)
  --yes, --risk    approve medium risk experiments (--yes) and high risk ones (--yes --risk high);
                   the others are left out
Exit status: 0 every fault held or recovered in time, 1 otherwise, 2 bad usage, 130 interrupted.
`;

const MAX_GAMEDAY_MS = 7 * 24 * 3600 * 1000;

/** "90s", "30m", "2h", "500ms" or a number of seconds. */
export function parseDuration(flag: string, raw: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match?.[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = match ? Number(match[1]) * unit : NaN;
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`firedrill gameday: --${flag} must be a duration such as 90s, 30m or 2h, got "${raw}"`);
  if (ms > MAX_GAMEDAY_MS) throw new UsageError(`firedrill gameday: --${flag} must be at most a week, got "${raw}"`);
  return ms;
}

/** "1-3" or "2". */
export function parseSeverity(raw: string): { min: number; max: number } {
  const match = /^([1-5])(?:-([1-5]))?$/.exec(raw.trim());
  if (!match) throw new UsageError(`firedrill gameday: --severity must be a range of 1 to 5 such as 1-3, got "${raw}"`);
  const min = Number(match[1]);
  const max = Number(match[2] ?? match[1]);
  if (min > max) throw new UsageError(`firedrill gameday: --severity ${raw}: the lower bound is above the upper one`);
  return { min, max };
}

function gamedayArguments(argv: string[]) {
  const { values } = parseFlags('gameday', argv, {
    duration: { type: 'string' },
    interval: { type: 'string' },
    severity: { type: 'string' },
    experiments: { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
    risk: { type: 'string' },
    report: { type: 'string' },
    journal: { type: 'string' },
    junit: { type: 'string' },
    json: { type: 'boolean' },
    config: { type: 'string' },
    'data-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    ...detectionFlagOptions,
  });
  if (values.risk !== undefined && !(RISKS as readonly string[]).includes(values.risk)) {
    throw new UsageError(`firedrill gameday: --risk must be low, medium or high, got "${values.risk}"`);
  }
  const files: OutputFiles = {
    ...(values.journal !== undefined ? { journal: values.journal } : {}),
    ...(values.junit !== undefined ? { junit: values.junit } : {}),
    ...(values.report !== undefined ? { report: values.report } : {}),
  };
  const problem = outputProblem(files);
  if (problem) throw new UsageError(`firedrill gameday: ${problem}`);
  const only = values.experiments?.split(',').map((id) => id.trim()).filter((id) => id !== '');
  if (only !== undefined && only.length === 0) throw new UsageError('firedrill gameday: --experiments needs at least one experiment id');
  return {
    values,
    files,
    durationMs: parseDuration('duration', values.duration ?? '30m'),
    intervalMs: parseDuration('interval', values.interval ?? '60s'),
    severity: parseSeverity(values.severity ?? '1-3'),
    only,
    risk: values.risk as Risk | undefined,
  };
}

/** The experiments a gameday may choose from, and a line for each one left out and why. */
function candidates(
  all: readonly Experiment[],
  args: ReturnType<typeof gamedayArguments>,
): { chosen: Experiment[]; leftOut: string[] } {
  if (args.only) {
    const unknown = args.only.filter((id) => !all.some((experiment) => experiment.id === id));
    if (unknown.length > 0) throw new UsageError(`firedrill gameday: --experiments: no experiment ${unknown.map((id) => `"${id}"`).join(', ')}`);
  }
  const leftOut: string[] = [];
  const chosen = all.filter((experiment) => {
    if (args.only && !args.only.includes(experiment.id)) return false;
    if (experiment.severity < args.severity.min || experiment.severity > args.severity.max) {
      if (args.only) leftOut.push(`${experiment.id}: severity ${experiment.severity} is outside ${args.severity.min}-${args.severity.max}`);
      return false;
    }
    const refusal = riskRefusal(experiment, { yes: args.values.yes === true, ...(args.risk ? { risk: args.risk } : {}) });
    if (refusal) leftOut.push(refusal);
    return refusal === null;
  });
  return { chosen, leftOut };
}

export const command: Command = async (ctx) => {
  const args = gamedayArguments(ctx.argv);
  const { values } = args;
  if (values.help) {
    ctx.stdout.write(USAGE);
    return EXIT_OK;
  }
  const { experiments, errors } = loadExperiments(defaultExperimentsDir(ctx.env));
  for (const error of errors) writeLine(ctx.stderr, `firedrill gameday: left out: ${error.message}`);
  const loaded = loadRunConfig({ configFile: values.config, paths: pathsFromFlags(values, ctx.env) });
  const flags = { prometheusUrl: values.prometheus, alertmanagerUrl: values.alertmanager };
  const prometheus = prometheusFor(loaded.config, ctx.env, values.prometheus);
  const { chosen, leftOut } = candidates(experiments, args);
  const runnable: Experiment[] = [];
  for (const experiment of chosen) {
    const problems = await setupProblems(experiment, { config: loaded.config, env: ctx.env, ...(prometheus ? { prometheus } : {}) });
    if (problems.length > 0) leftOut.push(`${experiment.id} cannot run here: ${problems.join('; ')}`);
    else runnable.push(experiment);
  }
  for (const line of leftOut) writeLine(ctx.stderr, `firedrill gameday: left out: ${line}`);
  if (runnable.length === 0) {
    writeLine(ctx.stderr, `firedrill gameday: no experiment to run (severity ${args.severity.min}-${args.severity.max}${values.yes ? '' : ', low risk only without --yes'})`);
    return EXIT_USAGE;
  }
  // Bad monitoring URLs are usage errors: found before anything runs.
  for (const experiment of runnable) detectorsFor(experiment, loaded.config, ctx.env, flags);

  let prepared: PreparedRun;
  try {
    prepared = await prepareRun(loaded);
  } catch (error) {
    const hint = error instanceof DrillLockError ? '; wait for it to finish, or stop it first' : '';
    writeLine(ctx.stderr, `firedrill gameday: ${(error as Error).message}${hint}`);
    return EXIT_FAILED;
  }
  try {
    const result = await execute(ctx, prepared, runnable, args, (experiment) => detectorsFor(experiment, loaded.config, ctx.env, flags), prometheus);
    for (const problem of await writeGamedayOutputs(result, runnable, args.files)) writeLine(ctx.stderr, `firedrill gameday: ${problem}`);
    for (const problem of await keepGameday(result, runnable, prepared)) writeLine(ctx.stderr, `firedrill gameday: history: ${problem}`);
    if (values.json) writeLine(ctx.stdout, terminalSafeJson(toGamedayJournal(result, runnable)));
    if (result.status === 'interrupted') return EXIT_INTERRUPTED;
    const clean = result.results.every((experiment) => experiment.status === 'completed' && experiment.verdict !== 'not-recovered');
    return clean ? EXIT_OK : EXIT_FAILED;
  } finally {
    prepared.release();
  }
};

async function execute(
  ctx: CommandContext,
  prepared: PreparedRun,
  experiments: Experiment[],
  args: ReturnType<typeof gamedayArguments>,
  detectors: (experiment: Experiment) => ReturnType<typeof detectorsFor>,
  prometheus: ReturnType<typeof prometheusFor>,
): Promise<GamedayResult> {
  const print = (line: string) => {
    if (!args.values.json) writeLine(ctx.stdout, line);
  };
  const events = runGameday({
    experiments,
    durationMs: args.durationMs,
    intervalMs: args.intervalMs,
    severity: args.severity,
    config: prepared.config,
    paths: prepared.paths,
    ledger: openLedger(prepared.paths),
    env: ctx.env,
    signal: ctx.signal,
    detectorsFor: detectors,
    ...(prometheus ? { prometheus } : {}),
    machine: os.hostname(),
  });
  for (;;) {
    const next = await events.next();
    if (next.done) return next.value;
    const event = next.value;
    switch (event.type) {
      case 'gameday-started':
        print(`Gameday until ${new Date(event.endsAt).toISOString()}: choosing among ${event.candidates.join(', ')}`);
        break;
      case 'experiment':
        for (const line of eventLines(event.event)) print(`[${event.index + 1}] ${line}`);
        break;
      case 'waiting':
      case 'notice':
        print(event.message);
        break;
      case 'gameday-finished':
        print(`Gameday: ${event.result.summary}`);
        break;
    }
  }
}

/** Each experiment of the gameday as its own session, then the gameday: the problems to report. */
async function keepGameday(result: GamedayResult, experiments: readonly Experiment[], run: PreparedRun): Promise<string[]> {
  const problems: string[] = [];
  for (const session of gamedaySessions(result, experiments)) {
    const problem = await keepInHistory({ paths: run.paths, config: run.config, env: process.env }, { session });
    if (problem) problems.push(problem);
  }
  return problems;
}

function writeGamedayOutputs(result: GamedayResult, experiments: readonly Experiment[], files: OutputFiles): Promise<string[]> {
  return writeFiles(files, {
    journal: () => `${JSON.stringify(toGamedayJournal(result, experiments), null, 2)}\n`,
    junit: () => experimentsToJunit(result.results, 'firedrill gameday'),
    report: () =>
      experimentReportHtml(result.results, { title: `Chaos gameday on ${result.machine}`, gameday: { figures: result.figures, lines: [result.summary] } }),
  });
}
