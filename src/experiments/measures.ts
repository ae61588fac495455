import { mean, percentile } from '../stats.js';
import type { ExperimentFigures, FaultRecord, Percentiles, ProbeInfo, ProbeTick, Verdict } from './types.js';

export function percentilesOf(values: readonly number[]): Percentiles | null {
  const p50 = percentile(values, 50);
  if (p50 === null) return null;
  return { count: values.length, p50, p95: percentile(values, 95)!, p99: percentile(values, 99)! };
}

/** Latency percentiles per latency probe over these rounds (answers that failed count too: a timeout is slow). */
export function latencyByProbe(ticks: readonly ProbeTick[], probes: readonly ProbeInfo[]): Record<string, Percentiles | null> {
  const result: Record<string, Percentiles | null> = {};
  for (const probe of probes.filter((candidate) => candidate.measuresLatency)) {
    result[probe.name] = percentilesOf(
      ticks.flatMap((tick) => tick.results.filter((sample) => sample.probe === probe.name).map((sample) => sample.latencyMs)),
    );
  }
  return result;
}

/** Share of probe answers within tolerance, and the count of those that were not. */
export function availabilityOf(ticks: readonly ProbeTick[]): { availability: number | null; answers: number; errors: number } {
  let answers = 0;
  let errors = 0;
  for (const tick of ticks) {
    for (const sample of tick.results) {
      answers += 1;
      if (!sample.ok) errors += 1;
    }
  }
  return { availability: answers === 0 ? null : (answers - errors) / answers, answers, errors };
}

export interface TrackerRules {
  /** Out-of-tolerance rounds in a row that make a deviation. */
  deviationAfter: number;
  /** Rounds in a row within tolerance that count as recovered (and, after a fault that never deviated, as held). */
  consecutive: number;
  withinMs: number;
}

/**
 * Follows one fault through the probe rounds (given in the order they were sent) and decides its
 * verdict: held when no deviation showed and N rounds in a row passed after its end; recovered
 * when the deviation ended with N rounds in a row within tolerance by the deadline (start +
 * within); not-recovered otherwise. After the deadline it keeps looking, to measure a late recovery.
 */
export class FaultTracker {
  readonly record: FaultRecord;
  private readonly window: ProbeTick[] = [];
  private failRun = 0;
  private failRunStart = 0;
  private okRun = 0;
  private okRunStart = 0;
  private okRunAfterEnd = 0;

  constructor(
    init: Pick<FaultRecord, 'step' | 'name' | 'kind' | 'description' | 'mode' | 'startedAt'>,
    private readonly rules: TrackerRules,
  ) {
    this.record = {
      ...init,
      deadlineAt: init.startedAt + rules.withinMs,
      availability: null,
      probeAnswers: 0,
      errors: 0,
      latency: {},
      detection: [],
    };
  }

  end(at: number): void {
    this.record.endedAt = at;
  }

  /** Feeds one round; returns 'detected' when this round completed a deviation. */
  observe(tick: ProbeTick): 'detected' | undefined {
    const record = this.record;
    if (tick.at < record.startedAt || record.verdict !== undefined) return undefined;
    this.window.push(tick);
    let detectedNow = false;
    if (tick.ok) {
      this.failRun = 0;
      if (this.okRun === 0) this.okRunStart = tick.at;
      this.okRun += 1;
      if (record.endedAt !== undefined && tick.at >= record.endedAt) this.okRunAfterEnd += 1;
    } else {
      this.okRun = 0;
      this.okRunAfterEnd = 0;
      if (this.failRun === 0) this.failRunStart = tick.at;
      this.failRun += 1;
      if (this.failRun >= this.rules.deviationAfter) {
        if (record.detectedAt === undefined) {
          record.detectedAt = this.failRunStart;
          record.timeToDetectMs = this.failRunStart - record.startedAt;
          detectedNow = true;
        }
        // A new deviation after a recovery (still within the fault) undoes that recovery.
        record.recoveredAt = undefined;
      }
    }
    if (record.detectedAt !== undefined && record.recoveredAt === undefined && this.okRun >= this.rules.consecutive) {
      record.recoveredAt = this.okRunStart;
    }
    this.decide();
    return detectedNow ? 'detected' : undefined;
  }

