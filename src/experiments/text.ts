import { formatDuration, formatPercent } from '../format.js';
import { verdictText } from './measures.js';
import type { ExperimentEvent, ExperimentFigures, ExperimentResult, FaultRecord, Percentiles } from './types.js';

/** Lines a person reads, for the headless `firedrill experiment run` and `firedrill gameday`. */

/** "420 ms", "2.4 s": the one duration format (src/format.ts). */
export function seconds(ms: number): string {
  return formatDuration(ms);
}

/** A share (0..1) as "99.5 %". */
export function percent(share: number | null): string {
  return formatPercent(share === null ? null : share * 100);
}

export function describePercentiles(value: Percentiles | null | undefined): string {
  if (!value) return 'no answers';
  return `p50 ${seconds(value.p50)}, p95 ${seconds(value.p95)}, p99 ${seconds(value.p99)}`;
}

/** The lines for one event (none for the frequent ones: rounds, samples). */
export function eventLines(event: ExperimentEvent): string[] {
  switch (event.type) {
    case 'experiment-started': {
      const { experiment } = event;
      return [
        `Experiment ${experiment.id}: ${experiment.title} (risk ${experiment.risk}, severity ${experiment.severity})`,
        `  hypothesis: ${experiment.hypothesis}`,
        `  probes every ${seconds(experiment.probeIntervalMs)}: ${event.probes.map((probe) => `${probe.name} (${probe.description})`).join('; ')}`,
      ];
    }
    case 'phase':
      return event.phase === 'done' ? [] : [`- ${event.message}`];
    case 'service': {
      const { event: transition } = event;
      if (transition.type === 'exited' && transition.unexpected) return [`  ${event.service}: exited (${transition.signal ?? `code ${transition.code}`})`];
      if (transition.type === 'ready') return [`  ${event.service}: ready (pid ${transition.pid}) after ${seconds(transition.startupMs)}`];
      if (transition.type === 'restart-scheduled') return [`  ${event.service}: restart #${transition.restarts} in ${seconds(transition.inMs)}`];
      if (transition.type === 'failed') return [`  ${event.service}: FAILED: ${transition.reason}`];
      return [];
    }
    case 'steady-state':
      return [`  steady state ${event.when}: ${event.held ? 'holds' : 'does NOT hold'} (${event.detail})`];
    case 'fault-started':
      return [`  fault "${event.fault.name}": ${event.fault.description}`];
    case 'fault-detected':
      return [`    deviation detected after ${seconds(event.fault.timeToDetectMs ?? 0)}`];
    case 'fault-ended':
      return event.fault.mode === 'held' ? [`    fault ended after ${seconds((event.fault.endedAt ?? 0) - event.fault.startedAt)}`] : [];
    case 'fault-verdict':
      return [`    ${faultVerdictLine(event.fault)}`];
    case 'detection':
      return [`    ${event.detection.source}: ${event.detection.summary}`];
    case 'progress':
      return [`    ${event.message}`];
    case 'rollback':
      return [`  rollback ${event.rollback.name}: ${event.rollback.ok ? event.rollback.detail : `FAILED: ${event.rollback.detail}`}`];
    case 'notice':
      return [`  ${event.level === 'warn' ? 'warning: ' : ''}${event.message}`];
    case 'probe-tick':
    case 'sample':
      return [];
    case 'experiment-finished':
      return resultLines(event.result);
  }
}

export function faultVerdictLine(fault: FaultRecord): string {
  const verdict = fault.verdict === undefined ? `no verdict (${fault.problem ?? 'stopped before the end'})` : verdictText(fault.verdict).toUpperCase();
  const parts: string[] = [];
  if (fault.timeToDetectMs !== undefined) parts.push(`detected after ${seconds(fault.timeToDetectMs)}`);
  if (fault.timeToRecoverMs !== undefined) parts.push(`recovered ${seconds(fault.timeToRecoverMs)} after the fault ended`);
  if (fault.verdict === 'not-recovered') {
    parts.push(
      fault.recoveredAt !== undefined
        ? `back only ${seconds(fault.recoveredAt - fault.startedAt)} after its start (allowed ${seconds(fault.deadlineAt - fault.startedAt)})`
        : `not back within ${seconds(fault.deadlineAt - fault.startedAt)} of its start`,
    );
  }
  parts.push(`availability ${percent(fault.availability)}`);
  return `${verdict}: ${parts.join(', ')}`;
}

export function figuresLine(figures: ExperimentFigures): string {
  return [
    `MTTR ${figures.mttrMs === null ? '-' : seconds(figures.mttrMs)}`,
    `MTTD ${figures.mttdMs === null ? '-' : seconds(figures.mttdMs)}`,
    `fault tolerance ${percent(figures.faultTolerance)}`,
    `availability ${percent(figures.availability)} (${figures.errors} of ${figures.probeAnswers} probe answers out of tolerance)`,
  ].join(', ');
}

export function resultLines(result: ExperimentResult): string[] {
  const lines = [`Result: ${result.summary}`, `  ${figuresLine(result.figures)}`];
  for (const probe of result.probes.filter((candidate) => candidate.measuresLatency)) {
    const during = result.faults.map((fault) => fault.latency[probe.name]).filter((value): value is Percentiles => !!value);
    const worst = during.sort((a, b) => b.p95 - a.p95)[0];
    lines.push(`  ${probe.name}: baseline ${describePercentiles(result.baseline[probe.name])}; worst fault ${describePercentiles(worst)}`);
  }
  if (result.experiment.checklist.after.length > 0) {
    lines.push('  after the experiment, check:', ...result.experiment.checklist.after.map((item) => `    [ ] ${item}`));
  }
  return lines;
}
