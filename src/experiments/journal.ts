import os from 'node:os';
import { z } from 'zod';
import type { GamedayResult } from './gameday.js';
import type { Experiment } from './schema.js';
import type { ExperimentResult, FaultRecord, Percentiles } from './types.js';

/**
 * The journal: one JSON document per experiment run, in the spirit of Chaos Toolkit's
 * (https://chaostoolkit.org/reference/api/journal/): the experiment as declared, status and
 * `deviated`, the steady states before and after, one `run` entry per fault activity, the
 * rollbacks, and firedrill's measures. Times are ISO 8601; durations are seconds. The schema below
 * bounds every field; the journal is checked against it before it is written.
 */

export const JOURNAL_FORMAT = 'firedrill-experiment-journal/1';

const MAX_ROUNDS = 36_000;
const seconds = z.number().min(0).max(7 * 86_400);
const share = z.number().min(0).max(1).nullable();
const text = z.string().max(4000);
const iso = z.iso.datetime();

const percentilesSchema = z.object({ count: z.number().int().min(0).max(10_000_000), p50: z.number().min(0), p95: z.number().min(0), p99: z.number().min(0) }).nullable();
const latencySchema = z.record(z.string().max(60), percentilesSchema);

const detectionSchema = z.object({
  source: z.enum(['prometheus', 'alertmanager']),
  expected: text.optional(),
  detected: z.boolean(),
  summary: text,
  error: text.optional(),
  alerts: z
    .array(
      z.object({
        name: text,
        labels: z.record(z.string().max(200), z.string().max(1000)),
        firedAt: iso,
        timeToDetectMs: z.number(),
        resolvedAt: iso.optional(),
        timeToResolveMs: z.number().optional(),
      }),
    )
    .max(200),
});

const activitySchema = z.object({
  activity: z.object({ type: z.literal('fault'), name: text, kind: z.string().max(60), description: text, mode: z.enum(['held', 'instant']) }),
  status: z.enum(['succeeded', 'failed', 'interrupted']),
  start: iso,
  end: iso.nullable(),
  duration: seconds.nullable(),
  output: z.object({
    verdict: z.enum(['held', 'recovered', 'not-recovered']).nullable(),
    deviated: z.boolean(),
    time_to_detect: seconds.nullable(),
    time_to_recover: seconds.nullable(),
    outage: seconds.nullable(),
    recovery_deadline: iso,
    availability: share,
    probe_answers: z.number().int().min(0),
    errors: z.number().int().min(0),
    latency: latencySchema,
    detection: z.array(detectionSchema).max(10),
    problem: text.nullable(),
  }),
});

export const journalSchema = z.object({
  format: z.literal(JOURNAL_FORMAT),
  firedrill: z.string().max(40),
  node: z.string().max(40),
  platform: z.object({ system: z.string().max(40), release: z.string().max(200), hostname: z.string().max(255) }),
  run_id: z.string().max(100),
  experiment: z.object({
    id: z.string().max(63),
    title: text,
    description: text,
    tags: z.array(z.string().max(32)).max(12),
    risk: z.enum(['low', 'medium', 'high']),
    severity: z.number().int().min(1).max(5),
    file: text.nullable(),
    steady_state_hypothesis: z.object({ title: text, probes: z.array(z.object({ name: text, kind: z.string().max(60), description: text })).max(10) }),
    /** As declared in the file (kinds' own fields included). */
    method: z.array(z.record(z.string(), z.unknown())).max(50),
    rollbacks: z.array(z.record(z.string(), z.unknown())).max(20),
    checklist: z.object({ before: z.array(text).max(30), after: z.array(text).max(30) }),
  }),
  start: iso,
  end: iso,
  duration: seconds,
  status: z.enum(['completed', 'not-started', 'failed', 'interrupted']),
  deviated: z.boolean(),
  verdict: z.enum(['held', 'recovered', 'not-recovered']).nullable(),
  summary: text,
  error: text.nullable(),
  steady_states: z.object({
    before: z.object({ steady_state_met: z.boolean(), rounds: z.number().int().min(0), failures: z.number().int().min(0), detail: text, latency: latencySchema }),
    after: z.object({ steady_state_met: z.boolean(), detail: text }).nullable(),
  }),
  run: z.array(activitySchema).max(50),
  rollbacks: z.array(z.object({ activity: z.object({ type: z.literal('action'), name: text }), status: z.enum(['succeeded', 'failed']), output: text, end: iso })).max(20),
  measures: z.object({
    faults: z.number().int().min(0),
    held: z.number().int().min(0),
    recovered: z.number().int().min(0),
    not_recovered: z.number().int().min(0),
    mttr: seconds.nullable(),
    mttd: seconds.nullable(),
    fault_tolerance: share,
    availability: share,
    probe_answers: z.number().int().min(0),
    errors: z.number().int().min(0),
  }),
  services: z.array(z.object({ id: z.string().max(32), label: text, restarts: z.number().int().min(0) })).max(10),
  timeline: z.array(z.object({ at: iso, kind: z.string().max(20), text })).max(500),
  /** Every round: [ms since start, all within tolerance, latency ms per probe in `probes.names` order (null: not a latency probe)]. */
  probes: z.object({
    interval: seconds,
    names: z.array(z.string().max(60)).max(10),
    rounds: z.array(z.tuple([z.number().min(0), z.boolean(), z.array(z.number().min(0).nullable()).max(10)])).max(MAX_ROUNDS),
    dropped: z.number().int().min(0),
  }),
});

