import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { waitOrAbort } from '../drills/common.js';
import { EventQueue } from '../drills/runner.js';
import type { Detector } from '../monitor/detector.js';
import { runExperiment, type RunExperimentOptions } from './engine.js';
import { combineFigures, verdictText, worstVerdict } from './measures.js';
import type { Experiment } from './schema.js';
import { figuresLine, seconds } from './text.js';
import type { ExperimentEvent, ExperimentFigures, ExperimentResult, Verdict } from './types.js';

/**
 * A gameday (the chaos module's continuous chaos): experiments one at a time, each chosen at
 * random within the severity range (never the same twice in a row when there is a choice), a
 * pause between them for the system to recover, until the duration is over or the signal aborts.
 * An experiment under way when the time is up runs to its end; an abort stops it (its rollbacks run).
 */

export interface GamedayOptions extends Omit<RunExperimentOptions, 'experiment' | 'runId' | 'detectors'> {
  /** The user's monitoring, watching for each experiment's own expected alert. */
  detectorsFor?: (experiment: Experiment) => Detector[];
  /** The candidates, already filtered by severity and approved for their risk. */
  experiments: readonly Experiment[];
  durationMs: number;
  /** The pause between two experiments. */
  intervalMs: number;
  severity: { min: number; max: number };
  /** Default Math.random. */
  random?: () => number;
}

export type GamedayStatus = 'completed' | 'interrupted';

export interface GamedayResult {
  id: string;
  machine: string;
  startedAt: number;
  finishedAt: number;
  status: GamedayStatus;
  severity: { min: number; max: number };
  results: ExperimentResult[];
  figures: ExperimentFigures;
  verdict: Verdict | null;
  summary: string;
}

export type GamedayEvent =
  | { type: 'gameday-started'; id: string; at: number; endsAt: number; candidates: string[] }
  | { type: 'experiment'; index: number; event: ExperimentEvent }
  | { type: 'waiting'; at: number; untilAt: number; message: string }
  /** Something to know that is not an experiment's (history could not be saved...). */
  | { type: 'notice'; level: 'info' | 'warn'; message: string; at: number }
  | { type: 'gameday-finished'; result: GamedayResult };

export async function* runGameday(options: GamedayOptions): AsyncGenerator<GamedayEvent, GamedayResult> {
  const queue = new EventQueue<GamedayEvent>();
  const work = gameday(options, (event) => queue.push(event)).finally(() => queue.close());
  for await (const event of queue) yield event;
  return work;
}

/** The next experiment: random among the candidates, not the last one when there is another. */
export function pickNext(candidates: readonly Experiment[], last: string | undefined, random: () => number): Experiment {
  const pool = candidates.length > 1 ? candidates.filter((experiment) => experiment.id !== last) : candidates;
  return pool[Math.min(pool.length - 1, Math.floor(random() * pool.length))]!;
}

async function gameday(options: GamedayOptions, emit: (event: GamedayEvent) => void): Promise<GamedayResult> {
  if (options.experiments.length === 0) throw new Error('a gameday needs at least one experiment');
  const id = randomUUID();
  const random = options.random ?? Math.random;
  const startedAt = Date.now();
  const endsAt = startedAt + options.durationMs;
  const results: ExperimentResult[] = [];
  emit({ type: 'gameday-started', id, at: startedAt, endsAt, candidates: options.experiments.map((experiment) => experiment.id) });
  let last: string | undefined;
  while (!options.signal.aborted && Date.now() < endsAt) {
    const experiment = pickNext(options.experiments, last, random);
    last = experiment.id;
    const index = results.length;
    const events = runExperiment({ ...options, experiment, detectors: options.detectorsFor?.(experiment) ?? [] });
    for (;;) {
      const next = await events.next();
      if (next.done) {
        results.push(next.value);
        break;
      }
      emit({ type: 'experiment', index, event: next.value });
    }
    const untilAt = Math.min(endsAt, Date.now() + options.intervalMs);
    if (options.signal.aborted || untilAt <= Date.now()) continue;
    emit({ type: 'waiting', at: Date.now(), untilAt, message: `recovering for ${seconds(untilAt - Date.now())} before the next experiment` });
    await waitOrAbort(untilAt - Date.now(), options.signal);
  }
  const figures = combineFigures(
    results.map((result) => result.figures),
    results.flatMap((result) => result.faults),
  );
  const status: GamedayStatus = options.signal.aborted ? 'interrupted' : 'completed';
  const verdict = worstVerdict(results.map((result) => result.verdict ?? undefined));
  const notStarted = results.filter((result) => result.status !== 'completed' && result.status !== 'interrupted').length;
  const summary = `${status === 'interrupted' ? 'interrupted' : 'gameday over'} after ${seconds(Date.now() - startedAt)}: ${results.length} experiment(s), worst ${verdictText(verdict)}${
    notStarted > 0 ? `, ${notStarted} not started or failed` : ''
  }; ${figuresLine(figures)}`;
  const result: GamedayResult = {
    id,
    machine: options.machine ?? os.hostname(),
    startedAt,
    finishedAt: Date.now(),
    status,
    severity: options.severity,
    results,
    figures,
    verdict,
    summary,
  };
  emit({ type: 'gameday-finished', result });
  return result;
}
