/**
 * The contract between scenarios, metric injection, the analyzers (built-in and LLM), the incident
 * API (server and client) and the console. Plain data only.
 */
import type { ScenarioTrainingNotes } from '../training/scenario-notes.js';

export const DIFFICULTIES = ['beginner', 'intermediate', 'advanced'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const PATTERNS = ['constant', 'linear', 'spike', 'oscillating', 'step'] as const;
export type MetricPattern = (typeof PATTERNS)[number];

export interface ScenarioMetric {
  name: string;
  value: number;
  baseline: number;
  deviationSigma: number;
  pattern: MetricPattern;
  unit: string;
}

export interface Scenario {
  id: string;
  name: string;
  description: string;
  service: string;
  severity: Severity;
  difficulty: Difficulty;
  tags: string[];
  durationSeconds: number;
  metrics: ScenarioMetric[];
  /** Recent deployments, dependencies, recent alerts, environment... as in the scenario file. */
  context: Record<string, unknown>;
  expectedRootCause: string;
  expectedActionTypes: string[];
  /** Debrief, hints and answer overrides for the training mode, when the file has them. */
  training?: ScenarioTrainingNotes;
  /** The file it was loaded from. */
  file?: string;
}

export interface Evidence {
  signal: string;
  observation: string;
  /** 0..1 */
  relevance: number;
}

export interface Hypothesis {
  description: string;
  /** A root-cause id of the scenarios (memory_leak, traffic_surge, ...) where one fits. */
  category: string;
  /** Computed from the evidence (never asked of the model), 0.01..0.99. */
  confidence: number;
  evidence: Evidence[];
  reasoning: string;
}

export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface RecommendedAction {
  /** restart_pod, scale_up, rollback_deployment, ... or a scenario's expected action type. */
  type: string;
  target: string;
  riskLevel: RiskLevel;
  blastRadius: string;
  rationale: string;
  requiresApproval: boolean;
}

/** "built-in", or the LLM model's name ("llama3.1:8b via http://127.0.0.1:11434/v1"). */
export type AnalysisSource = string;

/** What an analyzer yields while it works. */
export type AnalysisEvent =
  /** A piece of the text of hypothesis `index`, streamed before it is complete: append it to the pieces before. */
  | { type: 'hypothesis-text'; index: number; text: string }
  | { type: 'hypothesis'; index: number; hypothesis: Hypothesis }
  | { type: 'action'; action: RecommendedAction }
  /**
   * The analyzer is waiting (an LLM that has not answered yet), said about once a second with how
   * long so far: "waiting for the LLM at http://host/v1 to answer: 7 s (gives up after 20 s of silence)".
   * Shown until the next analysis event.
   */
  | { type: 'analysis-waiting'; message: string; waitedSeconds: number }
  /** A line the user must see: an LLM that is down, a 429 retry, a fallback to the built-in analyzer. */
  | { type: 'notice'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'source'; source: AnalysisSource }
  | { type: 'analysis-finished'; source: AnalysisSource; hypotheses: Hypothesis[]; actions: RecommendedAction[] };

export interface AnalysisInput {
  scenario: Scenario;
  /** Every root-cause id the shipped scenarios use, so that a model can pick among them. */
  knownRootCauses: string[];
}

export interface Analyzer {
  readonly source: AnalysisSource;
  analyze(input: AnalysisInput, signal: AbortSignal): AsyncIterable<AnalysisEvent>;
}

export interface MetricPoint {
  name: string;
  value: number;
  baseline: number;
  unit: string;
  /** Distance from the baseline in its standard deviations, where the source knows the spread (live incidents). */
  deviationSigma?: number;
}

/** What a running simulation yields, in-process or streamed by the incident API (server-sent events). */
export type IncidentEvent =
  | {
      type: 'incident-opened';
      simulationId: string;
      incidentId: string;
      scenarioId: string;
      severity: Severity;
      startedAt: string;
    }
  /** One tick of metric injection: every metric's current value. `elapsedSeconds` is scenario time. */
  | { type: 'metrics'; elapsedSeconds: number; points: MetricPoint[] }
  | { type: 'timeline'; at: string; message: string }
  | AnalysisEvent
  | { type: 'incident-finished'; status: 'completed' | 'stopped' | 'failed'; completedAt: string; error?: string };

/** The `--json` answer of `firedrill incident ID`. */
export interface IncidentReport {
  scenario: string;
  source: AnalysisSource;
  severity: Severity;
  hypotheses: Hypothesis[];
  actions: RecommendedAction[];
}
