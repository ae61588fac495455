import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type FiredrillConfig } from '../config/config.js';
import { DrillLockError } from '../drills/lock.js';
import { loadRunConfig, prepareRun, type PreparedRun } from '../drills/prepare.js';
import { createDrills } from '../drills/registry.js';
import { runDrills } from '../drills/runner.js';
import { DRILL_NAMES, isDrillName, type DrillName, type RunEvent, type RunReport } from '../drills/types.js';
import type { DrillMetricsServer } from '../monitor/drill-metrics.js';
import { checkNeo4jSettings } from '../history/neo4j-settings.js';
import type { Detector } from '../monitor/detector.js';
import { toJsonReport } from '../report/json.js';
import { toJunitXml } from '../report/junit.js';
import { shouldUseColor, TextReporter } from '../report/text.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseFlags, pathsFromFlags, positiveInteger, positiveNumber, UsageError, writeLine, type Command } from './command.js';
import { terminalSafeJson } from '../text/sanitize.js';

/**
 * `firedrill run`: the local event drills, headless (cron, CI). The console starts runs through
 * the same `prepareRun` and `runDrills`, so both see the same config, lock, cleanup and monitor.
 */

export const EXIT_INTERRUPTED = 130;
const MAX_DURATION_SECONDS = 86_400;

export const RUN_USAGE = `Usage: firedrill run [--duration S] [--only a,b] [--yes] [--json] [--junit FILE] [--config FILE] [--data-dir DIR]
                    [--prometheus URL] [--alertmanager URL] [--metrics-port N] [--metrics-host H]

Runs the local event drills one after the other and reports what the monitor saw.
  --duration S     hold each drill's load for S seconds (overrides the config)
  --only a,b       run only these drills, in this order (${DRILL_NAMES.join(', ')})
  --yes, -y        run drills that ask for confirmation with this config (disk_fill, large memory_pressure)
  --json           print one JSON report on stdout instead of the text report
  --junit FILE     also write a JUnit XML report to FILE
  --config FILE    the YAML config (default: ~/.config/firedrill/config.yaml, if present)
  --data-dir DIR   where the lock, the cleanup ledger and the history live
  --prometheus URL, --alertmanager URL
                   check that your own monitoring noticed each drill (also FIREDRILL_PROMETHEUS_URL,
                   FIREDRILL_ALERTMANAGER_URL, or the config's detection section)
  --metrics-port N serve firedrill_drill_active{drill} on http://127.0.0.1:N/metrics while drills run,
                   so that alerts caused by a drill can be silenced (--metrics-host to bind elsewhere)
Exit status: 0 all drills passed, 1 a drill failed, 2 bad usage or config, 130 interrupted,
141 stdout closed early (the drills stopped and cleaned up; the run is kept in history).
`;

/** --junit FILE, checked before any drill runs: not a directory, in a directory that exists and can be written. */
function checkJunitFile(raw: string): string {
  const file = path.resolve(raw);
  const directory = path.dirname(file);
  if (!statOrUndefined(directory)?.isDirectory()) throw new UsageError(`firedrill run: --junit: the directory ${directory} does not exist`);
  if (statOrUndefined(file)?.isDirectory()) throw new UsageError(`firedrill run: --junit: ${file} is a directory; name a file`);
  try {
    accessSync(directory, constants.W_OK);
  } catch {
    throw new UsageError(`firedrill run: --junit: the directory ${directory} cannot be written`);
  }
  return file;
}

function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

/** Parses --only: known drill names, comma separated, each once, in the order given. */
export function parseOnly(raw: string | undefined): DrillName[] {
  if (raw === undefined) return [...DRILL_NAMES];
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) throw new UsageError(`--only needs at least one drill name (${DRILL_NAMES.join(', ')})`);
  const unknown = names.filter((name) => !isDrillName(name));
  if (unknown.length > 0) {
    const list = unknown.map((name) => `"${name}"`).join(', ');
    throw new UsageError(`--only: unknown drill ${list}; the drills are ${DRILL_NAMES.join(', ')}`);
  }
  return [...new Set(names as DrillName[])];
}