export type Journal = z.infer<typeof journalSchema>;

const toIso = (ms: number) => new Date(ms).toISOString();
const toSeconds = (ms: number | undefined | null) => (ms === undefined || ms === null ? null : Math.round(ms) / 1000);

function round(value: Percentiles | null): Percentiles | null {
  if (!value) return null;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { count: value.count, p50: r(value.p50), p95: r(value.p95), p99: r(value.p99) };
}

function roundLatency(latency: Record<string, Percentiles | null>): Record<string, Percentiles | null> {
  return Object.fromEntries(Object.entries(latency).map(([name, value]) => [name, round(value)]));
}

function activity(fault: FaultRecord, interrupted: boolean): Journal['run'][number] {
  const status = fault.problem !== undefined && fault.verdict === undefined ? 'failed' : fault.verdict === undefined && interrupted ? 'interrupted' : 'succeeded';
  return {
    activity: { type: 'fault', name: fault.name, kind: fault.kind, description: fault.description, mode: fault.mode },
    status,
    start: toIso(fault.startedAt),
    end: fault.endedAt !== undefined ? toIso(fault.endedAt) : null,
    duration: fault.endedAt !== undefined ? toSeconds(fault.endedAt - fault.startedAt) : null,
    output: {
      verdict: fault.verdict ?? null,
      deviated: fault.detectedAt !== undefined,
      time_to_detect: toSeconds(fault.timeToDetectMs),
      time_to_recover: toSeconds(fault.timeToRecoverMs),
      outage: toSeconds(fault.outageMs),
      recovery_deadline: toIso(fault.deadlineAt),
      availability: fault.availability,
      probe_answers: fault.probeAnswers,
      errors: fault.errors,
      latency: roundLatency(fault.latency),
      detection: fault.detection.map((detection) => ({ ...detection })),
      problem: fault.problem ?? null,
    },
  };
}

