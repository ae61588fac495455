/**
 * The console's door to presenter demos (src/narratives/): the narratives and a presentation of
 * one, every module imported when first used, so that the console's start-up does not pay for
 * them. Text from the narrative files and the events reach the screen without escape sequences.
 */
import type { FiredrillConfig } from '../../config/config.js';
import type { Scenario } from '../../incidents/types.js';
import type { SystemSampler } from '../../monitor/sampler.js';
import type { NarrativeEvent } from '../../narratives/engine.js';
import type { Narrative } from '../../narratives/schema.js';
import type { FiredrillPaths } from '../../paths.js';
import { sanitizeEvents, sanitizeStrings } from '../../text/sanitize.js';
import type { DemoServices } from '../services.js';

export interface DemoServicesOptions {
  config: FiredrillConfig;
  paths: FiredrillPaths;
  env: NodeJS.ProcessEnv;
  flags: { 'llm-url'?: string; 'llm-model'?: string; prometheus?: string; alertmanager?: string };
  startMonitor(): Promise<SystemSampler>;
  loadScenarios(): Promise<{ scenarios: Scenario[] }>;
  sayAfterExit(lines: string[]): void;
}

export function createDemoServices(options: DemoServicesOptions): DemoServices {
  const { config, paths, env, flags } = options;
  let narratives: ReturnType<DemoServices['loadNarratives']> | undefined;

  async function* present(narrative: Narrative, presentation: Parameters<DemoServices['present']>[1]): AsyncGenerator<NarrativeEvent> {
    const [{ present: play }, { resolveLlmSettings }, sampler, { scenarios }] = await Promise.all([
      import('../../narratives/present.js'),
      import('../../analysis/select.js'),
      options.startMonitor(),
      options.loadScenarios(),
    ]);
    const llm = resolveLlmSettings({ llmUrl: flags['llm-url'], llmModel: flags['llm-model'] }, env, config.llm);
    const monitoringFlags = { prometheusUrl: flags.prometheus, alertmanagerUrl: flags.alertmanager };
    yield* play({ config, paths, env, scenarios, llm, monitoringFlags, sampler }, narrative, presentation);
  }

  return {
    loadNarratives: () =>
      (narratives ??= import('../../narratives/load.js').then(({ defaultNarrativesDir, loadNarratives }) => sanitizeStrings(loadNarratives(defaultNarrativesDir(env))))),
    present: (narrative, presentation) => sanitizeEvents(present(narrative, presentation)),
    sayAfterExit: options.sayAfterExit,
  };
}
