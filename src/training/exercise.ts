/**
 * A scenario exercise: a controller over the incident simulation (src/incidents/simulation.ts)
 * with the analysis held back. The metrics unfold as in the incident screen; the trainee answers
 * the four stages in order (`answer`, `hint`), each timestamped; once the last is in, the attempt
 * is scored and kept, and the analyzer is let go: its hypotheses stream into the debrief with
 * their evidence. The console and tests drive it the same way:
 *
 *   const exercise = new ScenarioExercise({ scenario, sheet, trainee, analyzer, ... });
 *   for await (const event of exercise.events(signal)) ...   // exercise.answer(id) from the keys
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { runSimulation } from '../incidents/simulation.js';
import type { AnalysisEvent, AnalysisInput, Analyzer, IncidentEvent, Scenario } from '../incidents/types.js';
import { QueuedExercise } from './controller.js';
import { DEFAULT_RULES, scoreAttempt, type ScoringRules, type StageOutcome } from './scoring.js';
import type { AttemptRecord, Debrief, ExerciseEvent, ExerciseSheet, StageAnswer, StageQuestion } from './types.js';

export interface ExerciseController {
  readonly sheet: ExerciseSheet;
  /** Answers the stage that is open with one of its candidates' ids. */
  answer(candidateId: string): void;
  /** Asks for the open stage's next hint. */
  hint(): void;
  events(signal: AbortSignal): AsyncGenerator<ExerciseEvent, AttemptRecord | undefined>;
}

/** Keeps a finished attempt; resolves to a sentence for the trainee when it could not (never throws). */
export type KeepAttempt = (attempt: AttemptRecord) => Promise<string | undefined>;

export interface ScenarioExerciseOptions {
  scenario: Scenario;
  sheet: ExerciseSheet;
  trainee: string;
  /** Speaks in the debrief (built-in or LLM); held back until the last answer. */
  analyzer: Analyzer;
  knownRootCauses: string[];
  /** Scenario seconds per real second. */
  speed?: number;
  rules?: ScoringRules;
  keep?: KeepAttempt;
  machine?: string;
  /** The metrics' noise (seededRandom for a replayable run). */
  random?: () => number;
}

type Own = { kind: 'incident'; event: IncidentEvent } | { kind: 'incident-ended'; error?: string };

export class ScenarioExercise extends QueuedExercise<Own> {
  readonly sheet: ExerciseSheet;

  constructor(private readonly options: ScenarioExerciseOptions) {
    super();
    this.sheet = options.sheet;
  }

  async *events(signal: AbortSignal): AsyncGenerator<ExerciseEvent, AttemptRecord | undefined> {
    const stopListening = this.begin(signal);
    const { scenario, sheet, trainee } = this.options;
    const rules = this.options.rules ?? DEFAULT_RULES;
    const analyzer = new HeldAnalyzer(this.options.analyzer);
    const simulation = this.pump(analyzer, signal);
    const attemptId = `att_${randomBytes(6).toString('hex')}`;
    const startedAt = new Date();
    const answers: StageAnswer[] = [];
    let stageIndex = 0;
    let stageOpenedAt = Date.now();
    let attempt: AttemptRecord | undefined;
    let incidentEnded = false;

    const openStage = (question: StageQuestion): ExerciseEvent => {
      stageOpenedAt = Date.now();
      this.hintsTaken = 0;
      return {
        type: 'stage-opened',
        stage: question.stage,
        index: stageIndex,
        question: question.question,
        candidates: question.candidates,
        hintsLeft: sheet.hints[question.stage].length,
        at: new Date(stageOpenedAt).toISOString(),
      };
    };

    try {
      yield {
        type: 'exercise-started',
        attemptId,
        exerciseId: sheet.exerciseId,
        kind: sheet.kind,
        trainee,
        level: sheet.level,
        service: sheet.service,
        severity: sheet.severity,
        parSeconds: sheet.parSeconds,
        hintCost: rules.hintCost,
        seed: sheet.seed,
        context: scenario.context,
        metrics: scenario.metrics,
        startedAt: startedAt.toISOString(),
      };
      const firstStageAt = Date.now();
      yield openStage(sheet.questions[0]!);

      for await (const item of this.queue) {
        if (item.kind === 'abort') break;
        if (item.kind === 'incident-ended') {
          incidentEnded = true;
          if (item.error !== undefined) {
            yield { type: 'exercise-finished', status: 'failed', error: item.error };
            return attempt;
          }
          if (attempt && this.kept) break;
          continue;
        }
        if (item.kind === 'kept') {
          const said = this.onKept(item);
          if (said) yield said;
          if (incidentEnded) break;
          continue;
        }
        if (item.kind === 'incident') {
          const shown = attempt ? item.event : whileAnswering(item.event, sheet.severity);
          if (shown) yield { type: 'incident', event: shown };
          continue;
        }
        const question = sheet.questions[stageIndex];
        if (attempt || !question) {
          yield { type: 'notice', level: 'info', message: 'every stage is answered: the debrief is on its way' };
          continue;
        }
        if (item.kind === 'hint') {
          yield this.takeHint(question, rules);
          continue;
        }
        const candidate = question.candidates.find((entry) => entry.id === item.candidateId);
        if (!candidate) {
          yield { type: 'notice', level: 'warn', message: `"${item.candidateId}" is not an answer to ${question.stage.replace('_', ' ')}` };
          continue;
        }
        const answer: StageAnswer = {
          stage: question.stage,
          candidateId: candidate.id,
          label: candidate.label,
          correct: question.answers.includes(candidate.id),
          ...(candidate.riskLevel ? { riskLevel: candidate.riskLevel } : {}),
          answeredAt: new Date().toISOString(),
          elapsedMs: Date.now() - stageOpenedAt,
          hintsUsed: this.hintsTaken,
        };
        answers.push(answer);
        yield { type: 'answer-recorded', answer };
        stageIndex += 1;
        const next = sheet.questions[stageIndex];
        if (next) {
          yield openStage(next);
          continue;
        }
        attempt = finishAttempt({
          id: attemptId,
          sheet,
          trainee,
          machine: this.options.machine ?? os.hostname(),
          startedAt,
          durationMs: Date.now() - firstStageAt,
          answers,
          rules,
        });
        yield { type: 'exercise-scored', attempt, debrief: debriefOf(sheet, attempt) };
        analyzer.release();
        this.keepBeside(this.options.keep, attempt);
      }
      const lastWord = await this.lastWordOnKeeping();
      if (lastWord) yield lastWord;
      yield { type: 'exercise-finished', status: signal.aborted ? 'stopped' : 'completed' };
      return attempt;
    } finally {
      stopListening();
      this.queue.close();
      await simulation;
    }
  }

