import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import type { IncidentReport } from '../../src/incidents/types.js';
import { runCli } from '../helpers/cli.js';
import { closedPort, contentEvent, pieces, startFakeLlm, streamedAnswer, type FakeLlm } from './fake-llm-server.js';
import { modelAnswerText } from './fixtures.js';

// `firedrill incident` as a user runs it, with the LLM chosen by the environment. The LLM is a
// local OpenAI-compatible streaming server (fake-llm-server.ts) standing in for Ollama, vLLM or
// OpenAI, which cannot run on these machines.

let dataDir: string;
let server: FakeLlm | undefined;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-llm-cli-'));
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // The developer's own LLM settings must not leak into the test.
  // XDG_CONFIG_HOME: an empty place, so that no config file of the developer's is read.
  const env: NodeJS.ProcessEnv = { ...process.env, FIREDRILL_DATA_DIR: dataDir, XDG_CONFIG_HOME: dataDir, ...extra };
  for (const name of ['OPENAI_BASE_URL', 'OPENAI_API_KEY', 'OPENAI_MODEL', 'FIREDRILL_LLM_URL', 'FIREDRILL_LLM_MODEL', 'FIREDRILL_LLM_API_KEY']) if (!(name in extra)) delete env[name];
  return env;
}

describe('firedrill incident with an LLM', () => {
  it('uses the LLM named by FIREDRILL_LLM_URL and reports its hypotheses, labelled with the model', async () => {
    server = await startFakeLlm([{ steps: streamedAnswer(modelAnswerText) }]);
    const result = await runCli(['incident', 'memory_leak_gradual', '--speed', '150', '--json'], {
      env: cleanEnv({ FIREDRILL_LLM_URL: server.url, FIREDRILL_LLM_MODEL: 'llama3.1:8b', FIREDRILL_LLM_API_KEY: 'sk-cli-secret' }),
    });
    expect(result.stderr).not.toContain('sk-cli-secret');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as IncidentReport;
    expect(report.source).toBe(`llama3.1:8b via ${new URL(server.url).host}`);
    expect(report.hypotheses.map((hypothesis) => hypothesis.category)).toEqual(['memory_leak', 'deployment_issue', 'traffic_surge']);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-cli-secret');
  });

  it('says the answer was partial in --json and in history when the stream is cut after a complete hypothesis', async () => {
    const cutAt = modelAnswerText.indexOf('Unbounded in-process cache') + 40;
    server = await startFakeLlm([{ steps: [...pieces(modelAnswerText.slice(0, cutAt), 50).map((piece) => contentEvent(piece)), { cut: true }] }]);
    const result = await runCli(['incident', 'memory_leak_gradual', '--speed', '150', '--json'], {
      env: cleanEnv({ FIREDRILL_LLM_URL: server.url, FIREDRILL_LLM_MODEL: 'llama3.1:8b' }),
    });
    expect(result.code).toBe(0);
    const label = `llama3.1:8b via ${new URL(server.url).host} (partial: stream ended early)`;
    const report = JSON.parse(result.stdout) as IncidentReport;
    expect(report.source).toBe(label);
    expect(report.hypotheses.map((hypothesis) => hypothesis.category)).toEqual(['deployment_issue']);
    const store = SqliteHistoryStore.open(dataDir);
    try {
      expect((await store.listIncidents({ limit: 5 })).map((incident) => incident.source)).toEqual([label]);
    } finally {
      await store.close();
    }
  });

  it('says it waits for an LLM that accepts and never answers, and gives up after --llm-timeout', async () => {
    server = await startFakeLlm([{ hangBeforeHeaders: true, steps: [] }]);
    const result = await runCli(['incident', 'memory_leak_gradual', '--speed', '150', '--json', '--llm-timeout', '2'], {
      env: cleanEnv({ FIREDRILL_LLM_URL: server.url }),
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`waiting for the LLM at ${server.url} to answer: 1 s (gives up after 2.0 s of silence)\n`);
    expect(result.stderr).toContain(`LLM at ${server.url} did not answer within 2.0 s (timeout)`);
    expect((JSON.parse(result.stdout) as IncidentReport).source).toBe('built-in (fallback: timeout)');

    const bad = await runCli(['incident', 'memory_leak_gradual', '--llm-timeout', '0'], { env: cleanEnv({ FIREDRILL_LLM_URL: server.url }) });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--llm-timeout: expected seconds, a number above 0 and at most 3600, found "0"');
  });

  it('falls back to the built-in analyzer when the LLM is down, and says so', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const result = await runCli(['incident', 'memory_leak_gradual', '--speed', '150', '--json', '--llm-url', url], {
      env: cleanEnv({}),
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`LLM at ${url} is not reachable (connection refused)`);
    const report = JSON.parse(result.stdout) as IncidentReport;
    expect(report.source).toBe('built-in (fallback: connection refused)');
    expect(report.hypotheses[0]?.category).toBe('memory_leak');
  });

  it('rejects an --llm-url that is not a URL with one clear sentence', async () => {
    const result = await runCli(['incident', 'memory_leak_gradual', '--llm-url', 'localhost:11434'], { env: cleanEnv({}) });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('firedrill incident: --llm-url: expected an http(s) URL such as http://127.0.0.1:11434/v1, found "localhost:11434", which has no http:// or https:// in front');
  });
});
