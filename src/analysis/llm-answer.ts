import { z } from 'zod';
import type { AnalysisEvent, Evidence, Hypothesis, RecommendedAction, Scenario } from '../incidents/types.js';
import { summarizeIssues } from '../files/describe-issue.js';
import { confidenceFor } from './confidence.js';
import { IncrementalJsonParser, JsonSyntaxError, findJsonStart, type JsonPath } from './json-stream.js';

/**
 * The model's answer, read as it streams in: where its JSON starts, which hypotheses and actions
 * are complete, and whether they are valid. No I/O here: llm.ts feeds the text.
 */

export interface LlmAnswer {
  /** Valid hypotheses in the model's order, with computed confidence. */
  hypotheses: Hypothesis[];
  actions: RecommendedAction[];
}

/**
 * Reads the model's answer text as it arrives: finds the JSON object in it (after any prose or
 * ```json fence), and turns completed hypotheses and actions into events.
 */
export class AnswerReader implements LlmAnswer {
  readonly hypotheses: Hypothesis[] = [];
  readonly actions: RecommendedAction[] = [];
  private text = '';
  private parser: IncrementalJsonParser | undefined;
  private parserStart = -1;
  /** Where to look for the next "{" that may start the answer's JSON. */
  private searchFrom = 0;
  /** The answer's JSON broke after something was taken from it: the rest is ignored. */
  private syntaxError: string | undefined;
  /** Why the last candidate "{" was not the answer's JSON, reported if no later one is. */
  private rejectedStart: string | undefined;
  private sawObjectWithoutAnswer = false;
  private events: AnalysisEvent[] = [];
  /** Actions that arrive before any hypothesis wait for one: a fallback would otherwise mix them in. */
  private heldActions: RecommendedAction[] = [];
  /** How much of each description was already sent, by its position in the model's list. */
  private sentTextLength = new Map<number, number>();

  constructor(
    private readonly scenario: Scenario,
    private readonly signal: AbortSignal,
    private readonly notice: (level: 'warn', message: string) => AnalysisEvent,
  ) {}

  get length(): number {
    return this.text.length;
  }

  get isComplete(): boolean {
    return this.parser?.done ?? false;
  }

  feed(content: string): void {
    this.text += content;
    if (this.syntaxError !== undefined || this.parser?.done) return;
    if (this.parser) this.push(content);
    else this.tryToStart();
  }

  takeEvents(): AnalysisEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  /** The events completed so far; none once the user cancelled. */
  *drain(): Generator<AnalysisEvent> {
    for (const event of this.takeEvents()) {
      if (this.signal.aborted) return;
      yield event;
    }
  }

  /** Why the answer is not usable as it stands, once the stream is over. */
  incompleteReason(cutShort: string | undefined): { failure: string; message: string } | undefined {
    const kept = plural(this.hypotheses.length, 'complete hypothesis', 'complete hypotheses');
    if (this.syntaxError !== undefined) {
      return {
        failure: 'answer did not parse',
        message: `the LLM's answer is not valid JSON (${this.syntaxError})${this.hypotheses.length > 0 ? `; keeping the ${kept} before it` : ''}`,
      };
    }
    if (!this.parser && this.sawObjectWithoutAnswer) {
      return { failure: 'no valid hypothesis in the answer', message: `the LLM's answer has no "hypotheses" list` };
    }
    if (!this.parser) {
      const message = this.rejectedStart ? `the LLM's answer is not valid JSON (${this.rejectedStart})` : `the LLM's answer contains no JSON object`;
      return { failure: 'answer did not parse', message };
    }
    if (this.parser.done) return undefined;
    return {
      failure: 'stream ended early',
      message: `stream ended early (${cutShort ?? 'the answer stopped before its JSON was complete'}); keeping the ${kept} that arrived`,
    };
  }

  result(failure: string | undefined): LlmAnswer & { failure?: string } {
    return { hypotheses: this.hypotheses, actions: this.actions, ...(failure !== undefined ? { failure } : {}) };
  }

  private tryToStart(): void {
    const start = findJsonStart(this.text, this.searchFrom);
    if (start === -1) return;
    this.parserStart = start;
    this.parser = new IncrementalJsonParser({
      onString: (path, text) => this.onString(path, text),
      onValue: (path, value) => this.onValue(path, value),
    });
    this.push(this.text.slice(start));
  }

  private push(content: string): void {
    const nothingTakenYet = () => this.hypotheses.length === 0 && this.actions.length === 0 && this.heldActions.length === 0;
    try {
      this.parser?.push(content);
      if (this.parser?.done && nothingTakenYet()) {
        // A complete object with nothing of the answer in it (an example in a reasoning model's
        // thinking, say): the answer may still follow.
        this.searchFrom = this.parserStart + this.parser.position;
        this.parser = undefined;
        this.sawObjectWithoutAnswer = true;
        this.tryToStart();
      }
    } catch (error) {
      if (!(error instanceof JsonSyntaxError)) throw error;
      if (nothingTakenYet() && this.parser) {
        // The "{" may have been prose ("the {service} label"): look for one after the failure.
        this.rejectedStart = error.message;
        this.searchFrom = this.parserStart + this.parser.position;
        this.parser = undefined;
        this.tryToStart();
        return;
      }
      this.syntaxError = error.message;
    }
  }

  private onString(path: JsonPath, textSoFar: string): void {
    if (isItemField(path, 'hypotheses', 'description')) this.sendText(path[path.length - 2] as number, textSoFar);
  }

