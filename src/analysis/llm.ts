import { setTimeout as sleep } from 'node:timers/promises';
import { request, type Dispatcher } from 'undici';
import { describeNetworkError, isUnreachable, networkErrorCode } from '../http/network-error.js';
import { SseReader } from '../http/sse-reader.js';
import { displayUrl, endpointUrl } from '../http/url.js';
import { byConfidence } from '../incidents/rank.js';
import type { AnalysisEvent, AnalysisInput, Analyzer, Hypothesis, RecommendedAction } from '../incidents/types.js';
import { formatDuration } from '../format.js';
import { actionsForCategory } from './actions.js';
import { AnswerReader, plural, withoutControlCharacters } from './llm-answer.js';
import { buildMessages } from './prompt.js';

/**
 * The LLM analyzer: any OpenAI-compatible chat-completions endpoint (Ollama, vLLM, llama.cpp
 * server, OpenAI), streamed (server-sent events) and parsed as it arrives, so that the first
 * hypothesis shows while the model is still writing the others.
 *
 * Every failure becomes one `notice` the user can act on (and never contains the API key); the
 * caller learns from `run`'s result whether anything usable came back (select.ts falls back to
 * the built-in analyzer when not).
 */

export interface LlmAnalyzerOptions {
  /** Base URL, e.g. http://127.0.0.1:11434/v1; the request goes to {url}/chat/completions. */
  url: string;
  model: string;
  apiKey?: string;
  /** The whole answer, retries included: past this the request is ended (and what arrived is kept). */
  timeoutMs: number;
  /**
   * For the first byte of the answer, and then at most between two chunks (default 20 s, at most
   * timeoutMs): a server that accepted the connection and says nothing is given up on early.
   */
  firstByteTimeoutMs?: number;
  /** Retries after a 429 (default 3). */
  maxRetries?: number;
  /** First wait after a 429 without Retry-After (default 1000 ms); doubles on each retry. */
  retryDelayMs?: number;
  /** The longest Retry-After honoured (default 30 s); a server asking for more is not retried. */
  maxRetryAfterMs?: number;
  /** An undici dispatcher (default: undici's global one). */
  dispatcher?: Dispatcher;
}

export interface LlmRunResult {
  /** In the order the model gave them. */
  hypotheses: Hypothesis[];
  actions: RecommendedAction[];
  /** Why no usable answer came back (a short phrase); undefined when at least one hypothesis did. */
  failure?: string;
  /** Why the answer is incomplete although some hypotheses came back ("stream ended early"). */
  partial?: string;
}

/** The source as shown in --json, history and the console: "llama3 via host (partial: stream ended early)". */
export function partialSource(source: string, partial: string | undefined): string {
  return partial === undefined ? source : `${source} (partial: ${partial})`;
}

const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_RETRY_DELAY_MS = 1000;
const DEFAULT_MAX_RETRY_AFTER_MS = 30_000;
/** A local model loading into memory can take this long to say its first word; a stuck one says nothing. */
export const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 20_000;
/** How often an analyzer that waits says so (analysis-waiting events). */
const WAITING_TICK_MS = 1000;
/** Once the answer flows, a pause this long is shown as waiting too. */
const QUIET_AFTER_MS = 5000;
/** A model that rambles past this is cut off: no useful answer is this long. */
const MAX_ANSWER_CHARS = 200_000;
const ERROR_EXCERPT_CHARS = 200;
const HTTP_HINTS: Record<number, string> = {
  401: ' (check the API key: FIREDRILL_LLM_API_KEY or llm.api_key)',
  403: ' (check the API key: FIREDRILL_LLM_API_KEY or llm.api_key)',
  404: ' (check the base URL, e.g. http://127.0.0.1:11434/v1 for Ollama, and the model: --llm-model)',
};

export class LlmAnalyzer implements Analyzer {
  readonly source: string;
  private readonly endpoint: string;
  /** The URL as shown to the user: no credentials, no query string. */
  private readonly shownUrl: string;

