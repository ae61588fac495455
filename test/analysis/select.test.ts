import { afterEach, describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../../src/analysis/builtin.js';
import { resolveLlmSettings, selectAnalyzer, type LlmSettings } from '../../src/analysis/select.js';
import { defaultConfig, parseConfig } from '../../src/config/config.js';
import type { AnalysisEvent } from '../../src/incidents/types.js';
import { closedPort, contentEvent, pieces, startFakeLlm, streamedAnswer, type FakeLlm, type FakeReply } from './fake-llm-server.js';
import { collect, finished, modelAnswerText, notices } from './fixtures.js';

// The LLM here is a local OpenAI-compatible streaming server (fake-llm-server.ts) standing in for
// Ollama, vLLM or OpenAI, which cannot run on these machines.

let servers: FakeLlm[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function serve(...replies: FakeReply[]): Promise<FakeLlm> {
  const server = await startFakeLlm(replies);
  servers.push(server);
  return server;
}

const builtin = new BuiltinAnalyzer({ pieceDelayMs: 0 });

function settings(url: string, extra: Partial<LlmSettings> = {}): LlmSettings {
  return { url, model: 'llama3.1:8b', timeoutMs: 2000, ...extra };
}

function select(url: string, extra: Partial<LlmSettings> = {}) {
  return selectAnalyzer(settings(url, extra), { llm: { retryDelayMs: 10, maxRetries: 2 }, fallback: builtin });
}

function sources(events: AnalysisEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'source' ? [event.source] : []));
}