export interface RunCommandHooks {
  /**
   * Called with the report before firedrill exits: the history store goes here. After an
   * interruption (`interrupted`), the CLI ends the process 1.5 s after the signal: keep it short.
   */
  onReport?: (report: RunReport, run: PreparedRun, status: { interrupted: boolean }) => Promise<void>;
  /** Replaces the user's monitoring that each drill is verified against (default: createDetectors from flags, env, config). */
  createDetectors?: (config: FiredrillConfig) => Detector[];
}

export function createRunCommand(hooks: RunCommandHooks = {}): Command {
  return async (ctx) => {
    const { values } = parseFlags('run', ctx.argv, {
      duration: { type: 'string' },
      only: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      json: { type: 'boolean' },
      junit: { type: 'string' },
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      prometheus: { type: 'string' },
      alertmanager: { type: 'string' },
      'metrics-port': { type: 'string' },
      'metrics-host': { type: 'string' },
    });
    if (values.help) {
      ctx.stdout.write(RUN_USAGE);
      return EXIT_OK;
    }
    // Seconds, at most a day: longer holds are a typo, and would overflow Node's timers besides.
    const durationSeconds = positiveNumber('duration', values.duration, MAX_DURATION_SECONDS);
    const order = parseOnly(values.only);
    const metricsPort = positiveInteger('metrics-port', values['metrics-port'], 65_535);
    const json = values.json === true;
    const junitFile = values.junit === undefined ? undefined : checkJunitFile(values.junit);
    const paths = pathsFromFlags(values, ctx.env);

    const loaded = loadRunConfig({ configFile: values.config, paths });

    // A mistyped Neo4j setting is found now, not after the run.
    checkNeo4jSettings('run', loaded.config, ctx.env);

    // Refuse risky drills before anything starts: a cron job must never be surprised.
    const drills = createDrills(loaded.config.drills, loaded.paths);
    if (!values.yes) {
      for (const name of order) {
        const warning = drills[name].riskWarning();
        if (warning !== null) {
          writeLine(ctx.stderr, `firedrill run: not running ${name} without --yes: ${warning}. Add --yes to run it.`);
          return EXIT_USAGE;
        }
      }
    }

    // Bad monitoring URLs are usage errors: found before anything runs.
    // The monitoring clients (an HTTP stack) and the drill metrics (prom-client) are loaded only
    // when asked for: every module less is start-up time before the first drill's load.
    const detection = loaded.config.detection;
    const detectionAsked = [values.prometheus, values.alertmanager, ctx.env.FIREDRILL_PROMETHEUS_URL?.trim(), ctx.env.FIREDRILL_ALERTMANAGER_URL?.trim()]
      .concat(detection.prometheus?.url, detection.alertmanager?.url)
      .some(Boolean);
    const detectors =
      hooks.createDetectors?.(loaded.config) ??
      (detectionAsked
        ? (await import('../monitor/alerts/detector.js')).createDetectors(detection, ctx.env, { prometheusUrl: values.prometheus, alertmanagerUrl: values.alertmanager })
        : []);

    let prepared: PreparedRun;
    try {
      prepared = await prepareRun({ ...loaded, drills });
    } catch (error) {
      // The lock held by another run, a damaged cleanup ledger, a data dir that cannot be created.
      const hint = error instanceof DrillLockError ? '; wait for it to finish, or stop it first' : '';
      writeLine(ctx.stderr, `firedrill run: ${(error as Error).message}${hint}`);
      return EXIT_FAILED;
    }

    // firedrill's own /metrics while drills run, so that teams can silence or annotate their alerts.
    let metricsServer: DrillMetricsServer | undefined;
    try {
      let recordEvent: ExecuteOptions['recordEvent'];
      if (metricsPort !== undefined) {
        const { recordRunEvent, startDrillMetricsServer } = await import('../monitor/drill-metrics.js');
        metricsServer = await startDrillMetricsServer({ host: values['metrics-host'] ?? '127.0.0.1', port: metricsPort });
        writeLine(ctx.stderr, `firedrill run: drill metrics at ${metricsServer.url}`);
        const serviceTarget = loaded.config.drills.service_restart.target;
        recordEvent = (event) => recordRunEvent(event, serviceTarget);
      }
      return await execute(ctx, prepared, { order, durationSeconds, json, junitFile, detectors, recordEvent }, hooks);
    } catch (error) {
      if (metricsServer === undefined && metricsPort !== undefined) {
        writeLine(ctx.stderr, `firedrill run: cannot serve drill metrics on port ${metricsPort}: ${(error as Error).message}`);
        return EXIT_FAILED;
      }
      throw error;
    } finally {
      await metricsServer?.close();
      prepared.release();
    }
  };
}