  constructor(private readonly options: LlmAnalyzerOptions) {
    this.source = `${options.model} via ${new URL(options.url).host}`;
    this.shownUrl = displayUrl(options.url);
    this.endpoint = endpointUrl(options.url, '/chat/completions').toString();
  }

  async *analyze(input: AnalysisInput, signal: AbortSignal): AsyncGenerator<AnalysisEvent> {
    yield { type: 'source', source: this.source };
    const result = yield* this.run(input, signal);
    if (signal.aborted) return;
    yield {
      type: 'analysis-finished',
      source: partialSource(this.source, result.partial),
      hypotheses: byConfidence(result.hypotheses),
      actions: result.actions,
    };
  }

  /**
   * The analysis without its `source` and `analysis-finished` events, so that a caller can decide
   * what to do when it failed. Stops quietly when `signal` aborts.
   */
  async *run(input: AnalysisInput, signal: AbortSignal): AsyncGenerator<AnalysisEvent, LlmRunResult> {
    const answer = new AnswerReader(input.scenario, signal, (level, message) => this.notice(level, message));
    const outcome = yield* this.stream(input, signal, answer);
    if (signal.aborted) return answer.result('cancelled');
    for (const event of answer.takeEvents()) yield event;

    let failure = outcome.failure;
    if (failure === undefined) {
      const incomplete = answer.incompleteReason(outcome.cutShort);
      if (incomplete) {
        failure = incomplete.failure;
        yield this.notice('warn', incomplete.message);
      }
    } else if (answer.hypotheses.length > 0) {
      yield this.notice('warn', `keeping the ${plural(answer.hypotheses.length, 'complete hypothesis', 'complete hypotheses')} that arrived`);
    }
    if (failure === undefined && answer.hypotheses.length === 0) {
      failure = 'no valid hypothesis in the answer';
      yield this.notice('warn', `LLM at ${this.shownUrl} gave no valid hypothesis`);
    }
    const top = byConfidence(answer.hypotheses)[0];
    if (top && answer.actions.length === 0) {
      // Hypotheses without a remedy would leave the drill's last step empty: the playbook fills it.
      yield this.notice('info', `the LLM recommended no valid action; the actions for ${top.category} come from firedrill's playbook`);
      for (const action of actionsForCategory(top.category, input.scenario)) {
        answer.actions.push(action);
        yield { type: 'action', action };
      }
    }
    if (answer.hypotheses.length === 0) return answer.result(failure);
    return { ...answer.result(undefined), ...(failure !== undefined ? { partial: failure } : {}) };
  }