  /** Settles the verdict when the rounds allow it; `giveUp` forces it (the observation time is over, or the experiment stops). */
  decide(giveUp = false): Verdict | undefined {
    const record = this.record;
    if (record.verdict !== undefined) return record.verdict;
    if (record.endedAt === undefined && !giveUp) return undefined;
    let verdict: Verdict | undefined;
    if (record.detectedAt === undefined) {
      if (this.okRunAfterEnd >= this.rules.consecutive || giveUp) verdict = 'held';
    } else if (record.recoveredAt !== undefined && record.endedAt !== undefined && this.okRunAfterEnd > 0) {
      verdict = record.recoveredAt <= record.deadlineAt ? 'recovered' : 'not-recovered';
    } else if (giveUp) {
      verdict = 'not-recovered';
    }
    if (verdict === undefined) return undefined;
    this.settle(verdict);
    return verdict;
  }

  /** True once the deadline has passed with the deviation still on: the verdict can only be not-recovered. */
  missedDeadline(now: number): boolean {
    const record = this.record;
    return record.detectedAt !== undefined && record.recoveredAt === undefined && now > record.deadlineAt;
  }

  private settle(verdict: Verdict): void {
    const record = this.record;
    record.verdict = verdict;
    if (record.recoveredAt !== undefined) {
      record.timeToRecoverMs = Math.max(0, record.recoveredAt - (record.endedAt ?? record.recoveredAt));
      record.outageMs = record.recoveredAt - record.detectedAt!;
    }
    this.countAnswers();
  }

  /** Availability and errors over the rounds seen so far (also for a fault cut short, which gets no verdict). */
  countAnswers(): void {
    const { availability, answers, errors } = availabilityOf(this.window);
    this.record.availability = availability;
    this.record.probeAnswers = answers;
    this.record.errors = errors;
  }

  /** The rounds seen from the fault's start to its verdict. */
  rounds(): readonly ProbeTick[] {
    return this.window;
  }
}

/** MTTR, fault tolerance and availability across the faults of one experiment. */
export function figuresOf(faults: readonly FaultRecord[], methodTicks: readonly ProbeTick[]): ExperimentFigures {
  const { answers, errors } = availabilityOf(methodTicks);
  return combineFigures([{ probeAnswers: answers, errors }], faults);
}

const VERDICT_ORDER: readonly Verdict[] = ['held', 'recovered', 'not-recovered'];

/** The worst of the verdicts, or null for none. */
export function worstVerdict(verdicts: readonly (Verdict | undefined)[]): Verdict | null {
  let worst: Verdict | null = null;
  for (const verdict of verdicts) {
    if (verdict !== undefined && (worst === null || VERDICT_ORDER.indexOf(verdict) > VERDICT_ORDER.indexOf(worst))) worst = verdict;
  }
  return worst;
}

/** "held", "deviated and recovered", "did not recover". */
export function verdictText(verdict: Verdict | null): string {
  switch (verdict) {
    case 'held':
      return 'held';
    case 'recovered':
      return 'deviated and recovered';
    case 'not-recovered':
      return 'did not recover';
    case null:
      return 'no verdict';
  }
}

/** The figures of several experiments together (a gameday): every fault and every probe answer counts once. */
export function combineFigures(all: readonly Pick<ExperimentFigures, 'probeAnswers' | 'errors'>[], faults: readonly FaultRecord[]): ExperimentFigures {
  const decided = faults.filter((fault) => fault.verdict !== undefined);
  const probeAnswers = all.reduce((sum, figures) => sum + figures.probeAnswers, 0);
  const errors = all.reduce((sum, figures) => sum + figures.errors, 0);
  const held = decided.filter((fault) => fault.verdict === 'held').length;
  const recovered = decided.filter((fault) => fault.verdict === 'recovered').length;
  return {
    faults: decided.length,
    held,
    recovered,
    notRecovered: decided.length - held - recovered,
    mttrMs: mean(decided.flatMap((fault) => (fault.outageMs !== undefined ? [fault.outageMs] : []))),
    mttdMs: mean(decided.flatMap((fault) => (fault.timeToDetectMs !== undefined ? [fault.timeToDetectMs] : []))),
    faultTolerance: decided.length === 0 ? null : held / decided.length,
    availability: probeAnswers === 0 ? null : (probeAnswers - errors) / probeAnswers,
    probeAnswers,
    errors,
  };
}
