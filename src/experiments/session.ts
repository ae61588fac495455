import type { JsonValue, SessionRecord, SessionStatus } from '../history/sessions.js';
import type { GamedayResult } from './gameday.js';
import { toJournal, type Journal } from './journal.js';
import type { Experiment } from './schema.js';
import type { ExperimentFigures, ExperimentResult, ExperimentStatus } from './types.js';

/**
 * Experiments and gamedays as history keeps them (src/history/sessions.ts): the figures to
 * compare over time, named so that formatFigure reads their units, and as detail the journal
 * without its probe rounds (those are for the report; kept, they would pass the detail's bound).
 */

const STATUS: Record<ExperimentStatus, SessionStatus> = { completed: 'completed', interrupted: 'stopped', 'not-started': 'failed', failed: 'failed' };

function figuresOf(figures: ExperimentFigures): Record<string, number> {
  const named: Record<string, number | null> = {
    faults: figures.faults,
    held: figures.held,
    recovered: figures.recovered,
    notRecovered: figures.notRecovered,
    mttrMs: figures.mttrMs === null ? null : Math.round(figures.mttrMs),
    mttdMs: figures.mttdMs === null ? null : Math.round(figures.mttdMs),
    faultTolerancePercent: figures.faultTolerance === null ? null : figures.faultTolerance * 100,
    availabilityPercent: figures.availability === null ? null : figures.availability * 100,
    probeAnswers: figures.probeAnswers,
    errors: figures.errors,
  };
  return Object.fromEntries(Object.entries(named).filter((entry): entry is [string, number] => entry[1] !== null));
}

export function experimentSession(result: ExperimentResult, journal: Journal): SessionRecord {
  const { probes: _rounds, ...detail } = journal;
  return {
    id: result.runId,
    kind: 'experiment',
    machine: result.machine,
    subject: result.experiment.id,
    title: result.experiment.title,
    startedAt: new Date(result.startedAt).toISOString(),
    finishedAt: new Date(result.finishedAt).toISOString(),
    status: STATUS[result.status],
    verdict: result.status === 'completed' ? (result.verdict ?? 'no fault') : result.status,
    summary: result.summary,
    figures: { ...figuresOf(result.figures), risk: result.experiment.risk, severity: result.experiment.severity },
    detail: { ...detail, rounds: journal.probes.rounds.length } as unknown as JsonValue,
  };
}

export function gamedaySession(gameday: GamedayResult): SessionRecord {
  return {
    id: gameday.id,
    kind: 'gameday',
    machine: gameday.machine,
    subject: `severity ${gameday.severity.min}-${gameday.severity.max}`,
    title: `Gameday: ${gameday.results.length} experiment(s)`,
    startedAt: new Date(gameday.startedAt).toISOString(),
    finishedAt: new Date(gameday.finishedAt).toISOString(),
    status: gameday.status === 'interrupted' ? 'stopped' : 'completed',
    ...(gameday.verdict !== null ? { verdict: gameday.verdict } : {}),
    summary: gameday.summary,
    figures: { experiments: gameday.results.length, ...figuresOf(gameday.figures) },
    detail: {
      severity: gameday.severity,
      experiments: gameday.results.map((result) => ({
        id: result.experiment.id,
        runId: result.runId,
        status: result.status,
        verdict: result.verdict,
        summary: result.summary,
      })),
    },
  };
}

/** Everything a gameday leaves in history: each experiment it ran, then the gameday itself. */
export function gamedaySessions(gameday: GamedayResult, experiments: readonly Experiment[]): SessionRecord[] {
  const byId = new Map(experiments.map((experiment) => [experiment.id, experiment]));
  return [...gameday.results.map((result) => experimentSession(result, toJournal(result, byId.get(result.experiment.id)!))), gamedaySession(gameday)];
}