  /** Sends the request (retrying 429s) and feeds the answer to `answer` as it streams in. */
  private async *stream(
    input: AnalysisInput,
    signal: AbortSignal,
    answer: AnswerReader,
  ): AsyncGenerator<AnalysisEvent, { failure?: string; cutShort?: string }> {
    const maxRetries = this.options.maxRetries ?? DEFAULT_MAX_RETRIES;
    // The whole answer's deadline, apart from the caller's signal so that running out of time is
    // told from a user who cancelled.
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    const requestSignal = AbortSignal.any([signal, deadline]);
    const started = Date.now();
    let askForJsonMode = true;
    let retries = 0;
    for (;;) {
      let response: Dispatcher.ResponseData;
      try {
        const pending = request(this.endpoint, {
          method: 'POST',
          headers: this.headers(),
          body: JSON.stringify(this.requestBody(input, askForJsonMode)),
          signal: requestSignal,
          dispatcher: this.options.dispatcher,
          headersTimeout: this.firstByteTimeoutMs,
          bodyTimeout: this.firstByteTimeoutMs,
          // One request per analysis: an idle keep-alive socket would only hold the process open.
          reset: true,
        });
        response = yield* this.whileWaiting(pending, started, 'to answer', 0);
      } catch (error) {
        if (signal.aborted) return {};
        if (deadline.aborted) return yield* this.outOfTime(false);
        yield this.notice('error', `LLM at ${this.shownUrl} ${this.describeRequestError(error)}`);
        return { failure: shortReason(error) };
      }

      const { statusCode, headers, body } = response;
      if (statusCode === 429) {
        const wait = retryAfterMs(headers);
        await body.dump().catch(() => undefined);
        const maxWait = this.options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
        if (wait !== undefined && wait > maxWait) {
          yield this.notice('error', `LLM at ${this.shownUrl} is rate limiting (429) and asks to wait ${formatDuration(wait)}; not waiting that long`);
          return { failure: 'rate limited' };
        }
        if (retries >= maxRetries) {
          yield this.notice('error', `LLM at ${this.shownUrl} is still rate limiting (429) after ${plural(retries, 'retry', 'retries')}`);
          return { failure: 'rate limited' };
        }
        retries++;
        const delay = Math.min(wait ?? (this.options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS) * 2 ** (retries - 1), maxWait);
        yield this.notice('warn', `LLM at ${this.shownUrl} is rate limiting (429): retry ${retries} of ${maxRetries} in ${formatDuration(delay)}`);
        try {
          await sleep(delay, undefined, { signal: requestSignal });
        } catch {
          return signal.aborted ? {} : yield* this.outOfTime(false);
        }
        continue;
      }
      if (statusCode < 200 || statusCode >= 300) {
        const excerpt = await readExcerpt(body);
        // Servers that do not know response_format say so with a 400: ask again without it.
        if (askForJsonMode && (statusCode === 400 || statusCode === 422) && /response_format|json_object/i.test(excerpt)) {
          askForJsonMode = false;
          continue;
        }
        const hint = HTTP_HINTS[statusCode] ?? '';
        yield this.notice('error', `LLM at ${this.shownUrl} answered HTTP ${statusCode}${hint}${excerpt ? `: ${excerpt}` : ''}`);
        return { failure: `HTTP ${statusCode}` };
      }

      const contentType = String(headers['content-type'] ?? '').toLowerCase();
      if (contentType.includes('json')) return yield* this.readWholeAnswer(body, answer);
      if (contentType !== '' && !contentType.includes('event-stream')) {
        // A proxy's login page or a web server at the wrong address, answering 200.
        const excerpt = await readExcerpt(body);
        yield this.notice('error', `LLM at ${this.shownUrl} answered ${contentType.split(';')[0]} instead of a chat-completions stream${excerpt ? `: ${excerpt}` : ''}`);
        return { failure: 'not an OpenAI-compatible server' };
      }
      return yield* this.readEventStream(body, { caller: signal, deadline, startedAt: started }, answer);
    }
  }

  private get firstByteTimeoutMs(): number {
    return Math.min(this.options.firstByteTimeoutMs ?? DEFAULT_FIRST_BYTE_TIMEOUT_MS, this.options.timeoutMs);
  }

  /** The whole answer's deadline passed: before the server answered at all, or while it streamed. */
  private async *outOfTime(answering: boolean): AsyncGenerator<AnalysisEvent, { failure: string }> {
    const limit = formatDuration(this.options.timeoutMs);
    yield this.notice('error', `LLM at ${this.shownUrl} ${answering ? `did not finish its answer within ${limit}` : `did not answer within ${limit}`} (timeout)`);
    return { failure: 'timeout' };
  }

