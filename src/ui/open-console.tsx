import os from 'node:os';
import { render } from 'ink';
import type { FiredrillConfig } from '../config/config.js';
import { emergencyCleanupSync } from '../drills/emergency.js';
import { UsageError, usageLine } from '../errors.js';
import { parseFlags, pathsFromFlags, speedFlag } from '../flags.js';
import { DRILL_NAMES, type DrillName, type RunEvent, type RunReport, type SystemSample } from '../drills/types.js';
import { resolveNeo4jSettings } from '../history/neo4j-settings.js';
import { pickUrl } from '../http/url.js';
import type { IncidentEvent, Scenario } from '../incidents/types.js';
import { drainTasks, trackTask } from '../lifecycle.js';
import type { SystemSampler } from '../monitor/sampler.js';
import { sanitizeEvents, sanitizeStrings } from '../text/sanitize.js';
import { defaultTrainee, traineeName } from '../training/trainee.js';
import { Boot } from './Boot.js';
import { untilExit } from './until-exit.js';
import { createDemoServices } from './demo/demo-services.js';
import { createExperimentServices } from './experiment-services.js';
import type { ConsoleServices, SampleFeed } from './services.js';
import type { Screen } from './state/navigation.js';

/** Ctrl-C, SIGTERM or SIGHUP: how long the drills get to clean up before firedrill does it itself. */
const CLEANUP_GRACE_MS = 1500;

export const CONSOLE_USAGE = `Usage: firedrill [--config FILE] [--data-dir DIR] [--api URL] [--api-key KEY] [--llm-url URL] [--llm-model M]
                 [--llm-timeout S] [--speed N] [--prometheus URL] [--alertmanager URL] [--trainee NAME]`;

export interface ConsoleOptions {
  /** Where the console opens (default the home menu): `firedrill demo ID` opens the presenter screen. */
  initialScreen?: Screen;
  /** Records the console's output to this asciicast v2 file (`firedrill demo ID --record FILE.cast`). */
  record?: string | null;
  /** Frames a second at most (default 10); a presenter's session asks for more, so that a clicker's key shows at once. */
  maxFps?: number;
}

