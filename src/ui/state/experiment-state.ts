/**
 * What the chaos experiment screen shows, folded from the engine's events (one experiment, or a
 * gameday's experiments one after the other). Pure: tested without Ink.
 */
import type { GamedayEvent, GamedayResult } from '../../experiments/gameday.js';
import { verdictText } from '../../experiments/measures.js';
import { faultVerdictLine, seconds } from '../../experiments/text.js';
import type { ExperimentEvent, ExperimentResult, FaultRecord, ProbeInfo } from '../../experiments/types.js';
import type { EngineSignal } from '../hooks/use-engine.js';
import type { Tone } from '../palette.js';
import type { TimelineItem } from '../panels/Timeline.js';

/** Where a round falls: during a fault, between its end and the recovery, or neither. */
export type RoundMark = 'fault' | 'recovery' | null;

export interface RoundView {
  at: number;
  /** Per probe, in `probes` order. */
  ok: boolean[];
  /** Per probe; null for probes that do not measure latency, or that got no answer. */
  latencyMs: (number | null)[];
  mark: RoundMark;
}

export type ExperimentPhase = 'starting' | 'running' | 'done' | 'failed';

export interface ExperimentView {
  phase: ExperimentPhase;
  title: string;
  caption: string;
  tone: Tone;
  probes: ProbeInfo[];
  rounds: RoundView[];
  faults: FaultRecord[];
  timeline: TimelineItem[];
  result?: ExperimentResult;
  /** For a gameday: which experiment this is, and what came before. */
  gameday?: { index: number; endsAt: number; results: ExperimentResult[]; result?: GamedayResult; waiting?: string };
}

/** Enough rounds for the widest terminal's strip and sparkline. */
export const MAX_ROUNDS = 400;
const MAX_TIMELINE = 200;

export function initialExperimentView(title: string): ExperimentView {
  return { phase: 'starting', title, caption: 'Starting the experiment...', tone: 'info', probes: [], rounds: [], faults: [], timeline: [] };
}

function note(state: ExperimentView, at: number, message: string, tone?: Tone): TimelineItem[] {
  return [...state.timeline, { at, message, ...(tone ? { tone } : {}) }].slice(-MAX_TIMELINE);
}

function upsertFault(faults: readonly FaultRecord[], fault: FaultRecord): FaultRecord[] {
  const others = faults.filter((candidate) => candidate.step !== fault.step || candidate.startedAt !== fault.startedAt);
  return [...others, fault].sort((a, b) => a.startedAt - b.startedAt);
}

function markOf(faults: readonly FaultRecord[], at: number): RoundMark {
  for (const fault of faults) {
    if (at < fault.startedAt) continue;
    if (fault.endedAt === undefined || at <= fault.endedAt) return 'fault';
    if (fault.verdict === undefined || (fault.recoveredAt !== undefined && at < fault.recoveredAt)) return 'recovery';
  }
  return null;
}

function verdictTone(fault: FaultRecord): Tone {
  return fault.verdict === 'held' ? 'good' : fault.verdict === 'recovered' ? 'warn' : 'bad';
}