  /**
   * Awaits `pending`, saying every second that the analyzer waits (after `quietFromMs` of
   * silence): an LLM that accepted the connection and says nothing would otherwise hold the
   * incident with nothing on screen.
   */
  private async *whileWaiting<T>(pending: Promise<T>, since: number, what: string, quietFromMs: number): AsyncGenerator<AnalysisEvent, T> {
    const settled = pending.then(
      () => 'settled' as const,
      () => 'settled' as const,
    );
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<'tick'>((resolve) => {
        timer = setTimeout(resolve, WAITING_TICK_MS, 'tick');
      });
      const winner = await Promise.race([settled, tick]);
      clearTimeout(timer);
      if (winner === 'settled') return await pending;
      const waitedMs = Date.now() - since;
      if (waitedMs < quietFromMs) continue;
      yield {
        type: 'analysis-waiting',
        message: `waiting for the LLM at ${this.shownUrl} ${what}: ${Math.floor(waitedMs / 1000)} s (gives up after ${formatDuration(this.firstByteTimeoutMs)} of silence)`,
        waitedSeconds: Math.floor(waitedMs / 1000),
      };
    }
  }

  /** A server that ignored `stream: true` and sent the whole completion at once. */
  private async *readWholeAnswer(
    body: Dispatcher.ResponseData['body'],
    answer: AnswerReader,
  ): AsyncGenerator<AnalysisEvent, { failure?: string; cutShort?: string }> {
    let content: unknown;
    try {
      const completion = (await body.json()) as { choices?: Array<{ message?: { content?: unknown } }> };
      content = completion.choices?.[0]?.message?.content;
    } catch (error) {
      yield this.notice('error', `LLM at ${this.shownUrl} ${this.describeStreamError(error)}`);
      return { failure: 'answer did not parse' };
    }
    if (typeof content !== 'string') {
      yield this.notice('error', `LLM at ${this.shownUrl} sent a completion without a message`);
      return { failure: 'answer did not parse' };
    }
    answer.feed(content);
    return {};
  }

  private async *readEventStream(
    body: Dispatcher.ResponseData['body'],
    signals: { caller: AbortSignal; deadline: AbortSignal; startedAt: number },
    answer: AnswerReader,
  ): AsyncGenerator<AnalysisEvent, { failure?: string; cutShort?: string }> {
    const sse = new SseReader();
    let sawDone = false;
    let finishReason: string | undefined;
    let malformedEvents = 0;
    const handle = (data: string): { stop?: boolean; error?: string } => {
      if (data.trim() === '[DONE]') return { stop: true };
      let chunk: ChatCompletionChunk;
      try {
        chunk = JSON.parse(data) as ChatCompletionChunk;
      } catch {
        malformedEvents++;
        return {};
      }
      if (chunk.error) return { error: errorMessage(chunk.error) };
      const choice = chunk.choices?.[0];
      if (typeof choice?.delta?.content === 'string') answer.feed(choice.delta.content);
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      return {};
    };
    const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let lastChunkAt = Date.now();
    try {
      reading: for (;;) {
        // Until the first words, the wait counts from the request; after, from the last chunk.
        const step =
          answer.length === 0
            ? yield* this.whileWaiting(chunks.next(), signals.startedAt, 'to start its answer', 0)
            : yield* this.whileWaiting(chunks.next(), lastChunkAt, 'to go on', QUIET_AFTER_MS);
        if (step.done) break;
        lastChunkAt = Date.now();
        for (const event of sse.push(step.value)) {
          const { stop, error } = handle(event.data);
          if (error) {
            yield* answer.drain();
            yield this.notice('error', `LLM at ${this.shownUrl} reported an error in its stream: ${error}`);
            return { failure: 'error in the stream' };
          }
          if (stop) {
            sawDone = true;
            break reading;
          }
        }
        yield* answer.drain();
        if (answer.isComplete) {
          // The answer is all there: closing the stream stops the model from writing more prose.
          sawDone = true;
          break;
        }
        if (answer.length > MAX_ANSWER_CHARS) {
          return { cutShort: `the answer passed ${MAX_ANSWER_CHARS} characters` };
        }
      }
      if (!sawDone) {
        for (const event of sse.finish()) {
          if (handle(event.data).stop) sawDone = true;
        }
      }
    } catch (error) {
      if (signals.caller.aborted) return {};
      yield* answer.drain();
      if (signals.deadline.aborted && answer.hypotheses.length === 0) return yield* this.outOfTime(answer.length > 0);
      const why = signals.deadline.aborted ? `the answer took longer than ${formatDuration(this.options.timeoutMs)}` : this.describeStreamError(error);
      if (answer.hypotheses.length === 0 && !answer.isComplete) {
        yield this.notice('error', `LLM at ${this.shownUrl}: stream ended early (${why})`);
        return { failure: networkErrorCode(error) === 'UND_ERR_BODY_TIMEOUT' ? 'timeout' : 'stream ended early' };
      }
      if (!answer.isComplete) return { cutShort: why };
    } finally {
      if (!body.destroyed) body.destroy();
    }
    if (malformedEvents > 0) {
      yield this.notice('warn', `LLM at ${this.shownUrl} sent ${plural(malformedEvents, 'stream event', 'stream events')} that were not JSON (skipped)`);
    }
    if (finishReason === 'length') return { cutShort: 'the model hit its output token limit' };
    if (!sawDone) return { cutShort: 'the connection closed before [DONE]' };
    return {};
  }

  private headers(): Record<string, string> {
    return {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
    };
  }

  private requestBody(input: AnalysisInput, jsonMode: boolean) {
    return {
      model: this.options.model,
      messages: buildMessages(input),
      stream: true,
      temperature: 0.2,
      ...(jsonMode ? { response_format: { type: 'json_object' } } : {}),
    };
  }

  private describeRequestError(error: unknown): string {
    const code = networkErrorCode(error);
    if (code === 'UND_ERR_HEADERS_TIMEOUT') return `did not answer within ${formatDuration(this.firstByteTimeoutMs)} (timeout)`;
    if (isUnreachable(error)) return `is not reachable (${describeNetworkError(error)})`;
    if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'closed the connection before answering';
    return `could not be asked: ${describeNetworkError(error)}`;
  }

  private describeStreamError(error: unknown): string {
    if (networkErrorCode(error) === 'UND_ERR_BODY_TIMEOUT') return `nothing arrived for ${formatDuration(this.firstByteTimeoutMs)}: timeout`;
    if (error instanceof SyntaxError) return 'sent a body that is not JSON';
    return describeNetworkError(error);
  }

  /** Every notice goes through here: the API key is masked, a server's control characters dropped. */
  private notice(level: 'info' | 'warn' | 'error', message: string): AnalysisEvent {
    const key = this.options.apiKey;
    const masked = key ? message.split(key).join('***') : message;
    return { type: 'notice', level, message: withoutControlCharacters(masked) };
  }
}

