import type { Scenario } from '../../incidents/types.js';
import type { LivePhase, Verdict } from '../../live/incident.js';
import type { ProcessWithCommand } from '../../monitor/processes.js';
import type { NarrativeEvent, SceneTiming, SceneView } from '../../narratives/engine.js';
import type { EngineSignal } from '../hooks/use-engine.js';
import { incidentReducer, initialIncidentState, type IncidentState } from '../incident/incident-state.js';
import type { NoticeItem, TimelineItem } from '../panels/index.js';
import { initialRunState, runReducer, type RunState } from '../state/run-state.js';

/**
 * What the presenter screen shows, folded from the narrative's events. Pure: tested without Ink.
 * A scene's effect is shown with the state the run and incident screens use (run-state,
 * incident-state), so the same panels draw it.
 */

export type EffectView =
  | { kind: 'drills'; index: number; run: RunState }
  | { kind: 'incident' | 'live'; index: number; incident: IncidentState; processes: ProcessWithCommand[]; verdict: Verdict | null; phase: LivePhase | null; fault: string | null; faultPid: number | null };

export interface PresenterState {
  title: string;
  rehearsal: boolean;
  /** The scene whose effects run, and the one on screen (differs after "back"). */
  current: SceneView | null;
  shown: SceneView | null;
  status: { tone: 'good' | 'warn'; text: string } | null;
  reveal: string | null;
  paused: boolean;
  sceneSeconds: number;
  totalSeconds: number;
  plannedSeconds: number;
  effect: EffectView | null;
  /** The effect shown was ended (the scene that ran it did not keep it). */
  effectEnded: boolean;
  notices: NoticeItem[];
  timeline: TimelineItem[];
  finished: { reason: string; timings: SceneTiming[]; totalSeconds: number } | null;
  error: string | null;
}

const TIMELINE = 60;
const NOTICES = 10;

export function initialPresenterState(title: string, rehearsal: boolean): PresenterState {
  return {
    title,
    rehearsal,
    current: null,
    shown: null,
    status: null,
    reveal: null,
    paused: false,
    sceneSeconds: 0,
    totalSeconds: 0,
    plannedSeconds: 0,
    effect: null,
    effectEnded: false,
    notices: [],
    timeline: [],
    finished: null,
    error: null,
  };
}

const EMPTY_SCENARIO: Scenario = {
  id: 'live',
  name: 'live',
  description: '',
  service: '',
  severity: 'high',
  difficulty: 'advanced',
  tags: [],
  durationSeconds: 1,
  metrics: [],
  context: {},
  expectedRootCause: '',
  expectedActionTypes: [],
};

function timeline(state: PresenterState, message: string, at = new Date().toISOString()): TimelineItem[] {
  return [...state.timeline, { at, message }].slice(-TIMELINE);
}

function notice(state: PresenterState, item: NoticeItem): NoticeItem[] {
  return [...state.notices, item].slice(-NOTICES);
}

function freshEffect(scene: SceneView, scenarioFor: (id: string) => Scenario | undefined): EffectView | null {
  switch (scene.runs) {
    case 'drills':
      return { kind: 'drills', index: scene.index, run: initialRunState(scene.drills) };
    case 'incident':
    case 'live':
      return {
        kind: scene.runs,
        index: scene.index,
        incident: initialIncidentState((scene.incident ? scenarioFor(scene.incident) : undefined) ?? EMPTY_SCENARIO),
        processes: [],
        verdict: null,
        phase: null,
        fault: null,
        faultPid: null,
      };
    case null:
      return null;
  }
}

/** The reducer, given where incident scenarios come from (their metrics' baselines and targets). */
export function presenterReducer(scenarioFor: (id: string) => Scenario | undefined) {
  return (state: PresenterState, event: NarrativeEvent | EngineSignal): PresenterState => {
    switch (event.type) {
      case 'narrative-started':
        return { ...state, title: event.title, rehearsal: event.rehearsal, plannedSeconds: event.plannedSeconds };
      case 'scene-started': {
        // A scene that runs nothing goes on showing what the scene before kept running.
        const kept = event.scene.runs === null && state.effect !== null && !state.effectEnded;
        const effect = kept ? state.effect : freshEffect(event.scene, scenarioFor);
        return {
          ...state,
          current: event.scene,
          shown: event.scene,
          status: null,
          reveal: null,
          paused: false,
          sceneSeconds: 0,
          effect,
          effectEnded: false,
          timeline: timeline(state, `scene ${event.scene.index + 1}: ${event.scene.title}`, event.at),
        };
      }
      case 'scene-shown':
        return { ...state, shown: event.scene };
      case 'satisfied':
        return event.index === state.current?.index ? { ...state, status: { tone: 'good', text: `✓ ${event.what} (after ${event.afterSeconds} s)` } } : state;
      case 'not-coming':
        return event.index === state.current?.index ? { ...state, status: { tone: 'warn', text: `not coming: ${event.reason}` } } : state;
      case 'reveal':
        return { ...state, reveal: event.text };
      case 'paused':
        return { ...state, paused: event.paused };
      case 'clock':
        return { ...state, sceneSeconds: event.sceneSeconds, totalSeconds: event.totalSeconds };
      case 'notice':
        return { ...state, notices: notice(state, { level: event.level, message: event.message }) };
      case 'effects-ended':
        return state.effect?.index === event.index ? { ...state, effectEnded: true } : state;
      case 'effect':
        return applyEffect(state, event);
      case 'narrative-finished':
        return { ...state, finished: { reason: event.reason, timings: event.timings, totalSeconds: event.totalSeconds } };
      case 'engine-stopped':
        return state.finished ? state : { ...state, finished: { reason: 'quit', timings: [], totalSeconds: state.totalSeconds } };
      case 'engine-failed':
        return { ...state, error: event.message };
      case 'engine-ended':
        return state;
    }
  };
}

function applyEffect(state: PresenterState, { index, effect }: Extract<NarrativeEvent, { type: 'effect' }>): PresenterState {
  const view = state.effect;
  if (!view || view.index !== index) return state;
  if (effect.source === 'drills') {
    if (view.kind !== 'drills') return state;
    const event = effect.event;
    const next = { ...state, effect: { ...view, run: runReducer(view.run, event) } };
    if (event.type === 'notice') return { ...next, notices: notice(state, { level: event.level, message: event.message }) };
    if (event.type === 'drill-finished') return { ...next, timeline: timeline(state, `${event.result.test} ${event.result.success ? 'passed' : 'failed'}: ${event.result.summary}`) };
    return next;
  }
  if (view.kind === 'drills') return state;
  const event = effect.event;
  switch (event.type) {
    case 'processes':
      return { ...state, effect: { ...view, processes: event.processes } };
    case 'verdict':
      return { ...state, effect: { ...view, verdict: event.verdict } };
    case 'live-phase':
      return { ...state, effect: { ...view, phase: event.phase } };
    case 'fault':
      return {
        ...state,
        effect: { ...view, fault: event.title, faultPid: event.target?.kind === 'process' ? event.target.pid : view.faultPid },
        timeline: timeline(state, `${event.title}: ${event.state}`),
      };
    case 'detected':
      return { ...state, timeline: timeline(state, `detected after ${event.afterSeconds} s: ${event.metric} at ${event.sigma}σ`) };
    default: {
      const incident = incidentReducer(view.incident, event);
      const withTimeline = event.type === 'timeline' ? timeline(state, event.message, event.at) : state.timeline;
      return { ...state, effect: { ...view, incident }, timeline: withTimeline };
    }
  }
}