  /**
   * `hypothesis-text` carries the next piece (a delta), as the console appends them. Indexes are
   * positions in the model's list, so that a skipped hypothesis never mixes its text into the next.
   */
  private sendText(index: number, textSoFar: string): void {
    const sent = this.sentTextLength.get(index) ?? 0;
    if (textSoFar.length <= sent) return;
    this.sentTextLength.set(index, textSoFar.length);
    this.events.push({ type: 'hypothesis-text', index, text: withoutControlCharacters(textSoFar.slice(sent)) });
  }

  private onValue(path: JsonPath, value: unknown): void {
    // The description's last characters may close in the same chunk as the string.
    if (isItemField(path, 'hypotheses', 'description') && typeof value === 'string') this.sendText(path[path.length - 2] as number, value);
    if (isItem(path, 'hypotheses')) this.takeHypothesis(value, path[path.length - 1] as number);
    else if (ACTION_LISTS.some((name) => isItem(path, name))) this.takeAction(value, path[path.length - 1] as number);
  }

  private takeHypothesis(value: unknown, position: number): void {
    const parsed = hypothesisSchema.safeParse(value);
    if (!parsed.success) {
      this.events.push(this.notice('warn', `skipped hypothesis ${position + 1} from the LLM: ${summarizeIssues(parsed.error, value, 2)}`));
      return;
    }
    const { description, category, evidence, reasoning } = parsed.data;
    const hypothesis: Hypothesis = {
      description,
      category,
      confidence: confidenceFor({ category, evidence }, this.scenario),
      evidence,
      reasoning,
    };
    this.hypotheses.push(hypothesis);
    this.events.push({ type: 'hypothesis', index: position, hypothesis });
    for (const action of this.heldActions) this.emitAction(action);
    this.heldActions = [];
  }

  private takeAction(value: unknown, position: number): void {
    const parsed = actionSchema.safeParse(value);
    if (!parsed.success) {
      this.events.push(this.notice('warn', `skipped action ${position + 1} from the LLM: ${summarizeIssues(parsed.error, value, 2)}`));
      return;
    }
    if (this.hypotheses.length === 0) this.heldActions.push(parsed.data);
    else this.emitAction(parsed.data);
  }

  private emitAction(action: RecommendedAction): void {
    this.actions.push(action);
    this.events.push({ type: 'action', action });
  }
}

/** Models answer with `recommended_actions` (the incident API's own name) as often as with `actions`. */
const ACTION_LISTS = ['actions', 'recommended_actions'];

/** path ends in [name, index]: an item of the array `name`, at any depth (some models nest it). */
function isItem(path: JsonPath, name: string): boolean {
  return path.length >= 2 && path[path.length - 2] === name && typeof path[path.length - 1] === 'number';
}

function isItemField(path: JsonPath, name: string, field: string): boolean {
  return path.length >= 3 && path[path.length - 1] === field && isItem(path.slice(0, -1), name);
}

/**
 * The model's text ends up on a terminal: escape sequences in it ("\u001b[2J") must not reach it.
 * Newlines and tabs stay.
 */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function withoutControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, '');
}

const printable = z.string().transform(withoutControlCharacters);
const nonEmpty = printable.pipe(z.string().trim().min(1));

/** Models write "Memory Leak" or "memory-leak" for memory_leak. */
const categoryId = nonEmpty.transform((value) => value.toLowerCase().replace(/[\s-]+/g, '_'));

/** Accepts the original's evidence shape too ({signal_type, signal_name, ...}). */
const evidenceSchema = z
  .object({
    signal: nonEmpty.optional(),
    signal_name: nonEmpty.optional(),
    signal_type: nonEmpty.optional(),
    observation: nonEmpty,
    relevance: z.coerce.number().min(0).max(1),
  })
  .transform((item, context): Evidence => {
    const signal = item.signal ?? item.signal_name ?? item.signal_type;
    if (signal === undefined) {
      context.addIssue({ code: 'custom', message: 'an evidence item has no signal' });
      return z.NEVER;
    }
    return { signal, observation: item.observation, relevance: item.relevance };
  });

/** A `confidence` the model sends anyway is dropped here: confidence is computed, never taken. */
const hypothesisSchema = z.object({
  description: nonEmpty,
  category: categoryId,
  evidence: z.array(evidenceSchema).min(1),
  reasoning: printable.pipe(z.string().trim()).default(''),
});

const actionSchema = z
  .object({
    type: nonEmpty.optional(),
    action_type: nonEmpty.optional(),
    target: nonEmpty.optional(),
    target_service: nonEmpty.optional(),
    risk_level: z.string().trim().toLowerCase().pipe(z.enum(['low', 'medium', 'high'])),
    blast_radius: printable.pipe(z.string().trim()).default(''),
    rationale: printable.pipe(z.string().trim()).default(''),
    // An action the model did not mark stays behind an approval: the safe default.
    requires_approval: z.boolean().default(true),
  })
  .transform((item, context): RecommendedAction => {
    const type = item.type ?? item.action_type;
    if (type === undefined) {
      context.addIssue({ code: 'custom', message: 'the action has no type' });
      return z.NEVER;
    }
    return {
      type: type.toLowerCase().replace(/[\s-]+/g, '_'),
      target: item.target ?? item.target_service ?? '',
      riskLevel: item.risk_level,
      blastRadius: item.blast_radius,
      rationale: item.rationale,
      requiresApproval: item.requires_approval,
    };
  });


export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
