/**
 * The console's door to the chaos experiments (src/experiments/): every module is imported when
 * first used, so that the console's start-up does not pay for them. Each run takes the drill lock
 * (one load on the machine at a time) and removes what an interrupted run left, as `firedrill
 * experiment run` does.
 */
import type { FiredrillConfig } from '../config/config.js';
import type { GamedayEvent } from '../experiments/gameday.js';
import type { Experiment } from '../experiments/schema.js';
import type { ExperimentEvent } from '../experiments/types.js';
import type { SystemSampler } from '../monitor/sampler.js';
import { trackTask } from '../lifecycle.js';
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
  const history = () => Promise.all([import('../history/record.js'), import('../experiments/session.js'), import('../experiments/journal.js')]);

  /** Lock, leftovers and monitor around one engine run. */
  async function* prepared<E>(run: (parts: { sampler: SystemSampler; ledger: import('../drills/ledger.js').Ledger }) => AsyncIterable<E>): AsyncGenerator<E> {
    const [, , { prepareRun }, { openLedger }] = await engine();
    const sampler = await options.startMonitor();
    const held = await prepareRun({ config, paths, sampler });
    try {
      yield* run({ sampler, ledger: openLedger(paths) });
    } finally {
      held.release();
    }
  }

  return {
    load: () =>
      (loaded ??= engine().then(([{ loadExperiments, defaultExperimentsDir }]) => {
        const { experiments, errors } = loadExperiments(defaultExperimentsDir(env));
        return { experiments, errors: errors.map(({ file, message }) => ({ file, message })) };
      })),
    async problems(experiment) {
      const [, { setupProblems, prometheusFor }] = await engine();
      const prometheus = prometheusFor(config, env, flags.prometheusUrl);
      return setupProblems(experiment, { config, env, ...(prometheus ? { prometheus } : {}) });
    },
    run: (experiment: Experiment, signal: AbortSignal): AsyncIterable<ExperimentEvent> =>
      prepared(async function* ({ sampler, ledger }) {
        const [{ runExperiment }, { detectorsFor, prometheusFor }] = await Promise.all([import('../experiments/engine.js'), import('../experiments/prepare.js')]);
        const prometheus = prometheusFor(config, env, flags.prometheusUrl);
        const result = yield* runExperiment({
          experiment,
          config,
          paths,
          ledger,
          env,
          signal,
          sampler,
          detectors: detectorsFor(experiment, config, env, flags),
          ...(prometheus ? { prometheus } : {}),
        });
        const [{ keepInHistory }, { experimentSession }, { toJournal }] = await history();
        const problem = await trackTask(keepInHistory({ paths, config, env }, { session: experimentSession(result, toJournal(result, experiment)) }));
        if (problem) yield { type: 'notice', level: 'warn', message: `History: ${problem}`, at: Date.now() };
      }),
    gameday: (plan: GamedayPlan, signal: AbortSignal): AsyncIterable<GamedayEvent> =>
      prepared(async function* ({ sampler, ledger }) {
        const [{ runGameday }, { detectorsFor, prometheusFor }] = await Promise.all([import('../experiments/gameday.js'), import('../experiments/prepare.js')]);
        const prometheus = prometheusFor(config, env, flags.prometheusUrl);
        const result = yield* runGameday({
          ...plan,
          config,
          paths,
          ledger,
          env,
          signal,
          sampler,
          detectorsFor: (experiment) => detectorsFor(experiment, config, env, flags),
          ...(prometheus ? { prometheus } : {}),
        });
        const [{ keepInHistory }, { experimentSession, gamedaySession }, { toJournal }] = await history();
        const byId = new Map(plan.experiments.map((experiment) => [experiment.id, experiment]));
        const sessions = [...result.results.map((one) => experimentSession(one, toJournal(one, byId.get(one.experiment.id)!))), gamedaySession(result)];
        for (const session of sessions) {
          const problem = await trackTask(keepInHistory({ paths, config, env }, { session }));
          if (problem) yield { type: 'notice', level: 'warn', message: `History: ${problem}`, at: Date.now() };
        }
      }),
  };
}
