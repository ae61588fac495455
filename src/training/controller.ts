/**
 * What a scenario exercise and a live exercise share: the queue their inputs (answers, hints), their
 * engine's events and the outcome of keeping the attempt all arrive on, one run per controller, the
 * hints of the open stage, and the keeping of the finished attempt beside the debrief.
 */
import { EventQueue } from '../drills/runner.js';
import type { ExerciseController, KeepAttempt } from './exercise.js';
import type { ScoringRules } from './scoring.js';
import type { AttemptRecord, ExerciseEvent, ExerciseSheet, StageQuestion } from './types.js';

export type CommonItem =
  | { kind: 'answer'; candidateId: string }
  | { kind: 'hint' }
  | { kind: 'kept'; problem: string | undefined }
  | { kind: 'abort' };

export abstract class QueuedExercise<Own extends { kind: string }> implements ExerciseController {
  abstract readonly sheet: ExerciseSheet;
  protected readonly queue = new EventQueue<Own | CommonItem>();
  /** Hints taken at the open stage (reset when a stage opens). */
  protected hintsTaken = 0;
  private started = false;
  private keeping: Promise<string | undefined> | undefined;
  private keptSaid = false;

  answer(candidateId: string): void {
    this.queue.push({ kind: 'answer', candidateId });
  }

  hint(): void {
    this.queue.push({ kind: 'hint' });
  }

  abstract events(signal: AbortSignal): AsyncGenerator<ExerciseEvent, AttemptRecord | undefined>;

  /** Once per controller; the signal's abort arrives as an 'abort' item. Returns what undoes the listening. */
  protected begin(signal: AbortSignal): () => void {
    if (this.started) throw new Error('an exercise runs once: build a new one for another attempt');
    this.started = true;
    const onAbort = () => this.queue.push({ kind: 'abort' });
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  }

  /** The open stage's next hint, or a notice that none is left. */
  protected takeHint(question: StageQuestion, rules: ScoringRules): ExerciseEvent {
    const hints = this.sheet.hints[question.stage];
    if (this.hintsTaken >= hints.length) return { type: 'notice', level: 'info', message: `no more hints for ${question.stage.replace('_', ' ')}` };
    this.hintsTaken += 1;
    return { type: 'hint', stage: question.stage, text: hints[this.hintsTaken - 1]!, cost: rules.hintCost, hintsLeft: hints.length - this.hintsTaken, at: new Date().toISOString() };
  }

  /** Keeps the attempt (SQLite, then Neo4j when configured) beside the debrief: its outcome arrives as a 'kept' item. */
  protected keepBeside(keep: KeepAttempt | undefined, attempt: AttemptRecord): void {
    this.keeping = (keep ?? (async () => undefined))(attempt).catch(
      (error: unknown) => `could not keep the attempt: ${error instanceof Error ? error.message : String(error)}`,
    );
    void this.keeping.then((problem) => this.queue.push({ kind: 'kept', problem }));
  }

  /** Whether the outcome of keeping has been said (the run may end once it has). */
  protected get kept(): boolean {
    return this.keptSaid;
  }

  /** The 'kept' item as the trainee hears of it. */
  protected onKept(item: Extract<CommonItem, { kind: 'kept' }>): ExerciseEvent | undefined {
    this.keptSaid = true;
    return item.problem ? { type: 'notice', level: 'warn', message: `History: ${item.problem}` } : undefined;
  }

  /** At the end of a run: the outcome of keeping, when it has not been said yet. */
  protected async lastWordOnKeeping(): Promise<ExerciseEvent | undefined> {
    if (!this.keeping || this.keptSaid) return undefined;
    this.keptSaid = true;
    const problem = await this.keeping;
    return problem ? { type: 'notice', level: 'warn', message: `History: ${problem}` } : undefined;
  }
}