export function experimentReducer(state: ExperimentView, event: ExperimentEvent | EngineSignal): ExperimentView {
  switch (event.type) {
    case 'experiment-started':
      return {
        ...state,
        phase: 'running',
        title: `${event.experiment.id}: ${event.experiment.title}`,
        probes: event.probes,
        caption: `Hypothesis: ${event.experiment.hypothesis}`,
        timeline: note(state, event.at, `started (risk ${event.experiment.risk}, severity ${event.experiment.severity})`),
      };
    case 'phase': {
      if (event.phase === 'done') return state;
      // A fault and the wait after it have their own timeline entries; the caption is enough here.
      const own = event.phase === 'recovery' || event.message.startsWith('fault: ');
      return { ...state, caption: capitalise(event.message), tone: 'info', timeline: own ? state.timeline : note(state, event.at, event.message) };
    }
    case 'service': {
      const transition = event.event;
      if (transition.type === 'exited' && transition.unexpected) {
        return { ...state, timeline: note(state, transition.at, `${event.service} exited (${transition.signal ?? `code ${transition.code}`})`, 'warn') };
      }
      if (transition.type === 'ready') return { ...state, timeline: note(state, transition.at, `${event.service} ready (pid ${transition.pid})`) };
      if (transition.type === 'restart-scheduled') {
        return { ...state, timeline: note(state, transition.at, `${event.service}: restart #${transition.restarts} in ${seconds(transition.inMs)}`) };
      }
      if (transition.type === 'failed') return { ...state, timeline: note(state, transition.at, `${event.service} failed: ${transition.reason}`, 'bad') };
      return state;
    }
    case 'probe-tick': {
      const { tick } = event;
      const round: RoundView = {
        at: tick.at,
        ok: state.probes.map((probe) => tick.results.find((sample) => sample.probe === probe.name)?.ok ?? false),
        latencyMs: state.probes.map((probe) => {
          const sample = tick.results.find((candidate) => candidate.probe === probe.name);
          return probe.measuresLatency && sample && (sample.ok || sample.value !== undefined) ? sample.latencyMs : null;
        }),
        mark: markOf(state.faults, tick.at),
      };
      return { ...state, rounds: [...state.rounds, round].slice(-MAX_ROUNDS) };
    }
    case 'steady-state':
      return {
        ...state,
        caption: `Steady state ${event.when}: ${event.held ? 'holds' : 'does NOT hold'} (${event.detail})`,
        tone: event.held ? 'good' : 'bad',
        timeline: note(state, event.at, `steady state ${event.when}: ${event.held ? 'holds' : 'does NOT hold'}`, event.held ? 'good' : 'bad'),
      };
    case 'fault-started':
      return {
        ...state,
        faults: upsertFault(state.faults, event.fault),
        caption: `Fault: ${event.fault.name} (${event.fault.description})`,
        tone: 'warn',
        timeline: note(state, event.fault.startedAt, `fault: ${event.fault.name}`, 'warn'),
      };
    case 'fault-detected':
      return {
        ...state,
        faults: upsertFault(state.faults, event.fault),
        timeline: note(state, event.fault.detectedAt ?? Date.now(), `deviation detected after ${seconds(event.fault.timeToDetectMs ?? 0)}`, 'bad'),
      };
    case 'fault-ended':
      return {
        ...state,
        faults: upsertFault(state.faults, event.fault),
        caption: `Waiting for the steady state after ${event.fault.name}...`,
        timeline: event.fault.mode === 'held' ? note(state, event.fault.endedAt ?? Date.now(), `fault ended: ${event.fault.name}`) : state.timeline,
      };
    case 'fault-verdict':
      return {
        ...state,
        faults: upsertFault(state.faults, event.fault),
        caption: `${event.fault.name}: ${faultVerdictLine(event.fault)}`,
        tone: verdictTone(event.fault),
        timeline: note(state, Date.now(), `${event.fault.name}: ${verdictText(event.fault.verdict ?? null)}`, verdictTone(event.fault)),
      };
    case 'detection':
      return { ...state, timeline: note(state, Date.now(), `${event.detection.source}: ${event.detection.summary}`, event.detection.detected ? 'good' : 'warn') };
    case 'progress':
      return { ...state, timeline: note(state, event.at, event.message) };
    case 'rollback':
      return {
        ...state,
        timeline: note(state, event.rollback.at, `rollback ${event.rollback.name}: ${event.rollback.ok ? 'ok' : `FAILED: ${event.rollback.detail}`}`, event.rollback.ok ? undefined : 'bad'),
      };
    case 'notice':
      return { ...state, timeline: note(state, event.at, event.message, event.level === 'warn' ? 'warn' : undefined) };
    case 'sample':
      return state;
    case 'experiment-finished': {
      const { result } = event;
      const tone: Tone =
        result.status !== 'completed' ? (result.status === 'interrupted' ? 'warn' : 'bad') : result.verdict === 'not-recovered' ? 'bad' : result.verdict === 'recovered' ? 'warn' : 'good';
      return { ...state, phase: state.gameday ? state.phase : 'done', result, faults: result.faults, caption: capitalise(result.summary), tone };
    }
    case 'engine-stopped':
      return { ...state, phase: 'done', caption: 'Stopped: the fault was undone, the rollbacks ran and everything the experiment started was ended.', tone: 'warn' };
    case 'engine-failed':
      return { ...state, phase: 'failed', caption: `The experiment could not go on: ${event.message}`, tone: 'bad' };
    case 'engine-ended':
      return state.phase === 'failed' ? state : { ...state, phase: 'done' };
  }
}

/** A gameday: each experiment's events go to experimentReducer; a new experiment starts a fresh view. */
export function gamedayReducer(state: ExperimentView, event: GamedayEvent | EngineSignal): ExperimentView {
  switch (event.type) {
    case 'gameday-started':
      return {
        ...state,
        phase: 'running',
        caption: `Gameday: choosing among ${event.candidates.join(', ')}`,
        gameday: { index: 0, endsAt: event.endsAt, results: [] },
        timeline: note(state, event.at, `gameday started, until ${new Date(event.endsAt).toISOString().slice(11, 19)} UTC`),
      };
    case 'experiment': {
      const gameday = state.gameday ?? { index: 0, endsAt: 0, results: [] };
      let view = state;
      if (event.event.type === 'experiment-started') {
        view = { ...initialExperimentView(''), phase: state.phase, timeline: state.timeline, gameday: { ...gameday, index: event.index, waiting: undefined } };
      }
      view = experimentReducer(view, event.event);
      if (event.event.type === 'experiment-finished') {
        view = { ...view, gameday: { ...gameday, results: [...gameday.results, event.event.result] } };
        view = { ...view, timeline: note(view, Date.now(), `${event.event.result.experiment.id}: ${event.event.result.summary}`, view.tone) };
      }
      return view;
    }
    case 'waiting':
      return { ...state, caption: capitalise(event.message), tone: 'info', gameday: state.gameday ? { ...state.gameday, waiting: event.message } : state.gameday };
    case 'notice':
      return { ...state, timeline: note(state, event.at, event.message, event.level === 'warn' ? 'warn' : undefined) };
    case 'gameday-finished':
      return {
        ...state,
        phase: 'done',
        caption: capitalise(event.result.summary),
        tone: event.result.verdict === 'not-recovered' ? 'bad' : event.result.status === 'interrupted' ? 'warn' : 'good',
        gameday: { ...(state.gameday ?? { index: 0, endsAt: 0, results: [] }), result: event.result, waiting: undefined },
      };
    case 'engine-stopped':
    case 'engine-failed':
    case 'engine-ended':
      return experimentReducer(state, event);
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
