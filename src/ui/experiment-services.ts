/**
 * The console's door to the chaos experiments (src/experiments/): every module is imported when
 * first used, so that the console's start-up does not pay for them. Each run takes the drill lock
 * (one load on the machine at a time) and removes what an interrupted run left, as `firedrill
 * experiment run` does.
 */
import type { FiredrillConfig } from '../config/config.js';
import type { RunExperimentOptions } from '../experiments/engine.js';
import type { GamedayEvent } from '../experiments/gameday.js';
import type { Experiment } from '../experiments/schema.js';
import type { ExperimentEvent } from '../experiments/types.js';
import type { SessionRecord } from '../history/sessions.js';
import type { SystemSampler } from '../monitor/sampler.js';
import { trackTask } from '../lifecycle.js';
import { sanitizeEvents, sanitizeStrings } from '../text/sanitize.js';
import type { FiredrillPaths } from '../paths.js';
import type { ExperimentServices, GamedayPlan } from './services.js';

export interface ExperimentServicesOptions {
  config: FiredrillConfig;
  paths: FiredrillPaths;
  env: NodeJS.ProcessEnv;
  flags: { prometheusUrl?: string; alertmanagerUrl?: string };
  startMonitor(): Promise<SystemSampler>;
}

export function createExperimentServices(options: ExperimentServicesOptions): ExperimentServices {
  const { config, paths, env, flags } = options;
  const engine = () =>
    Promise.all([import('../experiments/load.js'), import('../experiments/prepare.js'), import('../drills/prepare.js'), import('../drills/ledger.js')]);
  let loaded: ReturnType<ExperimentServices['load']> | undefined;

  /** Lock, leftovers and monitor around one engine run; what every run is given; history kept after. */
  async function* prepared<E, R>(
    signal: AbortSignal,
    run: (common: Omit<RunExperimentOptions, 'experiment'>) => AsyncGenerator<E, R>,
    sessions: (result: R, session: typeof import('../experiments/session.js')) => SessionRecord[],
  ): AsyncGenerator<E | { type: 'notice'; level: 'warn'; message: string; at: number }> {
    const [, { prometheusFor }, { prepareRun }, { openLedger }] = await engine();
    const sampler = await options.startMonitor();
    const held = await prepareRun({ config, paths, sampler });
    try {
      const prometheus = prometheusFor(config, env, flags.prometheusUrl);
      const result = yield* run({ config, paths, ledger: openLedger(paths), env, signal, sampler, ...(prometheus ? { prometheus } : {}) });
      const [{ keepInHistory }, session] = await Promise.all([import('../history/record.js'), import('../experiments/session.js')]);
      for (const record of sessions(result, session)) {
        const problem = await trackTask(keepInHistory({ paths, config, env }, { session: record }));
        if (problem) yield { type: 'notice', level: 'warn', message: `History: ${problem}`, at: Date.now() };
      }
    } finally {
      held.release();
    }
  }

  return {
    load: () =>
      (loaded ??= engine().then(([{ loadExperiments, defaultExperimentsDir }]) => {
        const { experiments, errors } = loadExperiments(defaultExperimentsDir(env));
        // What the console shows came from files: control characters never reach the terminal.
        return sanitizeStrings({ experiments, errors: errors.map(({ file, message }) => ({ file, message })) });
      })),
    async problems(experiment) {
      const [, { setupProblems, prometheusFor }] = await engine();
      const prometheus = prometheusFor(config, env, flags.prometheusUrl);
      return setupProblems(experiment, { config, env, ...(prometheus ? { prometheus } : {}) });
    },
    async *run(experiment: Experiment, signal: AbortSignal): AsyncGenerator<ExperimentEvent> {
      const [{ runExperiment }, { detectorsFor }, { toJournal }] = await Promise.all([
        import('../experiments/engine.js'),
        import('../experiments/prepare.js'),
        import('../experiments/journal.js'),
      ]);
      yield* sanitizeEvents(prepared(
        signal,
        (common) => runExperiment({ ...common, experiment, detectors: detectorsFor(experiment, config, env, flags) }),
        (result, { experimentSession }) => [experimentSession(result, toJournal(result, experiment))],
      ));
    },
    async *gameday(plan: GamedayPlan, signal: AbortSignal): AsyncGenerator<GamedayEvent> {
      const [{ runGameday }, { detectorsFor }] = await Promise.all([import('../experiments/gameday.js'), import('../experiments/prepare.js')]);
      yield* sanitizeEvents(prepared(
        signal,
        (common) => runGameday({ ...common, ...plan, detectorsFor: (experiment) => detectorsFor(experiment, config, env, flags) }),
        (result, { gamedaySessions }) => gamedaySessions(result, plan.experiments),
      ));
    },
  };
}