/** Opens the console on this terminal; resolves to the exit code once everything is cleaned up. */
export async function openConsole(argv: string[], env: NodeJS.ProcessEnv = process.env, options: ConsoleOptions = {}): Promise<number> {
  let flags: ConsoleFlags;
  try {
    flags = consoleFlags(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${usageLine(error)}\n${CONSOLE_USAGE}\n`);
    return 2;
  }

  let consoleServices: ReturnType<typeof createConsoleServices> | undefined;
  let failure: unknown;
  let closed = false;
  // The config and the drills load after the first frame (Boot): it is up in two thirds of the time.
  const start = async () => {
    const [{ loadConfig }, { createDrills }] = await Promise.all([import('../config/config.js'), import('../drills/registry.js')]);
    // Ctrl-C while they loaded: nothing is started that no one would stop.
    if (closed) throw new Error('the console was closed while it started');
    consoleServices = createConsoleServices(flags, env, loadConfig, createDrills, (lines) => afterExit.push(...lines));
    // Now load what the screens behind the home menu need (the monitor first).
    setImmediate(() => void (closed ? undefined : consoleServices?.warmUp()));
    return consoleServices.services;
  };
  const afterExit: string[] = [];
  let stopRecording: (() => void) | undefined;
  if (options.record) {
    const { CastRecorder, recordStream } = await import('../narratives/cast.js');
    const recorder = new CastRecorder(options.record, { width: process.stdout.columns ?? 80, height: process.stdout.rows ?? 24, title: 'firedrill' });
    stopRecording = recordStream(process.stdout, recorder);
  }
  const app = render(
    <Boot
      initialScreen={options.initialScreen}
      machine={os.hostname()}
      start={start}
      onFail={(error) => {
        failure = error;
        app.clear();
        app.unmount();
      }}
      onInterrupt={() => app.unmount()}
    />,
    { exitOnCtrlC: false, maxFps: options.maxFps ?? 10 },
  );
  try {
    await untilExit(app);
  } finally {
    closed = true;
    if (!(await drainTasks(CLEANUP_GRACE_MS))) emergencyCleanupSync();
    consoleServices?.stop();
    stopRecording?.();
  }
  for (const line of afterExit) process.stdout.write(`${line}\n`);
  if (failure === undefined) return 0;
  const { ConfigError } = await import('../config/config.js');
  if (!(failure instanceof UsageError) && !(failure instanceof ConfigError)) throw failure;
  process.stderr.write(`${failure instanceof UsageError ? `${usageLine(failure)}\n${CONSOLE_USAGE}` : failure.message}\n`);
  return 2;
}

type ConsoleFlags = ReturnType<typeof consoleFlags>;

/** The console's flags, checked before anything is drawn. */
function consoleFlags(argv: string[], env: NodeJS.ProcessEnv) {
  const { values } = parseFlags('', argv, {
    config: { type: 'string' },
    'data-dir': { type: 'string' },
    api: { type: 'string' },
    'api-key': { type: 'string' },
    'llm-url': { type: 'string' },
    'llm-timeout': { type: 'string' },
    'llm-model': { type: 'string' },
    speed: { type: 'string' },
    prometheus: { type: 'string' },
    alertmanager: { type: 'string' },
    trainee: { type: 'string' },
  });
  return {
    values,
    speed: speedFlag(values.speed),
    paths: pathsFromFlags(values, env),
    traineeFlag: values.trainee === undefined ? undefined : traineeName(values.trainee, '--trainee'),
  };
}

/**
 * Built right after the first frame, with the config and the drills' names and risks; the
 * monitor, the incident engine, the API client, the LLM client and the history store are
 * imported after that (warmUp), or when first used.
 */
function createConsoleServices(
  { values, speed, paths, traineeFlag }: ConsoleFlags,
  env: NodeJS.ProcessEnv,
  loadConfig: (file: string, options: { required: boolean }) => FiredrillConfig,
  createDrills: typeof import('../drills/registry.js').createDrills,
  sayAfterExit: (lines: string[]) => void,
) {
  const config = loadConfig(paths.configFile, { required: values.config !== undefined });
  const drills = createDrills(config.drills, paths);
  const apiUrl = pickUrl('api', [['--api', values.api], ['FIREDRILL_API_URL', env.FIREDRILL_API_URL], ['api.url', config.api.url]]);
  const apiKey = values['api-key'] ?? env.FIREDRILL_API_KEY ?? config.api.key;
  if (apiUrl && !apiKey) throw new UsageError('--api needs an API key: set FIREDRILL_API_KEY or pass --api-key');
  // A mistyped NEO4J_URI stops the console at start (exit 2), not the first save.
  resolveNeo4jSettings(config, env);
  const history = { paths, config, env };

  const feed = new SampleRelay();
  let sampler: SystemSampler | undefined;
  let monitorStarting: Promise<SystemSampler> | undefined;
  let stopped = false;
  // One monitor however many callers ask at once (the warm-up and a quick first run).
  const startMonitor = (): Promise<SystemSampler> =>
    (monitorStarting ??= import('../monitor/start.js').then(({ startSampler }) => {
      sampler = startSampler(config);
      // The console closed while the monitor loaded: its timer must not keep the process alive.
      if (stopped) sampler.stop();
      feed.attach(sampler);
      return sampler;
    }));

  async function* drillRun(order: DrillName[], signal: AbortSignal): AsyncGenerator<RunEvent, RunReport | undefined> {
    const [{ prepareRun }, { runDrills }, { createDetectors }, { keepInHistory }, monitor] = await Promise.all([
      import('../drills/prepare.js'),
      import('../drills/runner.js'),
      import('../monitor/alerts/detector.js'),
      import('../history/record.js'),
      startMonitor(),
    ]);
    const detectors = createDetectors(config.detection, env, { prometheusUrl: values.prometheus, alertmanagerUrl: values.alertmanager });
    const prepared = await prepareRun({ config, paths, drills, sampler: monitor });
    try {
      const report: RunReport = yield* runDrills({ drills, order, config, sampler: monitor, detectors, signal });
      const problem = await trackTask(keepInHistory(history, { run: report }));
      if (problem) yield { type: 'notice', level: 'warn', message: `History: ${problem}` };
      return report;
    } finally {
      prepared.release();
    }
  }

  let scenarios: Promise<Awaited<ReturnType<ConsoleServices['loadScenarios']>>> | undefined;
  // Read once, when first asked for: scenario files do not change while the console is open.
  const loadScenarios = () => (scenarios ??= import('../incidents/load.js').then(({ loadScenarios: load }) => load()));

  async function* incidentEvents(scenario: Scenario, signal: AbortSignal): AsyncGenerator<IncidentEvent> {
    const [{ ApiError, streamRemoteIncident }, { resolveLlmSettings, selectAnalyzer }, { runSimulation }, { knownRootCauses }, { incidentRecordFrom, keepInHistory }] =
      await Promise.all([
        import('../api/client.js'),
        import('../analysis/select.js'),
        import('../incidents/simulation.js'),
        import('../incidents/load.js'),
        import('../history/record.js'),
      ]);
    const seen: IncidentEvent[] = [];
    const inProcess = async function* () {
      const llm = resolveLlmSettings({ llmUrl: values['llm-url'], llmModel: values['llm-model'], llmTimeout: values['llm-timeout'] }, env, config.llm);
      yield* runSimulation({
        scenario,
        analyzer: selectAnalyzer(llm),
        knownRootCauses: knownRootCauses((await loadScenarios()).scenarios),
        speed,
        signal,
      });
    };
    try {
      if (apiUrl && apiKey) {
        try {
          for await (const event of streamRemoteIncident({ baseUrl: apiUrl, apiKey, scenarioId: scenario.id, signal })) {
            seen.push(event);
            yield event;
          }
          return;
        } catch (error) {
          // Down, slow or not the incident API before anything arrived: the scenario runs in-process,
          // and the screen says why. Once events have arrived, a failure is the incident's own.
          if (!(error instanceof ApiError) || seen.length > 0 || signal.aborted) throw error;
          yield { type: 'notice', level: 'warn', message: `${error.message}; running the scenario in-process instead` };
        }
      }
      for await (const event of inProcess()) {
        seen.push(event);
        yield event;
      }
    } finally {
      const record = incidentRecordFrom(seen);
      if (record) void trackTask(keepInHistory(history, { incident: record }));
    }
  }

  let shownScenarios: ReturnType<typeof loadScenarios> | undefined;
  // The training desk (scenarios, the store) is built when the ladder is first opened.
  let desk: Promise<import('../training/desk.js').TrainingDesk> | undefined;
  const trainingDesk = () =>
    (desk ??= Promise.all([import('../training/desk.js'), import('../analysis/select.js'), (shownScenarios ??= loadScenarios().then(sanitizeStrings))]).then(
      ([{ TrainingDesk, trainingSettings }, { resolveLlmSettings, selectAnalyzer }, { scenarios: loaded }]) => {
        const llm = resolveLlmSettings({ llmUrl: values['llm-url'], llmModel: values['llm-model'] }, env, config.llm);
        return new TrainingDesk({
          scenarios: loaded,
          settings: trainingSettings(config.training, values.speed === undefined ? undefined : speed),
          dataDir: paths.dataDir,
          analyzer: () => selectAnalyzer(llm),
          history,
          live: { config, paths },
        });
      },
    ));

  const services: ConsoleServices = {
    machine: os.hostname(),
    drills: DRILL_NAMES.map((name) => ({
      name,
      title: drills[name].title,
      description: drills[name].description,
      riskWarning: drills[name].riskWarning(),
    })),
    samples: feed,
    // Scenario text, drill messages and a server's events reach the screen without escape sequences.
    runDrills: (order, signal) => sanitizeEvents(drillRun(order, signal)),
    loadScenarios: () => (shownScenarios ??= loadScenarios().then(sanitizeStrings)),
    incidentEvents: (scenario, signal) => sanitizeEvents(incidentEvents(scenario, signal)),
    incidentEngine: apiUrl ? `incident API at ${apiUrl}` : 'in-process',
    // The browser only reads: read-only, so that it works in a data dir that cannot be written.
    openHistory: async () => (await import('../history/open-history.js')).openHistory({ ...history, readOnly: true }),
    experiments: createExperimentServices({ config, paths, env, flags: { prometheusUrl: values.prometheus, alertmanagerUrl: values.alertmanager }, startMonitor }),
    training: {
      trainee: traineeFlag ?? defaultTrainee(env),
      ladder: async (name) => (await trainingDesk()).ladder(name),
      startExercise: async (exerciseId, name) => {
        const controller = await (await trainingDesk()).startExercise(exerciseId, name);
        // The analyzer's text and the hints reach the screen without escape sequences.
        return { sheet: controller.sheet, answer: (id) => controller.answer(id), hint: () => controller.hint(), events: (signal) => sanitizeEvents(controller.events(signal)) };
      },
    },
    demos: createDemoServices({ config, paths, env, flags: values, startMonitor, loadScenarios, sayAfterExit }),
    workloads: {
      profiles: async () => (await import('../workloads/load.js')).loadProfiles(),
      async *run(profile, signal, attach) {
        const [{ Workload }, { cleanupLeftovers, openLedger }, { workloadSession }, { keepInHistory }] = await Promise.all([
          import('../workloads/workload.js'),
          import('../drills/ledger.js'),
          import('../workloads/history.js'),
          import('../history/record.js'),
          startMonitor(),
        ]);
        // What a firedrill killed outright left behind goes first (its owner is dead: nothing of a live one is touched).
        await cleanupLeftovers(paths);
        const workload = new Workload({ profile, ledger: openLedger(paths) });
        attach(workload);
        for await (const event of workload.run(signal)) {
          if (event.type === 'finished') {
            const problem = await trackTask(keepInHistory(history, { session: workloadSession(workload, event) }));
            if (problem) yield { type: 'notice', message: `History: ${problem}` };
          }
          yield event;
        }
      },
    },
  };
  return {
    services,
    // Start early: the monitor's first CPU reading needs half a second of baseline.
    warmUp: async () => {
      await startMonitor();
      await loadScenarios();
    },
    stop: () => {
      stopped = true;
      sampler?.stop();
      void desk?.then((opened) => opened.close());
    },
  };
}

/** The gauges' feed, live as soon as the monitor has been loaded and started. */
class SampleRelay implements SampleFeed {
  private source: SystemSampler | undefined;
  private readonly listeners = new Set<(sample: SystemSample) => void>();

  attach(source: SystemSampler): void {
    this.source = source;
    source.subscribe((sample) => {
      for (const listener of this.listeners) listener(sample);
    });
  }

  recent(): SystemSample[] {
    return this.source?.history(60) ?? [];
  }

  subscribe(listener: (sample: SystemSample) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
