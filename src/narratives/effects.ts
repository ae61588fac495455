import { selectAnalyzer, type LlmSettings } from '../analysis/select.js';
import { configSchema, type FiredrillConfig } from '../config/config.js';
import { waitOrAbort } from '../drills/common.js';
import { cleanupLeftovers, openLedger } from '../drills/ledger.js';
import { acquireDrillLock } from '../drills/lock.js';
import { prepareRun } from '../drills/prepare.js';
import { createDrills } from '../drills/registry.js';
import { EXPECTED_EVENT, runDrills } from '../drills/runner.js';
import type { DrillName, DrillResult, RunEvent } from '../drills/types.js';
import { findScenario, knownRootCauses } from '../incidents/load.js';
import { runSimulation } from '../incidents/simulation.js';
import type { Scenario } from '../incidents/types.js';
import { createLiveFault, type LiveFault } from '../live/faults.js';
import { runLiveIncident } from '../live/incident.js';
import { simulateLiveIncident } from '../live/rehearsal.js';
import { createDetectors } from '../monitor/alerts/detector.js';
import type { SystemSampler } from '../monitor/sampler.js';
import type { FiredrillPaths } from '../paths.js';
import type { EffectEvent, RunningEffect, SceneEffects } from './engine.js';
import { drillsOf, isDrillRun, isIncidentRun, type DrillRun, type IncidentRun, type LiveRun, type SceneRun } from './schema.js';

/**
 * How a narrative's scenes act on the world: the drills through the runner (with the drill lock,
 * leftovers cleaned, the user's monitoring asked), incident scenarios through the in-process
 * simulation, live incidents on this machine; or, in a rehearsal, the same events with no load
 * (drills simulated and labelled REHEARSAL, live incidents from simulated readings).
 */

export interface DemoSetup {
  config: FiredrillConfig;
  paths: FiredrillPaths;
  env: NodeJS.ProcessEnv;
  scenarios: Scenario[];
  llm: LlmSettings | null;
  monitoringFlags?: { prometheusUrl?: string; alertmanagerUrl?: string };
  /** The console's sampler, when there is one (left running); else each drill scene starts its own. */
  sampler?: SystemSampler;
  /**
   * Time factor for rehearsals: 1 plays at the narrative's pace, 0.05 twenty times faster (tests).
   * Real effects always run in real time.
   */
  pace?: number;
}

/** The narrative's settings over the user's config: the demo's sizes win (a demo should look the same anywhere). */
export function drillsConfigFor(config: FiredrillConfig, settings: Record<string, unknown> | undefined): FiredrillConfig['drills'] {
  if (!settings) return config.drills;
  const merged: Record<string, unknown> = { ...config.drills };
  for (const [drill, values] of Object.entries(settings)) {
    const base = merged[drill];
    merged[drill] = base !== null && typeof base === 'object' && values !== null && typeof values === 'object' ? { ...base, ...values } : values;
  }
  return configSchema.shape.drills.parse(merged);
}

function wrap<E extends EffectEvent['source']>(source: E, events: AsyncIterable<Extract<EffectEvent, { source: E }>['event']>): AsyncIterable<EffectEvent> {
  return (async function* () {
    for await (const event of events) yield { source, event } as EffectEvent;
  })();
}

function analyzerFor(setup: DemoSetup) {
  return selectAnalyzer(setup.llm);
}

function scenarioFor(setup: DemoSetup, run: IncidentRun): Scenario {
  const scenario = findScenario(run.incident, setup.scenarios);
  if (!scenario) throw new Error(`no incident scenario "${run.incident}" (firedrill scenarios lists them)`);
  return scenario;
}

export function realEffects(setup: DemoSetup): SceneEffects {
  return {
    rehearsal: false,
    start(run: SceneRun, signal: AbortSignal): RunningEffect {
      if (isDrillRun(run)) return { events: wrap('drills', drillEvents(setup, run, signal)) };
      if (isIncidentRun(run)) return { events: wrap('incident', incidentEvents(setup, run, signal, 1)) };
      return liveEffect(setup, run, signal);
    },
  };
}

async function* drillEvents(setup: DemoSetup, run: DrillRun, signal: AbortSignal): AsyncGenerator<RunEvent> {
  const config = { ...setup.config, drills: drillsConfigFor(setup.config, run.settings as Record<string, unknown> | undefined) };
  const drills = createDrills(config.drills, setup.paths);
  const order = drillsOf(run);
  for (const name of order) {
    const warning = drills[name].riskWarning();
    if (warning) yield { type: 'notice', level: 'warn', message: warning };
  }
  const detectors = createDetectors(config.detection, setup.env, setup.monitoringFlags ?? {});
  const prepared = await prepareRun({ config, paths: setup.paths, drills, ...(setup.sampler ? { sampler: setup.sampler } : {}) });
  try {
    yield* runDrills({ drills, order, durationSeconds: run.duration_seconds, config, sampler: prepared.sampler, detectors, signal });
  } finally {
    prepared.release();
  }
}

