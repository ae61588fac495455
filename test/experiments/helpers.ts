import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig, type FiredrillConfig } from '../../src/config/config.js';
import { openLedger, readLedger } from '../../src/drills/ledger.js';
import { runExperiment, type RunExperimentOptions } from '../../src/experiments/engine.js';
import { defaultExperimentsDir, loadExperimentFile, parseExperiment } from '../../src/experiments/load.js';
import type { Experiment } from '../../src/experiments/schema.js';
import type { ExperimentEvent, ExperimentResult } from '../../src/experiments/types.js';
import { resolvePaths, type FiredrillPaths } from '../../src/paths.js';

export function shipped(id: string): Experiment {
  const loaded = loadExperimentFile(path.join(defaultExperimentsDir(), `${id}.yaml`));
  if ('error' in loaded) throw new Error(loaded.error.message);
  return loaded.experiment;
}

export function fromObject(raw: Record<string, unknown>): Experiment {
  const loaded = parseExperiment(raw, 'test');
  if ('error' in loaded) throw new Error(loaded.error.message);
  return loaded.experiment;
}

export interface TempData {
  paths: FiredrillPaths;
  remove(): void;
}

export function tempData(): TempData {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-exp-test-'));
  return { paths: resolvePaths({ dataDir: dir, configFile: path.join(dir, 'none.yaml') }), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Ran {
  result: ExperimentResult;
  events: ExperimentEvent[];
}

/** Runs an experiment to its end; `onEvent` may abort it. */
export async function run(
  experiment: Experiment,
  data: TempData,
  options: Partial<RunExperimentOptions> & { config?: FiredrillConfig; onEvent?: (event: ExperimentEvent) => void } = {},
): Promise<Ran> {
  const events: ExperimentEvent[] = [];
  const generator = runExperiment({
    experiment,
    config: options.config ?? defaultConfig(),
    paths: data.paths,
    ledger: openLedger(data.paths),
    env: process.env,
    signal: options.signal ?? new AbortController().signal,
    ...options,
  });
  for (;;) {
    const next = await generator.next();
    if (next.done) return { result: next.value, events };
    events.push(next.value);
    options.onEvent?.(next.value);
  }
}

export async function ledgerIsEmpty(data: TempData): Promise<boolean> {
  return (await readLedger(data.paths)).length === 0;
}

/** Pids of every instance the experiment's services started. */
export function servicePids(events: readonly ExperimentEvent[]): number[] {
  return events.flatMap((event) => (event.type === 'service' && event.event.type === 'started' ? [event.event.pid] : []));
}