interface ChatCompletionChunk {
  choices?: Array<{ delta?: { content?: unknown }; finish_reason?: string | null }>;
  error?: unknown;
}

/** Retry-After in seconds or as an HTTP date; OpenAI's retry-after-ms when present. */
function retryAfterMs(headers: Dispatcher.ResponseData['headers']): number | undefined {
  const milliseconds = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const raw = headers['retry-after'];
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const asSeconds = Number(raw);
  if (Number.isFinite(asSeconds)) return Math.max(0, asSeconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The start of an error body, as one line: the server's own message when it sends JSON. */
async function readExcerpt(body: Dispatcher.ResponseData['body']): Promise<string> {
  let raw = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of body) {
      raw += decoder.decode(chunk as Buffer, { stream: true });
      if (raw.length > 4096) break;
    }
  } catch {
    // An error body that breaks off still tells something: keep what arrived.
  } finally {
    if (!body.destroyed) body.destroy();
  }
  let message = raw;
  try {
    message = errorMessage(JSON.parse(raw));
  } catch {
    // Not JSON: the raw text it is.
  }
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > ERROR_EXCERPT_CHARS ? `${line.slice(0, ERROR_EXCERPT_CHARS)}…` : line;
}

/** {"error": {"message"}} (OpenAI, vLLM), {"error": "..."} (Ollama), {"detail"} or {"message"}. */
function errorMessage(payload: unknown): string {
  if (typeof payload === 'string') return payload;
  if (payload && typeof payload === 'object') {
    const record = payload as Record<string, unknown>;
    for (const key of ['error', 'message', 'detail']) {
      if (record[key] !== undefined) return errorMessage(record[key]);
    }
  }
  return JSON.stringify(payload);
}

function shortReason(error: unknown): string {
  const code = networkErrorCode(error);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return describeNetworkError(error);
  return 'not reachable';
}