describe('selectAnalyzer', () => {
  it('is the built-in analyzer when no LLM is configured', async () => {
    const analyzer = selectAnalyzer(null);
    expect(analyzer.source).toBe('built-in');
    const events = await collect(selectAnalyzer(null, { fallback: builtin }));
    expect(sources(events)).toEqual(['built-in']);
    expect(finished(events).hypotheses.length).toBeGreaterThan(0);
  });

  it('uses the LLM, labelled "<model> via <host>", when it answers', async () => {
    const server = await serve({ steps: streamedAnswer(modelAnswerText) });
    const analyzer = select(server.url);
    const host = new URL(server.url).host;
    expect(analyzer.source).toBe(`llama3.1:8b via ${host}`);
    const events = await collect(analyzer);
    expect(sources(events)).toEqual([`llama3.1:8b via ${host}`]);
    expect(finished(events).source).toBe(`llama3.1:8b via ${host}`);
    expect(finished(events).hypotheses.map((hypothesis) => hypothesis.category)).toContain('memory_leak');
  });

  it('falls back to the built-in analyzer, labelled, when the LLM refuses connections', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const events = await collect(select(url));
    expect(notices(events)).toEqual([
      `LLM at ${url} is not reachable (connection refused)`,
      'using the built-in analyzer instead of the LLM (connection refused)',
    ]);
    expect(sources(events)).toEqual(['llama3.1:8b via ' + new URL(url).host, 'built-in (fallback: connection refused)']);
    const done = finished(events);
    expect(done.source).toBe('built-in (fallback: connection refused)');
    expect(done.hypotheses[0]?.category).toBe('memory_leak');
  });

  it('falls back after the bounded 429 retries', async () => {
    const server = await serve({ status: 429, headers: { 'retry-after': '0' }, steps: [] });
    const events = await collect(select(server.url));
    expect(server.requests).toHaveLength(3);
    expect(notices(events)).toEqual([
      `LLM at ${server.url} is rate limiting (429): retry 1 of 2 in 0 ms`,
      `LLM at ${server.url} is rate limiting (429): retry 2 of 2 in 0 ms`,
      `LLM at ${server.url} is still rate limiting (429) after 2 retries`,
      'using the built-in analyzer instead of the LLM (rate limited)',
    ]);
    expect(finished(events).source).toBe('built-in (fallback: rate limited)');
    expect(finished(events).hypotheses.length).toBeGreaterThan(0);
  });

  it('falls back when the answer does not parse, and keeps the fallback text apart from the LLM text', async () => {
    const server = await serve({ steps: streamedAnswer('{"hypotheses": [{"description": "Memory leak in the cache", "category": memory_leak}]}') });
    const events = await collect(select(server.url));
    expect(notices(events)).toEqual([
      expect.stringMatching(/^the LLM's answer is not valid JSON \(/),
      'using the built-in analyzer instead of the LLM (answer did not parse)',
    ]);
    expect(finished(events).source).toBe('built-in (fallback: answer did not parse)');
    // The LLM had written text under position 0: the built-in analyzer's start at 1.
    const llmText = events.filter((event) => event.type === 'hypothesis-text' && event.index === 0);
    expect(llmText.map((event) => (event.type === 'hypothesis-text' ? event.text : '')).join('')).toBe('Memory leak in the cache');
    const fallbackIndexes = events.flatMap((event) => (event.type === 'hypothesis' ? [event.index] : []));
    expect(fallbackIndexes[0]).toBe(1);
  });

  it('falls back on a timeout, and never shows the API key', async () => {
    const key = 'sk-secret-0123456789';
    const server = await serve({ hangBeforeHeaders: true, steps: [] });
    const events = await collect(selectAnalyzer(settings(server.url, { apiKey: key, timeoutMs: 300 }), { fallback: builtin }));
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${key}`);
    expect(notices(events)[0]).toBe(`LLM at ${server.url} did not answer within 300 ms (timeout)`);
    expect(finished(events).source).toBe('built-in (fallback: timeout)');
    expect(JSON.stringify(events)).not.toContain(key);
  });

  it('keeps the LLM hypotheses that completed before a cut, without falling back', async () => {
    const cutAt = modelAnswerText.indexOf('"Unbounded');
    const server = await serve({ steps: [...pieces(modelAnswerText.slice(0, cutAt), 7).map((piece) => contentEvent(piece)), { cut: true }] });
    const events = await collect(select(server.url));
    expect(finished(events).source).toBe(`llama3.1:8b via ${new URL(server.url).host} (partial: stream ended early)`);
    expect(finished(events).hypotheses).toHaveLength(1);
    expect(notices(events)[0]).toMatch(/^stream ended early/);
  });
});

describe('resolveLlmSettings', () => {
  const config = defaultConfig().llm;

  it('is null when no URL is configured anywhere, even with an OpenAI key in the environment', () => {
    expect(resolveLlmSettings({}, {}, config)).toBeNull();
    expect(resolveLlmSettings({}, { OPENAI_API_KEY: 'sk-1', FIREDRILL_LLM_MODEL: 'y' }, config)).toBeNull();
    expect(() => resolveLlmSettings({ llmModel: 'x' }, {}, config)).toThrow('--llm-model needs an LLM to ask: give --llm-url');
  });

  it('takes the flags first, then FIREDRILL_LLM_*, then OPENAI_*, then the config file', () => {
    const fileConfig = parseConfig({ llm: { url: 'http://config-host:8000/v1', model: 'config-model', api_key: 'config-key', timeout_seconds: 20 } }).llm;
    const env = {
      FIREDRILL_LLM_URL: 'http://firedrill-host:11434/v1',
      FIREDRILL_LLM_MODEL: 'env-model',
      OPENAI_BASE_URL: 'http://openai-host/v1',
      OPENAI_MODEL: 'openai-model',
      OPENAI_API_KEY: 'openai-key',
    };
    expect(resolveLlmSettings({ llmUrl: 'http://flag-host:1234/v1', llmModel: 'flag-model' }, env, fileConfig)).toEqual({
      url: 'http://flag-host:1234/v1',
      model: 'flag-model',
      timeoutMs: 20_000,
      firstByteTimeoutMs: 20_000,
    });
    expect(resolveLlmSettings({}, env, fileConfig)).toEqual({ url: 'http://firedrill-host:11434/v1', model: 'env-model', timeoutMs: 20_000, firstByteTimeoutMs: 20_000 });
    expect(resolveLlmSettings({}, { ...env, FIREDRILL_LLM_URL: undefined, FIREDRILL_LLM_MODEL: undefined }, fileConfig)).toEqual({
      url: 'http://openai-host/v1',
      model: 'openai-model',
      apiKey: 'openai-key',
      timeoutMs: 20_000,
      firstByteTimeoutMs: 20_000,
    });
    expect(resolveLlmSettings({}, {}, fileConfig)).toEqual({ url: 'http://config-host:8000/v1', model: 'config-model', apiKey: 'config-key', timeoutMs: 20_000, firstByteTimeoutMs: 20_000 });
  });

  it('takes the timeout from --llm-timeout, then FIREDRILL_LLM_TIMEOUT, then llm.timeout_seconds; the first byte gets less', () => {
    const config = parseConfig({ llm: { url: 'http://127.0.0.1:11434/v1' } }).llm;
    expect(resolveLlmSettings({}, {}, config)).toMatchObject({ timeoutMs: 120_000, firstByteTimeoutMs: 20_000 });
    expect(resolveLlmSettings({}, { FIREDRILL_LLM_TIMEOUT: '45' }, config)).toMatchObject({ timeoutMs: 45_000, firstByteTimeoutMs: 20_000 });
    expect(resolveLlmSettings({ llmTimeout: '5' }, { FIREDRILL_LLM_TIMEOUT: '45' }, config)).toMatchObject({ timeoutMs: 5_000, firstByteTimeoutMs: 5_000 });
    expect(() => resolveLlmSettings({ llmTimeout: '1e9' }, {}, config)).toThrow('--llm-timeout: expected seconds, a number above 0 and at most 3600, found "1e9"');
    expect(() => resolveLlmSettings({}, { FIREDRILL_LLM_TIMEOUT: 'soon' }, config)).toThrow('FIREDRILL_LLM_TIMEOUT: expected seconds');
  });

  it('sends FIREDRILL_LLM_API_KEY anywhere, but an OpenAI or config key only to its own URL', () => {
    const fileConfig = parseConfig({ llm: { url: 'http://config-host:8000/v1', api_key: 'config-key' } }).llm;
    expect(resolveLlmSettings({ llmUrl: 'http://127.0.0.1:11434/v1' }, { OPENAI_API_KEY: 'openai-key' }, fileConfig)?.apiKey).toBeUndefined();
    expect(resolveLlmSettings({ llmUrl: 'http://127.0.0.1:11434/v1' }, { FIREDRILL_LLM_API_KEY: 'fd-key' }, fileConfig)?.apiKey).toBe('fd-key');
    expect(resolveLlmSettings({ llmUrl: 'https://api.openai.com/v1' }, { OPENAI_API_KEY: 'openai-key' }, fileConfig)?.apiKey).toBe('openai-key');
    expect(resolveLlmSettings({ llmUrl: 'http://config-host:8000/v1' }, {}, fileConfig)?.apiKey).toBe('config-key');
  });

  it('defaults the model to OPENAI_MODEL or gpt-4o-mini, the timeout to the config, and accepts a pasted endpoint', () => {
    expect(resolveLlmSettings({}, { OPENAI_BASE_URL: 'https://api.openai.com/v1' }, config)).toEqual({
      url: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
      timeoutMs: 120_000,
      firstByteTimeoutMs: 20_000,
    });
    expect(resolveLlmSettings({ llmUrl: 'http://127.0.0.1:8080/v1/chat/completions' }, { OPENAI_MODEL: 'local' }, config)).toEqual({
      url: 'http://127.0.0.1:8080/v1',
      model: 'local',
      timeoutMs: 120_000,
      firstByteTimeoutMs: 20_000,
    });
  });

  it('rejects a URL that is not http(s), naming where it came from', () => {
    expect(() => resolveLlmSettings({ llmUrl: 'localhost:11434' }, {}, config)).toThrow('--llm-url: expected an http(s) URL such as http://127.0.0.1:11434/v1, found "localhost:11434", which has no http:// or https:// in front');
    expect(() => resolveLlmSettings({}, { FIREDRILL_LLM_URL: 'not a url' }, config)).toThrow('FIREDRILL_LLM_URL: expected an http(s) URL such as http://127.0.0.1:11434/v1, found "not a url", which holds a space');
  });
});