export function toJournal(result: ExperimentResult, experiment: Experiment): Journal {
  const { figures } = result;
  const probeNames = result.probes.map((probe) => probe.name);
  const latencyProbe = new Set(result.probes.filter((probe) => probe.measuresLatency).map((probe) => probe.name));
  const journal: Journal = {
    format: JOURNAL_FORMAT,
    firedrill: process.env.FIREDRILL_VERSION ?? '0.1.0',
    node: process.version,
    platform: { system: os.platform(), release: os.release(), hostname: result.machine },
    run_id: result.runId,
    experiment: {
      id: experiment.id,
      title: experiment.title,
      description: experiment.description.trim(),
      tags: experiment.tags,
      risk: experiment.risk,
      severity: experiment.severity,
      file: experiment.file ?? null,
      steady_state_hypothesis: {
        title: experiment.steady_state.title,
        probes: result.probes.map((probe) => ({ name: probe.name, kind: probe.kind, description: probe.description })),
      },
      method: experiment.method.map((step) => ({ ...step })),
      rollbacks: experiment.rollbacks.map((action) => ({ ...action })),
      checklist: experiment.checklist,
    },
    start: toIso(result.startedAt),
    end: toIso(result.finishedAt),
    duration: toSeconds(result.finishedAt - result.startedAt)!,
    status: result.status,
    deviated: result.faults.some((fault) => fault.detectedAt !== undefined),
    verdict: result.verdict,
    summary: result.summary,
    error: result.error ?? null,
    steady_states: {
      before: {
        steady_state_met: result.steadyStateBefore.held,
        rounds: result.steadyStateBefore.rounds,
        failures: result.steadyStateBefore.failures,
        detail: result.steadyStateBefore.detail,
        latency: roundLatency(result.baseline),
      },
      after: result.steadyStateAfter ? { steady_state_met: result.steadyStateAfter.held, detail: result.steadyStateAfter.detail } : null,
    },
    run: result.faults.map((fault) => activity(fault, result.status === 'interrupted')),
    rollbacks: result.rollbacks.map((rollback) => ({
      activity: { type: 'action', name: rollback.name },
      status: rollback.ok ? 'succeeded' : 'failed',
      output: rollback.detail,
      end: toIso(rollback.at),
    })),
    measures: {
      faults: figures.faults,
      held: figures.held,
      recovered: figures.recovered,
      not_recovered: figures.notRecovered,
      mttr: toSeconds(figures.mttrMs),
      mttd: toSeconds(figures.mttdMs),
      fault_tolerance: figures.faultTolerance,
      availability: figures.availability,
      probe_answers: figures.probeAnswers,
      errors: figures.errors,
    },
    services: result.services,
    timeline: result.timeline.map((entry) => ({ at: toIso(entry.at), kind: entry.kind, text: entry.text })),
    probes: {
      interval: result.experiment.probeIntervalMs / 1000,
      names: probeNames,
      rounds: result.ticks.map((tick) => [
        Math.max(0, tick.at - result.startedAt),
        tick.ok,
        probeNames.map((name) => {
          const sample = tick.results.find((candidate) => candidate.probe === name);
          return sample && latencyProbe.has(name) ? Math.round(sample.latencyMs * 100) / 100 : null;
        }),
      ]),
      dropped: result.ticksDropped,
    },
  };
  return journalSchema.parse(journal);
}

export const GAMEDAY_JOURNAL_FORMAT = 'firedrill-gameday-journal/1';

export const gamedayJournalSchema = z.object({
  format: z.literal(GAMEDAY_JOURNAL_FORMAT),
  id: z.string().max(100),
  start: iso,
  end: iso,
  duration: seconds,
  status: z.enum(['completed', 'interrupted']),
  severity: z.object({ min: z.number().int().min(1).max(5), max: z.number().int().min(1).max(5) }),
  verdict: z.enum(['held', 'recovered', 'not-recovered']).nullable(),
  summary: text,
  measures: z.object({
    experiments: z.number().int().min(0),
    faults: z.number().int().min(0),
    held: z.number().int().min(0),
    recovered: z.number().int().min(0),
    not_recovered: z.number().int().min(0),
    mttr: seconds.nullable(),
    mttd: seconds.nullable(),
    fault_tolerance: share,
    availability: share,
  }),
  /** A week of one experiment a minute would be 10,080: a gameday is shorter. */
  experiments: z.array(journalSchema).max(2000),
});

export type GamedayJournal = z.infer<typeof gamedayJournalSchema>;

/** A gameday's journal: its own figures, then one experiment journal per experiment run. */
export function toGamedayJournal(gameday: GamedayResult, experiments: readonly Experiment[]): GamedayJournal {
  const byId = new Map(experiments.map((experiment) => [experiment.id, experiment]));
  const { figures } = gameday;
  return gamedayJournalSchema.parse({
    format: GAMEDAY_JOURNAL_FORMAT,
    id: gameday.id,
    start: toIso(gameday.startedAt),
    end: toIso(gameday.finishedAt),
    duration: toSeconds(gameday.finishedAt - gameday.startedAt),
    status: gameday.status,
    severity: gameday.severity,
    verdict: gameday.verdict,
    summary: gameday.summary,
    measures: {
      experiments: gameday.results.length,
      faults: figures.faults,
      held: figures.held,
      recovered: figures.recovered,
      not_recovered: figures.notRecovered,
      mttr: toSeconds(figures.mttrMs),
      mttd: toSeconds(figures.mttdMs),
      fault_tolerance: figures.faultTolerance,
      availability: figures.availability,
    },
    experiments: gameday.results.map((result) => toJournal(result, byId.get(result.experiment.id)!)),
  });
}
