import { afterEach, describe, expect, it } from 'vitest';
import { confidenceFor } from '../../src/analysis/confidence.js';
import { LlmAnalyzer, type LlmAnalyzerOptions } from '../../src/analysis/llm.js';
import type { AnalysisEvent } from '../../src/incidents/types.js';
import {
  closedPort,
  contentEvent,
  finishEvents,
  pieces,
  startFakeLlm,
  streamedAnswer,
  type FakeLlm,
  type FakeReply,
} from './fake-llm-server.js';
import { collect, finished, input, memoryLeakScenario, modelAnswer, modelAnswerText, notices } from './fixtures.js';

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

function analyzer(url: string, options: Partial<LlmAnalyzerOptions> = {}): LlmAnalyzer {
  return new LlmAnalyzer({ url, model: 'llama3.1:8b', timeoutMs: 5000, retryDelayMs: 10, ...options });
}

function ofType<T extends AnalysisEvent['type']>(events: AnalysisEvent[], type: T) {
  return events.filter((event): event is Extract<AnalysisEvent, { type: T }> => event.type === type);
}

describe('LlmAnalyzer against a streaming OpenAI-compatible server', () => {
  it('streams hypotheses in order, text before each, confidence computed rather than taken from the model', async () => {
    const server = await serve({ steps: streamedAnswer(modelAnswerText) });
    const events = await collect(analyzer(server.url));

    expect(events[0]).toEqual({ type: 'source', source: `llama3.1:8b via ${new URL(server.url).host}` });
    const hypotheses = ofType(events, 'hypothesis');
    expect(hypotheses.map((event) => [event.index, event.hypothesis.description])).toEqual(
      modelAnswer.hypotheses.map((hypothesis, index) => [index, hypothesis.description]),
    );
    for (const { index, hypothesis } of hypotheses) {
      const firstText = events.findIndex((event) => event.type === 'hypothesis-text' && event.index === index);
      const complete = events.findIndex((event) => event.type === 'hypothesis' && event.index === index);
      expect(firstText).toBeGreaterThan(-1);
      expect(firstText).toBeLessThan(complete);
      // hypothesis-text carries pieces (deltas) that add up to the description.
      const written = ofType(events.slice(0, complete), 'hypothesis-text').filter((event) => event.index === index);
      expect(written.map((event) => event.text).join('')).toBe(hypothesis.description);
      // The model sent confidence 0.97 for every hypothesis; firedrill computes its own.
      expect(hypothesis.confidence).toBe(confidenceFor(hypothesis, memoryLeakScenario));
      expect(hypothesis.confidence).not.toBe(0.97);
    }
    // Partial text really streamed: more than one text event per description.
    expect(ofType(events, 'hypothesis-text').filter((event) => event.index === 0).length).toBeGreaterThan(3);

    const actions = ofType(events, 'action').map((event) => event.action);
    expect(actions).toEqual([
      { type: 'restart_pod', target: 'payment-service', riskLevel: 'medium', blastRadius: 'one pod at a time; 3 replicas', rationale: 'Frees the leaked memory until a fix ships.', requiresApproval: true },
      { type: 'rollback_deployment', target: 'payment-service v2.3.1', riskLevel: 'high', blastRadius: 'the whole service', rationale: 'Removes the change that introduced the leak.', requiresApproval: true },
    ]);

    const done = finished(events);
    expect(done.source).toBe(`llama3.1:8b via ${new URL(server.url).host}`);
    expect(done.hypotheses.map((hypothesis) => hypothesis.category)).toEqual(['memory_leak', 'deployment_issue', 'traffic_surge']);
    const confidences = done.hypotheses.map((hypothesis) => hypothesis.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    expect(notices(events)).toEqual([]);
  });

  it('sends a streaming chat-completions request that carries the anomalies, context and known root causes', async () => {
    const server = await serve({ steps: streamedAnswer(modelAnswerText) });
    await collect(analyzer(server.url, { model: 'qwen2.5:7b' }));

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.body).toMatchObject({ model: 'qwen2.5:7b', stream: true });
    const prompt = (request?.body.messages ?? []).map((message) => message.content).join('\n');
    expect(prompt).toContain('memory_usage_bytes: 2147483648 -> 8589934592 bytes (+5.2σ, linear)');
    expect(prompt).toContain('added Redis connection pooling');
    // The analyzer's whole vocabulary, plus whatever causes the scenarios add.
    expect(prompt).toContain(
      'Known root causes: cache_stampede, certificate_expiry, cpu_spike, crash_loop, database_performance, deployment_issue, disk_exhaustion, dns_failure, external_dependency_failure, feature_flag_regression, memory_leak, noisy_neighbor, service_down, traffic_surge\n',
    );
    expect(prompt).toContain('restart');
    expect(prompt).toMatch(/not give confidence/i);
    // The model sees what an on-call engineer sees, not the scenario's name or description.
    expect(prompt).not.toContain('Gradual Memory Leak');
    expect(prompt).not.toContain(memoryLeakScenario.description);
  });

  it('yields the first hypothesis while the rest of the answer is still being written', async () => {
    const firstObjectEnd = modelAnswerText.indexOf('\n    },') + '\n    }'.length;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const server = await serve({
      steps: [
        ...pieces(modelAnswerText.slice(0, firstObjectEnd), 5).map((piece) => contentEvent(piece)),
        { gate },
        ...pieces(modelAnswerText.slice(firstObjectEnd), 5).map((piece) => contentEvent(piece)),
        finishEvents(),
      ],
    });
    const seen: AnalysisEvent[] = [];
    for await (const event of analyzer(server.url).analyze(input, new AbortController().signal)) {
      seen.push(event);
      // The server holds the rest until the first hypothesis reached us: without incremental
      // parsing, this loop would wait forever (and the test time out).
      if (event.type === 'hypothesis' && event.index === 0) release();
    }
    expect(ofType(seen, 'hypothesis')).toHaveLength(3);
  });

  it('reads a slow stream split mid-token and mid-UTF-8 character, with CRLF, comments, pauses, prose and a fence', async () => {
    const answer = `Looking at the {service} metrics, here is my analysis:\n\`\`\`json\n${modelAnswerText.replace('→', '\\u2192')}\n\`\`\`\nHope this helps.`;
    const wire = Buffer.from(
      ': keep-alive\r\n\r\n' + pieces(answer, 3).map((piece) => contentEvent(piece, '\r\n')).join('') + finishEvents('stop', '\r\n'),
      'utf8',
    );
    const steps: FakeReply['steps'] = [];
    // 7-byte slices cut lines, CRLF pairs and the multi-byte characters (→ “ ” σ) anywhere.
    for (let offset = 0; offset < wire.length; offset += 7) {
      steps.push(wire.subarray(offset, offset + 7));
      if (offset % 7000 === 0) steps.push({ pauseMs: 15 });
    }
    const server = await serve({ steps });
    const events = await collect(analyzer(server.url));

    expect(notices(events)).toEqual([]);
    expect(ofType(events, 'hypothesis').map((event) => event.hypothesis.description)).toEqual(
      modelAnswer.hypotheses.map((hypothesis) => hypothesis.description),
    );
    expect(ofType(events, 'hypothesis')[1]?.hypothesis.evidence[0]?.observation).toBe('2 GiB -> 8 GiB, linear growth (+5.2σ)');
    expect(ofType(events, 'action')).toHaveLength(2);
  });

  it('keeps the complete hypotheses when the stream is cut mid-way, and says the stream ended early', async () => {
    const cutAt = modelAnswerText.indexOf('Unbounded in-process cache') + 40;
    const server = await serve({ steps: [...pieces(modelAnswerText.slice(0, cutAt), 6).map((piece) => contentEvent(piece)), { cut: true }] });
    const events = await collect(analyzer(server.url));

    expect(ofType(events, 'hypothesis').map((event) => event.hypothesis.description)).toEqual([modelAnswer.hypotheses[0]?.description]);
    // The second one had started streaming its text, but was never completed.
    expect(ofType(events, 'hypothesis-text').some((event) => event.index === 1)).toBe(true);
    expect(notices(events)).toEqual([
      'stream ended early (the connection was closed); keeping the 1 complete hypothesis that arrived',
      "the LLM recommended no valid action; the actions for deployment_issue come from firedrill's playbook",
    ]);
    expect(finished(events).hypotheses).toHaveLength(1);
    expect(finished(events).source).toBe(`llama3.1:8b via ${new URL(server.url).host} (partial: stream ended early)`);
    expect(finished(events).actions.map((action) => action.type)).toEqual(['rollback', 'restart']);
  });

  it('says the stream ended early when the server closes cleanly before the answer is complete', async () => {
    const cutAt = modelAnswerText.indexOf('"actions"');
    const server = await serve({ steps: pieces(modelAnswerText.slice(0, cutAt), 8).map((piece) => contentEvent(piece)) });
    const events = await collect(analyzer(server.url));
    expect(finished(events).hypotheses).toHaveLength(3);
    expect(notices(events)).toEqual([
      'stream ended early (the connection closed before [DONE]); keeping the 3 complete hypotheses that arrived',
      "the LLM recommended no valid action; the actions for memory_leak come from firedrill's playbook",
    ]);
  });

  it('retries a 429, honouring Retry-After, and counts the retries', async () => {
    const server = await serve(
      { status: 429, headers: { 'content-type': 'application/json', 'retry-after': '0' }, steps: ['{"error":{"message":"rate limit"}}'] },
      { status: 429, headers: { 'content-type': 'application/json', 'retry-after-ms': '20' }, steps: ['{"error":{"message":"rate limit"}}'] },
      { steps: streamedAnswer(modelAnswerText) },
    );
    const events = await collect(analyzer(server.url, { maxRetries: 3 }));
    expect(server.requests).toHaveLength(3);
    expect(notices(events)).toEqual([
      `LLM at ${server.url} is rate limiting (429): retry 1 of 3 in 0 ms`,
      `LLM at ${server.url} is rate limiting (429): retry 2 of 3 in 20 ms`,
    ]);
    expect(finished(events).hypotheses).toHaveLength(3);
  });

  it('gives up on 429 after the bounded retries, and when Retry-After asks for too long', async () => {
    const server = await serve({ status: 429, headers: { 'content-type': 'application/json' }, steps: ['{}'] });
    const events = await collect(analyzer(server.url, { maxRetries: 2 }));
    expect(server.requests).toHaveLength(3);
    expect(notices(events).at(-1)).toBe(`LLM at ${server.url} is still rate limiting (429) after 2 retries`);
    expect(finished(events).hypotheses).toEqual([]);

    const patient = await serve({ status: 429, headers: { 'retry-after': '3600' }, steps: [] });
    const second = await collect(analyzer(patient.url, { maxRetries: 3 }));
    expect(patient.requests).toHaveLength(1);
    expect(notices(second)).toEqual([`LLM at ${patient.url} is rate limiting (429) and asks to wait 1 h 00 min; not waiting that long`]);
  });

  it('says the LLM is not reachable when the connection is refused', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/v1`;
    const events = await collect(analyzer(url));
    expect(notices(events)).toEqual([`LLM at ${url} is not reachable (connection refused)`]);
    expect(finished(events).hypotheses).toEqual([]);
  });

  it('times out when no headers come, and when the stream goes idle between chunks', async () => {
    const silent = await serve({ hangBeforeHeaders: true, steps: [] });
    const first = await collect(analyzer(silent.url, { firstByteTimeoutMs: 300 }));
    expect(notices(first)).toEqual([`LLM at ${silent.url} did not answer within 300 ms (timeout)`]);

    const firstObjectEnd = modelAnswerText.indexOf('\n    },') + '\n    }'.length;
    const idle = await serve({ steps: [...pieces(modelAnswerText.slice(0, firstObjectEnd + 30), 10).map((piece) => contentEvent(piece)), { hang: true }] });
    const second = await collect(analyzer(idle.url, { firstByteTimeoutMs: 300 }));
    expect(ofType(second, 'hypothesis')).toHaveLength(1);
    expect(notices(second)[0]).toBe('stream ended early (nothing arrived for 300 ms: timeout); keeping the 1 complete hypothesis that arrived');
  });

  it('says it is waiting, and for how long, while the LLM accepts the connection and says nothing', async () => {
    const silent = await serve({ hangBeforeHeaders: true, steps: [] });
    const started = Date.now();
    const events = await collect(analyzer(silent.url, { firstByteTimeoutMs: 2500 }));
    expect(Date.now() - started).toBeLessThan(4000);
    // About once a second (a busy machine may delay a tick): 1 s, then more, never the same twice.
    const waited = ofType(events, 'analysis-waiting').map((event) => event.waitedSeconds);
    expect(waited[0]).toBe(1);
    expect(waited).toEqual([...new Set(waited)].sort((a, b) => a - b));
    expect(ofType(events, 'analysis-waiting')[0]!.message).toBe(`waiting for the LLM at ${silent.url} to answer: 1 s (gives up after 2.5 s of silence)`);
    expect(notices(events)).toEqual([`LLM at ${silent.url} did not answer within 2.5 s (timeout)`]);
    // Headers at once, then no word: still waiting, for the answer's start.
    const mute = await serve({ steps: [{ hang: true }] });
    const muted = await collect(analyzer(mute.url, { firstByteTimeoutMs: 2500 }));
    expect(ofType(muted, 'analysis-waiting')[0]?.message).toBe(`waiting for the LLM at ${mute.url} to start its answer: 1 s (gives up after 2.5 s of silence)`);
  });

  it('ends an answer that keeps trickling past the whole-answer timeout, keeping what arrived', async () => {
    const firstObjectEnd = modelAnswerText.indexOf('\n    },') + '\n    }'.length;
    const steps = [...pieces(modelAnswerText.slice(0, firstObjectEnd + 30), 10).map((piece) => contentEvent(piece)), ...Array.from({ length: 40 }, () => [{ pauseMs: 50 }, contentEvent(' ')]).flat()];
    const slow = await serve({ steps });
    const events = await collect(analyzer(slow.url, { timeoutMs: 800, firstByteTimeoutMs: 500 }));
    expect(ofType(events, 'hypothesis')).toHaveLength(1);
    expect(notices(events)[0]).toBe('stream ended early (the answer took longer than 800 ms); keeping the 1 complete hypothesis that arrived');
    expect(finished(events).source).toContain('(partial: stream ended early)');
  });

  it('reports an HTTP error with its status and the server message', async () => {
    const server = await serve({
      status: 404,
      headers: { 'content-type': 'application/json' },
      steps: ['{"error":{"message":"model \\"llama9\\" not found, try pulling it first","type":"api_error"}}'],
    });
    const events = await collect(analyzer(server.url, { model: 'llama9' }));
    expect(notices(events)).toEqual([
      `LLM at ${server.url} answered HTTP 404 (check the base URL, e.g. http://127.0.0.1:11434/v1 for Ollama, and the model: --llm-model): model "llama9" not found, try pulling it first`,
    ]);
  });

  it('sends the API key as a Bearer token and never shows it in a notice', async () => {
    const key = 'sk-test-4f9a1c0d2e';
    const server = await serve(
      { status: 401, headers: { 'content-type': 'application/json' }, steps: [`{"error":{"message":"Incorrect API key provided: ${key}"}}`] },
    );
    const events = await collect(analyzer(server.url, { apiKey: key }));
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${key}`);
    const shown = notices(events);
    expect(shown).toEqual([
      `LLM at ${server.url} answered HTTP 401 (check the API key: FIREDRILL_LLM_API_KEY or llm.api_key): Incorrect API key provided: ***`,
    ]);
    expect(JSON.stringify(events)).not.toContain(key);
  });

  it('takes the actions from "recommended_actions" as from "actions", instead of the playbook', async () => {
    const { actions, ...rest } = modelAnswer;
    const server = await serve({ steps: streamedAnswer(JSON.stringify({ ...rest, recommended_actions: actions })) });
    const events = await collect(analyzer(server.url));
    expect(finished(events).actions.map((action) => action.type)).toEqual(['restart_pod', 'rollback_deployment']);
    expect(notices(events)).toEqual([]);
  });

  it('skips an invalid hypothesis or action with a notice and keeps the valid ones', async () => {
    const answer = JSON.stringify({
      hypotheses: [
        { description: 'Memory leak in the cache', category: 'Memory Leak', evidence: [{ signal_type: 'metric', signal_name: 'memory_usage_bytes', observation: 'grows', relevance: 0.9 }], reasoning: 'r' },
        { description: 'Something vague', category: 'other', evidence: [{ signal: 'x', observation: 'y', relevance: 7 }], reasoning: 'r' },
      ],
      actions: [{ type: 'restart_pod', target: 'payment-service', risk_level: 'catastrophic' }, { type: 'scale_up', target: 'payment-service', risk_level: 'Low' }],
    });
    const server = await serve({ steps: streamedAnswer(answer, 9) });
    const events = await collect(analyzer(server.url));
    expect(ofType(events, 'hypothesis').map((event) => [event.hypothesis.category, event.hypothesis.evidence[0]?.signal])).toEqual([
      ['memory_leak', 'memory_usage_bytes'],
    ]);
    expect(notices(events)).toEqual([
      expect.stringMatching(/^skipped hypothesis 2 from the LLM: evidence\.0\.relevance: /),
      expect.stringMatching(/^skipped action 1 from the LLM: risk_level: /),
    ]);
    // No approval flag from the model: the action waits for one.
    expect(ofType(events, 'action').map((event) => event.action)).toEqual([
      { type: 'scale_up', target: 'payment-service', riskLevel: 'low', blastRadius: '', rationale: '', requiresApproval: true },
    ]);
  });

  it('says so when the answer contains no JSON, or JSON that breaks off into garbage', async () => {
    const prose = await serve({ steps: streamedAnswer('It is probably a memory leak in the payment service. Restart the pods.') });
    const first = await collect(analyzer(prose.url));
    expect(notices(first)).toEqual(["the LLM's answer contains no JSON object"]);
    expect(finished(first).hypotheses).toEqual([]);

    const broken = await serve({ steps: streamedAnswer('{"hypotheses": [{"description": "leak", "category": memory_leak}]}') });
    const second = await collect(analyzer(broken.url));
    expect(notices(second)).toEqual([expect.stringMatching(/^the LLM's answer is not valid JSON \(/)]);
  });

  it('looks past a JSON object that holds no answer (a reasoning model thinking aloud) to the answer after it', async () => {
    const thinking = '<think>The format is {"hypotheses": [...]}; an example item is {"signal": "x"}. OK.</think>\n';
    const server = await serve({ steps: streamedAnswer(`${thinking}${modelAnswerText}`, 5) });
    const events = await collect(analyzer(server.url));
    expect(notices(events)).toEqual([]);
    expect(finished(events).hypotheses).toHaveLength(3);

    const empty = await serve({ steps: streamedAnswer('{"analysis": "memory is growing"}') });
    const second = await collect(analyzer(empty.url));
    expect(notices(second)).toEqual([`the LLM's answer has no "hypotheses" list`]);
    expect(finished(second).hypotheses).toEqual([]);
  });

  it('drops terminal escape sequences from what the model and the server send', async () => {
    const answer = JSON.stringify({
      hypotheses: [{ description: 'Leak\u001b[2J in the cache', category: 'memory_leak', evidence: [{ signal: 'memory_usage_bytes', observation: 'grows\u0007', relevance: 0.9 }], reasoning: 'r' }],
      actions: [{ type: 'restart_pod', target: 'payment-service', risk_level: 'low', rationale: '\u001b]0;pwned\u0007restart' }],
    });
    const server = await serve({ steps: streamedAnswer(answer, 3) });
    const events = await collect(analyzer(server.url));
    expect(JSON.stringify(events)).not.toMatch(/\\u001b|\\u0007/);
    expect(finished(events).hypotheses[0]?.description).toBe('Leak[2J in the cache');
    expect(finished(events).actions[0]?.rationale).toBe(']0;pwnedrestart');

    const hostile = await serve({ status: 500, headers: { 'content-type': 'text/plain' }, steps: ['overloaded\u001b[2J'] });
    expect(notices(await collect(analyzer(hostile.url)))).toEqual([`LLM at ${hostile.url} answered HTTP 500: overloaded[2J`]);
  });

  it('says so when something other than an LLM answers 200 (a proxy login page)', async () => {
    const server = await serve({ headers: { 'content-type': 'text/html; charset=utf-8' }, steps: ['<html><body>Please sign in</body></html>'] });
    const events = await collect(analyzer(server.url));
    expect(notices(events)).toEqual([`LLM at ${server.url} answered text/html instead of a chat-completions stream: <html><body>Please sign in</body></html>`]);
  });

  it('reads a server that ignores stream:true and answers with one JSON completion', async () => {
    const completion = { id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: modelAnswerText }, finish_reason: 'stop' }] };
    const server = await serve({ headers: { 'content-type': 'application/json' }, steps: [JSON.stringify(completion)] });
    const events = await collect(analyzer(server.url));
    expect(finished(events).hypotheses).toHaveLength(3);
    expect(notices(events)).toEqual([]);
  });

  it('asks again without response_format when the server does not know it', async () => {
    const server = await serve(
      { status: 400, headers: { 'content-type': 'application/json' }, steps: ['{"error":{"message":"unknown field: response_format"}}'] },
      { steps: streamedAnswer(modelAnswerText) },
    );
    const events = await collect(analyzer(server.url));
    expect(server.requests[0]?.body.response_format).toEqual({ type: 'json_object' });
    expect(server.requests[1]?.body.response_format).toBeUndefined();
    expect(finished(events).hypotheses).toHaveLength(3);
  });

  it('stops quietly when the user cancels mid-stream', async () => {
    const server = await serve({ steps: [...pieces(modelAnswerText, 5).map((piece) => contentEvent(piece)), { hang: true }] });
    const controller = new AbortController();
    const seen: AnalysisEvent[] = [];
    for await (const event of analyzer(server.url).analyze(input, controller.signal)) {
      seen.push(event);
      if (event.type === 'hypothesis') controller.abort();
    }
    expect(ofType(seen, 'hypothesis')).toHaveLength(1);
    expect(seen.some((event) => event.type === 'notice' || event.type === 'analysis-finished')).toBe(false);
  });
});
