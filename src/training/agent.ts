/**
 * The ladder scores an analyzer as it scores a trainee (`firedrill train --agent`): the configured
 * analyzer (built-in or an LLM) analyses each scenario exercise, and its analysis is read as the
 * answers to the four stages:
 *  - detection: the metric among the candidates that its hypotheses cite first, most relevant
 *    evidence first;
 *  - localisation: the candidate component its first action targets, else the one its leading
 *    hypothesis names (the longest name that fits: "payment-service database" over
 *    "payment-service"), else the incident's service (an analysis that names nothing else blames it);
 *  - root cause: the leading hypothesis's category;
 *  - mitigation: its first action whose type is on offer.
 * Each answer's time is when the analysis committed to it (the first complete hypothesis, the
 * first action). The sheets use a seed fixed per exercise, so that two models answer the very
 * same questions. An LLM that fails is not replaced by the built-in analyzer here: its stages
 * count as unanswered, and the notice says why.
 */
import { createHash } from 'node:crypto';
import type { AnalysisEvent, Analyzer, Hypothesis, RecommendedAction, Scenario } from '../incidents/types.js';
import { finishAttempt } from './exercise.js';
import { stageFigure, weakestStage, type StageFigure } from './report.js';
import type { ScoringRules } from './scoring.js';
import { buildSheet, type SheetOptions } from './sheet.js';
import { STAGES, type AttemptRecord, type ExerciseSheet, type Stage, type StageAnswer, type StageQuestion } from './types.js';

export interface AgentExerciseResult {
  exerciseId: string;
  title: string;
  level: string;
  score: number;
  passed: boolean;
  durationMs: number;
  answers: StageAnswer[];
  /** The right answers, beside what the analyzer said. */
  right: Record<Stage, string[]>;
  notices: string[];
}

export interface AgentScorecard {
  source: string;
  passScore: number;
  meanScore: number;
  passed: number;
  exercises: AgentExerciseResult[];
  stages: StageFigure[];
  weakestStage: Stage | null;
}

/** The seed of an exercise's sheet in agent mode: fixed, so that every model sees the same order. */
export function agentSeed(exerciseId: string): number {
  return createHash('sha256').update(exerciseId).digest().readUInt32BE(0) & 0x7fffffff;
}

export interface AgentOptions {
  scenarios: readonly Scenario[];
  analyzer: Analyzer;
  sheetOptions: Omit<SheetOptions, 'seed'>;
  rules: ScoringRules;
  signal: AbortSignal;
  /** Called after each exercise, for progress lines. */
  onExercise?(result: AgentExerciseResult): void;
}

export async function runAgent(options: AgentOptions): Promise<AgentScorecard> {
  const results: AgentExerciseResult[] = [];
  for (const scenario of options.scenarios) {
    if (options.signal.aborted) break;
    const sheet = buildSheet(scenario, { ...options.sheetOptions, seed: agentSeed(scenario.id) });
    const result = await answerExercise(scenario, sheet, options);
    results.push(result);
    options.onExercise?.(result);
  }
  const stages = STAGES.map((stage) => {
    const answers = results.flatMap((result) => result.answers.filter((answer) => answer.stage === stage));
    return stageFigure({
      stage,
      asked: answers.length,
      right: answers.filter((answer) => answer.correct).length,
      meanMs: answers.length > 0 ? answers.reduce((sum, answer) => sum + answer.elapsedMs, 0) / answers.length : null,
    });
  });
  return {
    source: options.analyzer.source,
    passScore: options.rules.passScore,
    meanScore: results.length > 0 ? Math.round((results.reduce((sum, result) => sum + result.score, 0) / results.length) * 10) / 10 : 0,
    passed: results.filter((result) => result.passed).length,
    exercises: results,
    stages,
    weakestStage: weakestStage(stages),
  };
}

