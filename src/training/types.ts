/**
 * The training mode's contract: exercises built from scenarios (and live faults), the four stages a
 * trainee answers, the events an exercise yields to the console and the headless commands, and
 * the records kept of each attempt. Plain data only.
 */
import type { Difficulty, IncidentEvent, RiskLevel, ScenarioMetric, Severity } from '../incidents/types.js';

/** The stages of a diagnosis, in the order they are asked (AIOpsLab's four tasks). */
export const STAGES = ['detection', 'localisation', 'root_cause', 'mitigation'] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_TITLES: Record<Stage, string> = {
  detection: 'Detection',
  localisation: 'Localisation',
  root_cause: 'Root cause',
  mitigation: 'Mitigation',
};

export const STAGE_QUESTIONS: Record<Stage, string> = {
  detection: 'Which signal shows the problem first?',
  localisation: 'Which service or component is at fault?',
  root_cause: 'What is the root cause?',
  mitigation: 'What do you do first?',
};

/** The ladder's levels are the scenarios' difficulties. */
export type Level = Difficulty;

/** One answer a stage offers. `id` is what is recorded (a metric name, a component, a category, an action type). */
export interface Candidate {
  id: string;
  label: string;
  /** Shown beside the label: a metric's unit, an action's risk and blast radius. */
  detail?: string;
  /** Mitigation candidates only. */
  riskLevel?: RiskLevel;
  blastRadius?: string;
}

export interface StageQuestion {
  stage: Stage;
  question: string;
  /** In the order this attempt shows them (shuffled with the attempt's seed). */
  candidates: Candidate[];
  /** The ids of the right candidates; never shown before the debrief. */
  answers: string[];
  /** Why the answers are right, for the debrief (one line). */
  why: string;
}

/** An exercise as one attempt sees it: its questions in this attempt's order, its hints and its explanation. */
export interface ExerciseSheet {
  exerciseId: string;
  /** The scenario's name: shown only in the debrief (it gives the answer away). */
  title: string;
  kind: ExerciseKind;
  level: Level;
  service: string;
  severity: Severity;
  parSeconds: number;
  /** The seed of this attempt's order of candidates: the same seed gives the same order. */
  seed: number;
  questions: StageQuestion[];
  hints: Record<Stage, string[]>;
  /** The scenario's own explanation of what to look at. */
  debrief: string;
}

export type ExerciseKind = 'scenario' | 'live';

/** What the trainee (or an analyzer) answered at one stage. */
export interface StageAnswer {
  stage: Stage;
  /** null when the stage was left without an answer (an analyzer that did not say). */
  candidateId: string | null;
  label: string | null;
  correct: boolean;
  /** The chosen action's risk, for mitigation. */
  riskLevel?: RiskLevel;
  answeredAt: string;
  /** From the stage's opening to the answer. */
  elapsedMs: number;
  hintsUsed: number;
}

/** One line of the score: what earned or cost points. */
export interface ScorePart {
  label: string;
  points: number;
}

export interface AttemptScore {
  /** 0..100. */
  score: number;
  passed: boolean;
  parts: ScorePart[];
}

/** A finished attempt: what is kept in the history store. */
export interface AttemptRecord {
  id: string;
  trainee: string;
  exerciseId: string;
  exerciseTitle: string;
  kind: ExerciseKind;
  level: Level;
  machine: string;
  seed: number;
  startedAt: string;
  finishedAt: string;
  /** From the first stage's opening to the last answer. */
  durationMs: number;
  parSeconds: number;
  hintsUsed: number;
  score: number;
  passed: boolean;
  answers: StageAnswer[];
  parts: ScorePart[];
}

/** The debrief: the right answers beside the trainee's, and the scenario's explanation. */
export interface Debrief {
  title: string;
  stages: { stage: Stage; question: string; right: string[]; why: string; answer: StageAnswer }[];
  durationMs: number;
  parSeconds: number;
  explanation: string;
}

/** A row of a live exercise's process table. */
export interface LiveProcess {
  pid: number;
  name: string;
  /** null the first time a process is seen. */
  cpuPercent: number | null;
  rssBytes: number;
  state: string;
}

/** What an exercise yields while it runs. */
export type ExerciseEvent =
  | {
      type: 'exercise-started';
      attemptId: string;
      exerciseId: string;
      kind: ExerciseKind;
      trainee: string;
      level: Level;
      service: string;
      severity: Severity;
      parSeconds: number;
      /** Points a hint costs. */
      hintCost: number;
      seed: number;
      /** The scenario's context (recent deployments, dependencies...), as the trainee may read it. */
      context: Record<string, unknown>;
      /** The metrics to show (names, units, baselines); their values come with each tick. */
      metrics: ScenarioMetric[];
      startedAt: string;
    }
  /** The incident unfolding (metric ticks and the timeline; the analyzer's events only once the debrief starts). */
  | { type: 'incident'; event: IncidentEvent }
  | { type: 'stage-opened'; stage: Stage; index: number; question: string; candidates: Candidate[]; hintsLeft: number; at: string }
  | { type: 'hint'; stage: Stage; text: string; cost: number; hintsLeft: number; at: string }
  | { type: 'answer-recorded'; answer: StageAnswer }
  | { type: 'exercise-scored'; attempt: AttemptRecord; debrief: Debrief }
  /** Live exercises: the busiest processes of the latest reading, for the process table. */
  | { type: 'processes'; at: number; processes: LiveProcess[] }
  | { type: 'notice'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'exercise-finished'; status: 'completed' | 'stopped' | 'failed'; error?: string };
