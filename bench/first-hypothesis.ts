/**
 * Time to the first hypothesis: the built-in analyzer, and the LLM analyzer against a local
 * OpenAI-compatible server that streams a realistic answer at a realistic pace (a 7-8B model on
 * a laptop: ~30 tokens/s, ~4 characters per token, after a prompt-processing delay).
 *
 *   node --import tsx bench/first-hypothesis.ts
 *   BENCH_RUNS=5 BENCH_TOKENS_PER_SECOND=30 BENCH_PREFILL_MS=400 node --import tsx bench/first-hypothesis.ts
 *
 * The local server stands in for Ollama / vLLM / OpenAI, which cannot run here: what is measured
 * is firedrill's side (request, SSE parsing, incremental JSON, validation, confidence), against the
 * pace a real model sets.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BuiltinAnalyzer } from '../src/analysis/builtin.js';
import { LlmAnalyzer } from '../src/analysis/llm.js';
import { findScenario, knownRootCauses, loadScenarios } from '../src/incidents/load.js';
import type { AnalysisInput, Analyzer } from '../src/incidents/types.js';
import { modelAnswer } from '../test/analysis/fixtures.js';
import { reportRow } from './rows.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TOKENS_PER_SECOND = Number(process.env.BENCH_TOKENS_PER_SECOND ?? 30);
const PREFILL_MS = Number(process.env.BENCH_PREFILL_MS ?? 400);
/** Unpaced runs measure firedrill's own cost (request, SSE, JSON, validation): they are cheap. */
const UNPACED_RUNS = 20;
const CHARS_PER_TOKEN = 4;

interface Timings {
  firstText: number;
  firstHypothesis: number;
  finished: number;
}

async function measure(analyzer: Analyzer, input: AnalysisInput): Promise<Timings> {
  const start = performance.now();
  let firstText = NaN;
  let firstHypothesis = NaN;
  for await (const event of analyzer.analyze(input, new AbortController().signal)) {
    const elapsed = performance.now() - start;
    if (event.type === 'hypothesis-text' && Number.isNaN(firstText)) firstText = elapsed;
    if (event.type === 'hypothesis' && Number.isNaN(firstHypothesis)) firstHypothesis = elapsed;
    if (event.type === 'notice') throw new Error(`unexpected notice: ${event.message}`);
  }
  return { firstText, firstHypothesis, finished: performance.now() - start };
}

/** Streams `answer` one token per event, on an absolute schedule so that pauses do not drift. */
async function startPacedServer(answer: string, paced: boolean): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    for await (const _chunk of req) void _chunk;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const begin = performance.now();
    if (paced) await sleep(PREFILL_MS);
    for (let i = 0, token = 0; i < answer.length; i += CHARS_PER_TOKEN, token++) {
      const due = begin + PREFILL_MS + (token * 1000) / TOKENS_PER_SECOND;
      const wait = due - performance.now();
      if (paced && wait > 0) await sleep(wait);
      const chunk = { object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: answer.slice(i, i + CHARS_PER_TOKEN) }, finish_reason: null }] };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    res.end('data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function runs(label: string, analyzer: Analyzer, input: AnalysisInput, count: number) {
  const results: Timings[] = [];
  await measure(analyzer, input); // warm-up: module code, JIT, first connection
  for (let run = 0; run < count; run++) results.push(await measure(analyzer, input));
  return {
    label,
    firstText: median(results.map((result) => result.firstText)),
    firstHypothesis: median(results.map((result) => result.firstHypothesis)),
    finished: median(results.map((result) => result.finished)),
  };
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`;
}

const scenarios = loadScenarios().scenarios;
const scenario = findScenario('memory_leak_gradual', scenarios);
if (!scenario) throw new Error('scenarios/memory_leak_gradual.yaml is missing');
const input: AnalysisInput = { scenario, knownRootCauses: knownRootCauses(scenarios) };

// Compact JSON, as models in JSON mode write it.
const answer = JSON.stringify(modelAnswer);
const server = await startPacedServer(answer, true);
const unpaced = await startPacedServer(answer, false);
try {
  const llm = (url: string) => new LlmAnalyzer({ url, model: 'bench', timeoutMs: 10_000 });
  const rows = [
    await runs('built-in (console pacing, 25 ms a piece)', new BuiltinAnalyzer(), input, Math.max(RUNS, 5)),
    await runs('built-in (no pacing)', new BuiltinAnalyzer({ pieceDelayMs: 0 }), input, Math.max(RUNS, 5)),
    await runs('LLM, server sends all at once (firedrill cost)', llm(unpaced.url), input, UNPACED_RUNS),
    await runs(`LLM, streamed (${TOKENS_PER_SECOND} tok/s, ${PREFILL_MS} ms prefill)`, llm(server.url), input, RUNS),
  ];
  const tokens = Math.ceil(answer.length / CHARS_PER_TOKEN);
  console.log(`time to first hypothesis, medians (answer: ${answer.length} chars, ~${tokens} tokens; scenario ${scenario.id})\n`);
  console.log(`${'analyzer'.padEnd(48)}${'first text'.padStart(12)}${'first hypothesis'.padStart(18)}${'all done'.padStart(12)}`);
  for (const row of rows) {
    console.log(`${row.label.padEnd(48)}${ms(row.firstText).padStart(12)}${ms(row.firstHypothesis).padStart(18)}${ms(row.finished).padStart(12)}`);
  }
  const streamed = rows[3]!;
  // When the model has written the first hypothesis's closing brace: the earliest it could show.
  const firstItemEnd = answer.indexOf('},{"description"') + 1;
  const floor = PREFILL_MS + ((Math.ceil(firstItemEnd / CHARS_PER_TOKEN) - 1) * 1000) / TOKENS_PER_SECOND;
  console.log(
    `\nLLM streamed: the first hypothesis shows at ${((streamed.firstHypothesis / streamed.finished) * 100).toFixed(0)} % of the answer time, ` +
      `${(streamed.finished / streamed.firstHypothesis).toFixed(1)}x sooner than parsing the whole answer at the end;\n` +
      `the model finished writing it at ${ms(floor)}: firedrill added ${ms(streamed.firstHypothesis - floor)}.`,
  );
  reportRow({
    what: `first hypothesis on screen, LLM streamed at ${TOKENS_PER_SECOND} tokens/s`,
    figure: `${ms(streamed.firstHypothesis)} (${(streamed.finished / streamed.firstHypothesis).toFixed(1)}x sooner than the whole answer); built-in ${ms(rows[0]!.firstHypothesis)}`,
    against: `a local server replaying a fixed answer (${answer.length} chars): whole answer at ${ms(streamed.finished)}; firedrill adds ${ms(streamed.firstHypothesis - floor)} to when the model wrote it`,
  });
} finally {
  await server.close();
  await unpaced.close();
}