  /** Feeds the simulation's events into the queue, and says when it ends. */
  private async pump(analyzer: Analyzer, signal: AbortSignal): Promise<void> {
    try {
      for await (const event of runSimulation({
        scenario: this.options.scenario,
        analyzer,
        knownRootCauses: this.options.knownRootCauses,
        ...(this.options.speed === undefined ? {} : { speed: this.options.speed }),
        ...(this.options.random === undefined ? {} : { random: this.options.random }),
        signal,
      })) {
        this.queue.push({ kind: 'incident', event });
      }
      this.queue.push({ kind: 'incident-ended' });
    } catch (error) {
      this.queue.push({ kind: 'incident-ended', error: error instanceof Error ? error.message : String(error) });
    }
  }
}

/**
 * What the trainee may see of the incident while answering: the metrics and a timeline that says
 * when the incident opened, never which metric tripped it, the scenario's name or the analysis.
 * An allow-list, so that a new line in the simulation cannot give an answer away.
 */
export function whileAnswering(event: IncidentEvent, severity: string): IncidentEvent | undefined {
  if (event.type === 'metrics') return event;
  if (event.type !== 'timeline') return undefined;
  const anomaly = /^anomaly detected after (\d+) s\b/.exec(event.message);
  if (anomaly) return { ...event, message: `alert: anomaly detected after ${anomaly[1]} s` };
  if (event.message.startsWith('incident opened')) return { ...event, message: `incident opened (${severity})` };
  if (event.message.startsWith('simulation started')) return event;
  return undefined;
}

interface FinishInput {
  id: string;
  sheet: ExerciseSheet;
  trainee: string;
  machine: string;
  startedAt: Date;
  durationMs: number;
  answers: StageAnswer[];
  rules: ScoringRules;
}

/** Scores the answers with the rules and makes the record that is kept. */
export function finishAttempt({ id, sheet, trainee, machine, startedAt, durationMs, answers, rules }: FinishInput): AttemptRecord {
  const outcomes = answers.map((answer) => stageOutcome(answer, sheet.questions.find((question) => question.stage === answer.stage)!));
  const { score, passed, parts } = scoreAttempt(outcomes, { durationMs, parSeconds: sheet.parSeconds }, rules);
  return {
    id,
    trainee,
    exerciseId: sheet.exerciseId,
    exerciseTitle: sheet.title,
    kind: sheet.kind,
    level: sheet.level,
    machine,
    seed: sheet.seed,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs,
    parSeconds: sheet.parSeconds,
    hintsUsed: answers.reduce((sum, answer) => sum + answer.hintsUsed, 0),
    score,
    passed,
    answers,
    parts,
  };
}

const RISK_ORDER = { low: 0, medium: 1, high: 2 } as const;

/** The answer as the scoring rules see it, with the mitigation's risk weighed against the safer right answers on offer. */
export function stageOutcome(answer: StageAnswer, question: StageQuestion): StageOutcome {
  const outcome: StageOutcome = { stage: answer.stage, correct: answer.correct, hintsUsed: answer.hintsUsed };
  if (answer.riskLevel !== 'high') return outcome;
  if (!answer.correct) return { ...outcome, harmful: true };
  const saferRight = question.candidates.some(
    (candidate) => question.answers.includes(candidate.id) && candidate.riskLevel !== undefined && RISK_ORDER[candidate.riskLevel] < RISK_ORDER.high,
  );
  return saferRight ? { ...outcome, riskier: true } : outcome;
}

export function debriefOf(sheet: ExerciseSheet, attempt: AttemptRecord): Debrief {
  return {
    title: sheet.title,
    stages: sheet.questions.map((question) => ({
      stage: question.stage,
      question: question.question,
      right: question.candidates.filter((candidate) => question.answers.includes(candidate.id)).map((candidate) => candidate.label),
      why: question.why,
      answer: attempt.answers.find((answer) => answer.stage === question.stage)!,
    })),
    durationMs: attempt.durationMs,
    parSeconds: attempt.parSeconds,
    explanation: sheet.debrief,
  };
}

/** The real analyzer, silent until `release()`: the analysis is hidden while the trainee answers. */
export class HeldAnalyzer implements Analyzer {
  private releaseNow: () => void = () => {};
  private readonly released = new Promise<void>((resolve) => {
    this.releaseNow = resolve;
  });

  constructor(private readonly inner: Analyzer) {}

  get source(): string {
    return this.inner.source;
  }

  release(): void {
    this.releaseNow();
  }

  async *analyze(input: AnalysisInput, signal: AbortSignal): AsyncGenerator<AnalysisEvent> {
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
      void this.released.then(resolve);
    });
    if (signal.aborted) return;
    yield* this.inner.analyze(input, signal);
  }
}
