import os from 'node:os';
import { render } from 'ink';
import { resolveLlmSettings, selectAnalyzer } from '../analysis/select.js';
import { ApiError, streamRemoteIncident } from '../api/client.js';
import { parseFlags, positiveNumber, UsageError } from '../commands/command.js';
import { loadRunConfig, prepareRun, startSampler } from '../commands/run.js';
import { ConfigError } from '../config/config.js';
import { emergencyCleanupSync } from '../drills/emergency.js';
import { createDrills } from '../drills/registry.js';
import { runDrills } from '../drills/runner.js';
import { DRILL_NAMES, type DrillName, type RunEvent, type RunReport } from '../drills/types.js';
import { openHistory } from '../history/open-history.js';
import { incidentRecordFrom, keepInHistory } from '../history/record.js';
import { knownRootCauses, loadScenarios } from '../incidents/load.js';
import { runSimulation } from '../incidents/simulation.js';
import type { IncidentEvent, Scenario } from '../incidents/types.js';
import { drainTasks, trackTask } from '../lifecycle.js';
import { createDetectors, detectionFlagOptions } from '../monitor/alerts/detector.js';
import { App } from './App.js';
import type { ConsoleServices } from './services.js';

/** Ctrl-C, SIGTERM or SIGHUP: how long the drills get to clean up before firedrill does it itself. */
const CLEANUP_GRACE_MS = 1500;

export const CONSOLE_USAGE = `Usage: firedrill [--config FILE] [--data-dir DIR] [--api URL] [--api-key KEY] [--llm-url URL] [--llm-model M]
                 [--speed N] [--prometheus URL] [--alertmanager URL]`;

/** Opens the console on this terminal; resolves to the exit code once everything is cleaned up. */
export async function openConsole(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let services: ConsoleServices;
  let stopSampling: () => void;
  try {
    ({ services, stopSampling } = createConsoleServices(argv, env));
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n${error instanceof UsageError ? `${CONSOLE_USAGE}\n` : ''}`);
      return 2;
    }
    throw error;
  }

  const app = render(<App services={services} />, { exitOnCtrlC: false, maxFps: 10 });
  // SIGTERM and SIGHUP (the terminal closed) take the same way out as Ctrl-C.
  const onSignal = () => app.unmount();
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    await app.waitUntilExit();
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    if (!(await drainTasks(CLEANUP_GRACE_MS))) emergencyCleanupSync();
    stopSampling();
  }
  return 0;
}

function createConsoleServices(argv: string[], env: NodeJS.ProcessEnv): { services: ConsoleServices; stopSampling(): void } {
  const { values } = parseFlags('', argv, {
    config: { type: 'string' },
    'data-dir': { type: 'string' },
    api: { type: 'string' },
    'api-key': { type: 'string' },
    'llm-url': { type: 'string' },
    'llm-model': { type: 'string' },
    speed: { type: 'string' },
    ...detectionFlagOptions,
  });
  const speed = positiveNumber('speed', values.speed);
  const { config, paths } = loadRunConfig({ configFile: values.config, dataDir: values['data-dir'], env });
  const drills = createDrills(config.drills, paths);
  const detectors = createDetectors(config.detection, env, { prometheusUrl: values.prometheus, alertmanagerUrl: values.alertmanager });
  const llm = resolveLlmSettings({ llmUrl: values['llm-url'], llmModel: values['llm-model'] }, env, config.llm);
  const apiUrl = values.api ?? env.FIREDRILL_API_URL ?? config.api.url;
  const apiKey = values['api-key'] ?? env.FIREDRILL_API_KEY ?? config.api.key;
  if (apiUrl && !apiKey) throw new UsageError('--api needs an API key: set FIREDRILL_API_KEY or pass --api-key');
  const history = { paths, config, env };
  // Start early: the first CPU reading needs half a second of baseline.
  const sampler = startSampler(config);

  async function* drillRun(order: DrillName[], signal: AbortSignal): AsyncGenerator<RunEvent, RunReport | undefined> {
    const prepared = await prepareRun({ config, paths, drills, sampler });
    try {
      const report: RunReport = yield* runDrills({ drills, order, config, sampler, detectors, signal });
      const problem = await trackTask(keepInHistory(history, { run: report }));
      if (problem) yield { type: 'notice', level: 'warn', message: `History: ${problem}` };
      return report;
    } finally {
      prepared.release();
    }
  }

  async function* incidentEvents(scenario: Scenario, signal: AbortSignal): AsyncGenerator<IncidentEvent> {
    const seen: IncidentEvent[] = [];
    const inProcess = () =>
      runSimulation({
        scenario,
        analyzer: selectAnalyzer(llm),
        knownRootCauses: knownRootCauses(services.loadScenarios().scenarios),
        speed,
        signal,
      });
    try {
      if (apiUrl && apiKey) {
        try {
          for await (const event of streamRemoteIncident({ baseUrl: apiUrl, apiKey, scenarioId: scenario.id, signal })) {
            seen.push(event);
            yield event;
          }
          return;
        } catch (error) {
          // Down, slow or not the incident API before anything arrived: the drill goes on in-process,
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
      const record = incidentRecordFrom(scenario, seen);
      if (record) void trackTask(keepInHistory(history, { incident: record }));
    }
  }

  let scenarios: ReturnType<typeof loadScenarios> | undefined;
  const services: ConsoleServices = {
    machine: os.hostname(),
    drills: DRILL_NAMES.map((name) => ({
      name,
      title: drills[name].title,
      description: drills[name].description,
      riskWarning: drills[name].riskWarning(),
    })),
    samples: { recent: () => sampler.history(60), subscribe: (listener) => sampler.subscribe(listener) },
    runDrills: drillRun,
    // Read once, when first asked for: scenario files do not change while the console is open.
    loadScenarios: () => (scenarios ??= loadScenarios()),
    incidentEvents,
    incidentEngine: apiUrl ? `incident API at ${apiUrl}` : 'in-process',
    openHistory: () => openHistory(history),
  };
  return { services, stopSampling: () => sampler.stop() };
}
