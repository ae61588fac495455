import { UsageError } from '../errors.js';
import type { FiredrillConfig } from '../config/config.js';
import { normalizeBaseUrl, parseHttpUrl, sameOrigin } from '../http/url.js';
import { byConfidence } from '../incidents/rank.js';
import type { AnalysisEvent, AnalysisInput, Analyzer } from '../incidents/types.js';
import { BuiltinAnalyzer } from './builtin.js';
import { LlmAnalyzer, partialSource, type LlmAnalyzerOptions } from './llm.js';

/**
 * Which analyzer the console and the headless commands use: the LLM when one is configured, with
 * the built-in analyzer behind it, so that the user always gets hypotheses.
 */

export interface LlmSettings {
  url: string;
  model: string;
  apiKey?: string;
  /** The whole answer. */
  timeoutMs: number;
  /** The first byte, and any silence after it; at most timeoutMs (default: the LLM analyzer's). */
  firstByteTimeoutMs?: number;
}

/** The longest --llm-timeout: an hour, like every duration firedrill takes. */
const MAX_LLM_TIMEOUT_SECONDS = 3600;

const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';

/**
 * Flags > FIREDRILL_LLM_URL / _MODEL / _API_KEY > OPENAI_BASE_URL / OPENAI_MODEL / OPENAI_API_KEY
 * > the config file's `llm` section. null when no URL is configured anywhere: the LLM is never
 * asked unless the user said where it is (a stray OPENAI_API_KEY alone does not send incident data
 * anywhere).
 *
 * A key goes only where it was meant to: OPENAI_API_KEY to the URL from OPENAI_BASE_URL or to
 * api.openai.com, the config's api_key to the config's URL; FIREDRILL_LLM_API_KEY to whatever URL
 * firedrill uses.
 */
export function resolveLlmSettings(
  flags: { llmUrl?: string; llmModel?: string; llmTimeout?: string },
  env: NodeJS.ProcessEnv,
  config: FiredrillConfig['llm'],
): LlmSettings | null {
  const candidates: Array<{ from: string; url: string | undefined; origin: 'flag' | 'firedrill-env' | 'openai-env' | 'config' }> = [
    { from: '--llm-url', url: flags.llmUrl, origin: 'flag' },
    { from: 'FIREDRILL_LLM_URL', url: env.FIREDRILL_LLM_URL, origin: 'firedrill-env' },
    { from: 'OPENAI_BASE_URL', url: env.OPENAI_BASE_URL, origin: 'openai-env' },
    { from: 'llm.url in the config file', url: config.url, origin: 'config' },
  ];
  const chosen = candidates.find((candidate) => candidate.url !== undefined && candidate.url.trim() !== '');
  if (!chosen) {
    if (nonEmpty(flags.llmModel) !== undefined) {
      throw new UsageError('--llm-model needs an LLM to ask: give --llm-url (or set FIREDRILL_LLM_URL, or llm.url in the config file)');
    }
    return null;
  }
  const url = baseUrl(chosen.url as string, chosen.from);
  const host = new URL(url).host;
  const speaksToOpenAi = chosen.origin === 'openai-env' || host === 'api.openai.com';
  // The config's model and key belong to the config's URL (or to any URL when it names none).
  const configApplies = config.url === undefined || sameOrigin(url, config.url);

  const model =
    nonEmpty(flags.llmModel) ??
    nonEmpty(env.FIREDRILL_LLM_MODEL) ??
    (speaksToOpenAi ? nonEmpty(env.OPENAI_MODEL) : undefined) ??
    (configApplies ? config.model : undefined) ??
    nonEmpty(env.OPENAI_MODEL) ??
    DEFAULT_OPENAI_MODEL;

  const apiKey =
    nonEmpty(env.FIREDRILL_LLM_API_KEY) ??
    (speaksToOpenAi ? nonEmpty(env.OPENAI_API_KEY) : undefined) ??
    (configApplies ? config.api_key : undefined);

  const timeoutSeconds = timeoutFrom('--llm-timeout', flags.llmTimeout) ?? timeoutFrom('FIREDRILL_LLM_TIMEOUT', nonEmpty(env.FIREDRILL_LLM_TIMEOUT)) ?? config.timeout_seconds;
  return {
    url,
    model,
    ...(apiKey !== undefined ? { apiKey } : {}),
    timeoutMs: timeoutSeconds * 1000,
    firstByteTimeoutMs: Math.min(config.first_byte_timeout_seconds, timeoutSeconds) * 1000,
  };
}