async function answerExercise(scenario: Scenario, sheet: ExerciseSheet, options: AgentOptions): Promise<AgentExerciseResult> {
  const started = Date.now();
  const startedAt = new Date(started);
  const notices: string[] = [];
  const hypotheses: Hypothesis[] = [];
  const actions: RecommendedAction[] = [];
  let hypothesisAt: number | undefined;
  let actionAt: number | undefined;
  let finished: Extract<AnalysisEvent, { type: 'analysis-finished' }> | undefined;
  try {
    const knownRootCauses = [...options.sheetOptions.knownRootCauses];
    for await (const event of options.analyzer.analyze({ scenario, knownRootCauses }, options.signal)) {
      if (event.type === 'hypothesis') {
        hypotheses.push(event.hypothesis);
        hypothesisAt ??= Date.now();
      } else if (event.type === 'action') {
        actions.push(event.action);
        actionAt ??= Date.now();
      } else if (event.type === 'notice') {
        notices.push(event.message);
      } else if (event.type === 'analysis-finished') {
        finished = event;
      }
    }
  } catch (error) {
    notices.push(`the analyzer failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const endedAt = Date.now();
  const ranked = [...(finished?.hypotheses ?? hypotheses)].sort((a, b) => b.confidence - a.confidence);
  const chosen = answersFromAnalysis(sheet, ranked, finished?.actions ?? actions);
  const answers: StageAnswer[] = sheet.questions.map((question) => {
    const candidateId = chosen[question.stage];
    const candidate = question.candidates.find((entry) => entry.id === candidateId);
    const at = question.stage === 'mitigation' ? (actionAt ?? endedAt) : (hypothesisAt ?? endedAt);
    return {
      stage: question.stage,
      candidateId: candidate?.id ?? null,
      label: candidate?.label ?? null,
      correct: candidate !== undefined && question.answers.includes(candidate.id),
      ...(candidate?.riskLevel ? { riskLevel: candidate.riskLevel } : {}),
      answeredAt: new Date(at).toISOString(),
      elapsedMs: at - started,
      hintsUsed: 0,
    };
  });
  const attempt: AttemptRecord = finishAttempt({
    id: `agent_${sheet.exerciseId}`,
    sheet,
    trainee: options.analyzer.source,
    machine: '',
    startedAt,
    durationMs: endedAt - started,
    answers,
    rules: options.rules,
  });
  return {
    exerciseId: sheet.exerciseId,
    title: sheet.title,
    level: sheet.level,
    score: attempt.score,
    passed: attempt.passed,
    durationMs: attempt.durationMs,
    answers,
    right: Object.fromEntries(sheet.questions.map((question) => [question.stage, rightLabels(question)])) as Record<Stage, string[]>,
    notices,
  };
}

function rightLabels(question: StageQuestion): string[] {
  return question.candidates.filter((candidate) => question.answers.includes(candidate.id)).map((candidate) => candidate.label);
}

/** The candidate ids an analysis amounts to, per stage (undefined: it did not say). */
export function answersFromAnalysis(
  sheet: ExerciseSheet,
  hypotheses: readonly Hypothesis[],
  actions: readonly RecommendedAction[],
): Partial<Record<Stage, string>> {
  const question = (stage: Stage) => sheet.questions.find((entry) => entry.stage === stage);
  const chosen: Partial<Record<Stage, string>> = {};
  const detection = question('detection');
  if (detection) {
    const evidence = hypotheses.flatMap((hypothesis) => [...hypothesis.evidence].sort((a, b) => b.relevance - a.relevance));
    for (const item of evidence) {
      const named = longestNamed(detection.candidates.map((candidate) => candidate.id), item.signal);
      if (named) {
        chosen.detection = named;
        break;
      }
    }
  }
  const localisation = question('localisation');
  const top = hypotheses[0];
  if (localisation) {
    const ids = localisation.candidates.map((candidate) => candidate.id);
    const fromAction = actions[0] ? longestNamed(ids, actions[0].target) : undefined;
    const fromHypothesis = top ? longestNamed(ids, `${top.description} ${top.reasoning}`) : undefined;
    chosen.localisation = fromAction ?? fromHypothesis ?? (ids.includes(sheet.service) ? sheet.service : undefined);
  }
  if (question('root_cause') && top) chosen.root_cause = top.category;
  const mitigation = question('mitigation');
  if (mitigation) {
    const offered = new Set(mitigation.candidates.map((candidate) => candidate.id));
    chosen.mitigation = actions.find((action) => offered.has(action.type))?.type;
  }
  return chosen;
}

/** The longest of `names` that `text` mentions (case-insensitive), if any. */
function longestNamed(names: readonly string[], text: string): string | undefined {
  const lower = text.toLowerCase();
  return names.filter((name) => lower.includes(name.toLowerCase())).sort((a, b) => b.length - a.length)[0];
}