async function* incidentEvents(setup: DemoSetup, run: IncidentRun, signal: AbortSignal, pace: number) {
  const scenario = scenarioFor(setup, run);
  yield* runSimulation({ scenario, analyzer: analyzerFor(setup), knownRootCauses: knownRootCauses(setup.scenarios), speed: run.speed / pace, signal });
}

/** A live incident holds the drill lock (nothing else loads the machine meanwhile), and can be paused. */
function liveEffect(setup: DemoSetup, run: LiveRun, signal: AbortSignal): RunningEffect {
  let fault: LiveFault | undefined;
  let paused = false;
  async function* events() {
    const lock = await acquireDrillLock(setup.paths);
    try {
      await cleanupLeftovers(setup.paths);
      fault = createLiveFault(run.live, { ledger: openLedger(setup.paths), drills: setup.config.drills });
      if (paused) fault.pause();
      yield* runLiveIncident({
        fault,
        analyzer: analyzerFor(setup),
        knownRootCauses: [...knownRootCauses(setup.scenarios), fault.expected.category],
        signal,
        baselineSeconds: run.baseline_seconds,
        holdSeconds: run.hold_seconds,
      });
    } finally {
      lock.release();
    }
  }
  return {
    events: wrap('live', events()),
    pause() {
      paused = true;
      fault?.pause();
    },
    resume() {
      paused = false;
      fault?.resume();
    },
  };
}


export const REHEARSAL_LABEL = 'REHEARSAL';

/** The same scenes with no load: drills simulated, incidents played, live incidents from simulated readings. */
export function rehearsalEffects(setup: DemoSetup): SceneEffects {
  const pace = setup.pace ?? 1;
  return {
    rehearsal: true,
    start(run: SceneRun, signal: AbortSignal): RunningEffect {
      if (isDrillRun(run)) return { events: wrap('drills', simulatedDrills(setup, run, signal, pace)) };
      if (isIncidentRun(run)) return { events: wrap('incident', incidentEvents(setup, run, signal, pace)) };
      return {
        events: wrap(
          'live',
          simulateLiveIncident({
            spec: run.live,
            analyzer: analyzerFor(setup),
            knownRootCauses: knownRootCauses(setup.scenarios),
            signal,
            sampleMs: Math.max(20, 1000 * pace),
          }),
        ),
      };
    },
  };
}

async function* simulatedDrills(setup: DemoSetup, run: DrillRun, signal: AbortSignal, pace: number): AsyncGenerator<RunEvent> {
  const config = { ...setup.config, drills: drillsConfigFor(setup.config, run.settings as Record<string, unknown> | undefined) };
  const drills = createDrills(config.drills, setup.paths);
  const order = drillsOf(run);
  const detectors = createDetectors(config.detection, setup.env, setup.monitoringFlags ?? {});
  const runId = `rehearsal-${Date.now()}`;
  const machine = 'rehearsal';
  const startedAt = new Date().toISOString();
  yield { type: 'run-started', runId, machine, startedAt, drills: order };
  const results: DrillResult[] = [];
  for (const name of order) {
    if (signal.aborted) break;
    const drill = drills[name];
    const seconds = run.duration_seconds ?? config.drills[name].duration ?? config.drills.duration ?? drill.defaultDurationSeconds;
    const began = new Date().toISOString();
    yield { type: 'drill-started', drill: name, startedAt: began };
    yield { type: 'drill-progress', drill: name, message: `${REHEARSAL_LABEL}: no load; ${drill.description} for ${seconds} s` };
    await waitOrAbort(seconds * 1000 * pace, signal);
    if (signal.aborted) break;
    yield { type: 'monitor-event', drill: name, event: { type: EXPECTED_EVENT[name as DrillName], at: new Date().toISOString(), value: 0, detail: `${REHEARSAL_LABEL}: simulated` } };
    // The user's monitoring is not asked in a rehearsal; where it is configured, its answer is simulated too.
    for (const detector of detectors) {
      const firedAt = new Date().toISOString();
      yield {
        type: 'detection',
        drill: name,
        detection: { source: detector.source, detected: true, alerts: [{ name: REHEARSAL_LABEL, labels: {}, firedAt, timeToDetectMs: 0 }], summary: `${REHEARSAL_LABEL}: simulated alert` },
      };
    }
    const result: DrillResult = {
      test: name,
      success: true,
      eventsTriggered: 1,
      events: [],
      startedAt: began,
      completedAt: new Date().toISOString(),
      durationMs: Math.round(seconds * 1000 * pace),
      measured: { rehearsal: true },
      summary: `${REHEARSAL_LABEL}: simulated, nothing was measured`,
    };
    results.push(result);
    yield { type: 'drill-finished', result };
  }
  const passed = results.length;
  yield {
    type: 'run-finished',
    report: { machine, runId, startedAt, finishedAt: new Date().toISOString(), results, summary: { total: passed, passed, failed: 0, eventsTriggered: passed } },
  };
}
