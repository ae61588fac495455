/**
 * The exercise screen's state: the incident as it unfolds (folded by the incident screen's own
 * reducer), the open stage with its candidates, the hints taken, the answers, and once the last
 * answer is in, the score and the debrief while the analyzer's hypotheses stream. Pure; tested
 * without Ink (test/training/exercise-state.test.ts).
 */
import type { AttemptRecord, Candidate, Debrief, ExerciseEvent, ExerciseKind, LiveProcess, Stage, StageAnswer } from '../../training/types.js';
import type { EngineSignal } from '../hooks/use-engine.js';
import { incidentReducer, initialIncidentState, type IncidentState } from '../incident/incident-state.js';

export type ExercisePhase = 'starting' | 'answering' | 'debrief' | 'finished' | 'stopped' | 'failed';

export interface OpenStage {
  stage: Stage;
  index: number;
  question: string;
  candidates: Candidate[];
  hintsLeft: number;
}

export interface ExerciseView {
  phase: ExercisePhase;
  exerciseId: string | undefined;
  kind: ExerciseKind;
  /** Live exercises: the process table of the latest reading. */
  processes: LiveProcess[];
  service: string;
  severity: string;
  level: string;
  parSeconds: number;
  hintCost: number;
  context: Record<string, unknown>;
  incident: IncidentState;
  stage: OpenStage | undefined;
  /** Hints of the open stage, in the order taken. */
  hints: { text: string; cost: number }[];
  answers: StageAnswer[];
  startedAtMs: number | undefined;
  attempt: AttemptRecord | undefined;
  debrief: Debrief | undefined;
  /** Training's own lines for the timeline (answers, hints), merged with the incident's by time. */
  marks: { at: string; message: string }[];
  error: string | undefined;
}

export function initialExerciseView(): ExerciseView {
  return {
    phase: 'starting',
    exerciseId: undefined,
    kind: 'scenario',
    processes: [],
    service: '',
    severity: 'low',
    level: '',
    parSeconds: 0,
    hintCost: 0,
    context: {},
    incident: initialIncidentState({ severity: 'low', metrics: [] }),
    stage: undefined,
    hints: [],
    answers: [],
    startedAtMs: undefined,
    attempt: undefined,
    debrief: undefined,
    marks: [],
    error: undefined,
  };
}

export function exerciseReducer(state: ExerciseView, event: ExerciseEvent | EngineSignal): ExerciseView {
  switch (event.type) {
    case 'exercise-started':
      return {
        ...state,
        phase: 'answering',
        exerciseId: event.exerciseId,
        kind: event.kind,
        service: event.service,
        severity: event.severity,
        level: event.level,
        parSeconds: event.parSeconds,
        hintCost: event.hintCost,
        context: event.context,
        incident: initialIncidentState({ severity: event.severity, metrics: event.metrics }),
        startedAtMs: Date.parse(event.startedAt),
      };
    case 'incident':
      return { ...state, incident: incidentReducer(state.incident, event.event) };
    case 'stage-opened':
      return {
        ...state,
        stage: { stage: event.stage, index: event.index, question: event.question, candidates: event.candidates, hintsLeft: event.hintsLeft },
        hints: [],
      };
    case 'hint':
      return {
        ...state,
        stage: state.stage ? { ...state.stage, hintsLeft: event.hintsLeft } : state.stage,
        hints: [...state.hints, { text: event.text, cost: event.cost }],
        marks: [...state.marks, { at: event.at, message: `hint taken (-${event.cost})` }],
      };
    case 'answer-recorded':
      return {
        ...state,
        answers: [...state.answers, event.answer],
        stage: undefined,
        marks: [...state.marks, { at: event.answer.answeredAt, message: `${event.answer.stage.replace('_', ' ')} answered: ${event.answer.label ?? '-'}` }],
      };
    case 'exercise-scored':
      return { ...state, phase: 'debrief', attempt: event.attempt, debrief: event.debrief, stage: undefined };
    case 'processes':
      return { ...state, processes: event.processes };
    case 'notice':
      return { ...state, incident: incidentReducer(state.incident, event) };
    case 'exercise-finished':
      if (event.status === 'failed') return { ...state, phase: 'failed', error: event.error };
      return { ...state, phase: event.status === 'stopped' && !state.attempt ? 'stopped' : 'finished' };
    case 'engine-failed':
      return { ...state, phase: 'failed', error: event.message };
    case 'engine-stopped':
      return state.attempt ? state : { ...state, phase: 'stopped' };
    case 'engine-ended':
      return state.phase === 'answering' || state.phase === 'starting' ? { ...state, phase: 'stopped' } : state.phase === 'debrief' ? { ...state, phase: 'finished' } : state;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

/** The incident's timeline and the exercise's marks, by time. */
export function exerciseTimeline(state: ExerciseView): { at: string; message: string }[] {
  return [...state.incident.timeline, ...state.marks].sort((a, b) => a.at.localeCompare(b.at)).slice(-50);
}