/** Seconds from a flag or variable: a positive number up to an hour, or a UsageError naming it. */
function timeoutFrom(source: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || value > MAX_LLM_TIMEOUT_SECONDS) {
    throw new UsageError(`${source}: expected seconds, a number above 0 and at most ${MAX_LLM_TIMEOUT_SECONDS}, found "${raw.slice(0, 40)}"`);
  }
  return value;
}

export interface SelectOptions {
  /** Passed on to the LlmAnalyzer (retries, backoff, an undici dispatcher). */
  llm?: Partial<Omit<LlmAnalyzerOptions, 'url' | 'model' | 'apiKey' | 'timeoutMs' | 'firstByteTimeoutMs'>>;
  /** What runs when the LLM fails (default: the built-in analyzer). */
  fallback?: Analyzer;
}

/** The built-in analyzer without settings; otherwise the LLM, falling back to the built-in one. */
export function selectAnalyzer(settings: LlmSettings | null, options: SelectOptions = {}): Analyzer {
  const fallback = options.fallback ?? new BuiltinAnalyzer();
  if (settings === null) return fallback;
  return new LlmWithFallbackAnalyzer(new LlmAnalyzer({ ...options.llm, ...settings }), fallback);
}

/**
 * Runs the LLM; when it produced no usable hypothesis (down, timed out, rate limited, an answer
 * that does not parse), says why and runs the fallback, labelled "built-in (fallback: <reason>)".
 * Hypotheses the LLM completed before a failure are kept and the fallback is not run.
 */
export class LlmWithFallbackAnalyzer implements Analyzer {
  readonly source: string;

  constructor(
    private readonly llm: LlmAnalyzer,
    private readonly fallback: Analyzer,
  ) {
    this.source = llm.source;
  }

  async *analyze(input: AnalysisInput, signal: AbortSignal): AsyncGenerator<AnalysisEvent> {
    yield { type: 'source', source: this.llm.source };
    // Positions the LLM wrote text under: the fallback's hypotheses go after them, so that a
    // console appending streamed pieces by index never mixes the two.
    let positionsUsed = 0;
    const llmEvents = this.llm.run(input, signal);
    let step = await llmEvents.next();
    try {
      for (; !step.done; step = await llmEvents.next()) {
        const event = step.value;
        if (event.type === 'hypothesis-text' || event.type === 'hypothesis') positionsUsed = Math.max(positionsUsed, event.index + 1);
        yield event;
      }
    } finally {
      // A consumer that stops early ends the LLM request too (its stream is closed in run's finally).
      if (!step.done) await llmEvents.return({ hypotheses: [], actions: [] });
    }
    const result = step.value;
    if (signal.aborted) return;
    if (result.failure === undefined) {
      yield {
        type: 'analysis-finished',
        source: partialSource(this.llm.source, result.partial),
        hypotheses: byConfidence(result.hypotheses),
        actions: result.actions,
      };
      return;
    }
    const label = `${this.fallback.source} (fallback: ${result.failure})`;
    yield { type: 'notice', level: 'warn', message: `using the ${this.fallback.source} analyzer instead of the LLM (${result.failure})` };
    yield { type: 'source', source: label };
    for await (const event of this.fallback.analyze(input, signal)) {
      if (event.type === 'source') continue;
      if (event.type === 'analysis-finished') yield { ...event, source: label };
      else if (event.type === 'hypothesis-text' || event.type === 'hypothesis') yield { ...event, index: event.index + positionsUsed };
      else yield event;
    }
  }
}

function baseUrl(raw: string, from: string): string {
  // A pasted full endpoint works too.
  return normalizeBaseUrl(parseHttpUrl(raw, from, 'llm'), { suffix: '/chat/completions', keepQuery: true });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}