interface ExecuteOptions {
  order: DrillName[];
  durationSeconds: number | undefined;
  json: boolean;
  junitFile: string | undefined;
  detectors: Detector[];
  /** Feeds the drill metrics, when they are served. */
  recordEvent: ((event: RunEvent) => void) | undefined;
}

async function execute(
  ctx: Parameters<Command>[0],
  run: PreparedRun,
  options: ExecuteOptions,
  hooks: RunCommandHooks,
): Promise<number> {
  const titles = Object.fromEntries(Object.values(run.drills).map((drill) => [drill.name, drill.title]));
  const reporter = new TextReporter({ color: shouldUseColor(ctx.stdout, ctx.env), titles });
  // Written as they are: the reporter sanitised what came from files before adding its colours.
  const print = (lines: string[]) => {
    if (!options.json) for (const line of lines) ctx.stdout.write(`${line}\n`);
  };
  const { filesRemoved, processesEnded } = run.leftovers;
  if (filesRemoved.length > 0 || processesEnded.length > 0) {
    // Not part of this run's report, but the user must know something was left behind.
    writeLine(
      ctx.stderr,
      `firedrill run: removed what an interrupted run left behind: ${filesRemoved.length} file(s), ${processesEnded.length} process(es)`,
    );
  }

  const events = runDrills({
    drills: run.drills,
    order: options.order,
    durationSeconds: options.durationSeconds,
    config: run.config,
    sampler: run.sampler,
    detectors: options.detectors,
    signal: ctx.signal,
    machine: os.hostname(),
  });
  let report: RunReport | undefined;
  for await (const event of events) {
    options.recordEvent?.(event);
    if (event.type === 'run-finished') {
      report = event.report;
      if (ctx.signal.aborted) print(reporter.interruptedLines(abortReason(ctx.signal)));
    }
    print(reporter.lines(event));
  }
  if (!report) throw new Error('the run ended without a report');

  if (options.json) writeLine(ctx.stdout, terminalSafeJson(toJsonReport(report)));
  let code: number = ctx.signal.aborted ? EXIT_INTERRUPTED : report.summary.failed > 0 ? EXIT_FAILED : EXIT_OK;
  if (options.junitFile !== undefined) {
    try {
      await writeFile(options.junitFile, toJunitXml(report));
    } catch (error) {
      writeLine(ctx.stderr, `firedrill run: cannot write the JUnit report ${options.junitFile}: ${(error as Error).message}`);
      if (code === EXIT_OK) code = EXIT_FAILED;
    }
  }
  if (hooks.onReport) {
    try {
      await hooks.onReport(report, run, { interrupted: ctx.signal.aborted });
    } catch (error) {
      writeLine(ctx.stderr, `firedrill run: the report could not be saved: ${(error as Error).message}`);
    }
  }
  return code;
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.message) return reason.message;
  return typeof reason === 'string' ? reason : 'stopped';
}

export const command: Command = createRunCommand({
  // Every run is kept, interrupted ones too: on this machine first, then in Neo4j when configured.
  async onReport(report, run) {
    const { keepInHistory } = await import('../history/record.js');
    const problem = await keepInHistory({ paths: run.paths, config: run.config, env: process.env }, { run: report });
    if (problem) writeLine(process.stderr, `firedrill run: history: ${problem}`);
  },
});
