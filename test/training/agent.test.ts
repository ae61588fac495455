import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from '../../src/commands/train.js';
import type { AgentScorecard } from '../../src/training/agent.js';
import { startFakeLlm, streamedAnswer, type FakeLlm } from '../analysis/fake-llm-server.js';

/**
 * `firedrill train --agent` against a local OpenAI-compatible test server (test/analysis/fake-llm-server.ts:
 * the chat-completions wire format, streamed as server-sent events), standing in for Ollama or OpenAI.
 * Its answers are right for some stages and wrong for others; the scorecard must say which.
 */
let dir: string;
let llm: FakeLlm;

// disk_full_log_volume comes first (both are beginner; by id): its reply is the first.
const diskReply = {
  hypotheses: [
    {
      description: 'A memory leak in order-service',
      category: 'memory_leak',
      evidence: [
        { signal: 'log_bytes_written_per_second', observation: 'jumped a hundredfold', relevance: 0.9 },
        { signal: 'disk_usage_percent', observation: 'climbing', relevance: 0.6 },
      ],
      reasoning: 'memory grows',
    },
  ],
  actions: [{ type: 'free_disk_space', target: 'order-service', risk_level: 'low', blast_radius: 'rotated logs', rationale: 'writes fail', requires_approval: false }],
};
const memoryReply = {
  hypotheses: [
    {
      description: 'Memory leak in payment-service',
      category: 'memory_leak',
      evidence: [
        { signal: 'garbage_collections_total', observation: 'GC runs ten times as often', relevance: 0.95 },
        { signal: 'memory_usage_bytes', observation: 'climbs steadily', relevance: 0.8 },
      ],
      reasoning: 'memory never comes back',
    },
  ],
  actions: [{ type: 'drain_node', target: 'payment-service', risk_level: 'high', blast_radius: 'every pod on the node', rationale: 'move it', requires_approval: true }],
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-training-agent-'));
  mkdirSync(path.join(dir, 'scenarios'));
  for (const id of ['memory_leak_gradual', 'disk_full_log_volume']) copyFileSync(path.resolve(`scenarios/${id}.yaml`), path.join(dir, 'scenarios', `${id}.yaml`));
  const disk = { steps: streamedAnswer(JSON.stringify(diskReply), 40) };
  const memory = { steps: streamedAnswer(JSON.stringify(memoryReply), 40) };
  // Two runs of the agent below, two exercises each.
  llm = await startFakeLlm([disk, memory, disk, memory]);
});
afterAll(async () => {
  await llm.close();
  rmSync(dir, { recursive: true, force: true });
});

async function train(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  const env = { FIREDRILL_SCENARIOS_DIR: path.join(dir, 'scenarios'), XDG_CONFIG_HOME: dir };
  const code = await command({ argv: [...argv, '--data-dir', path.join(dir, 'data')], stdout, stderr, env, signal: new AbortController().signal });
  return { code, stdout: out, stderr: err };
}

describe('firedrill train --agent with an LLM', () => {
  it('scores each stage of each exercise from the LLM\'s answer, and says exactly which were right', async () => {
    const { code, stdout } = await train(['--agent', '--json', '--llm-url', llm.url, '--llm-model', 'fake-model']);
    expect(code).toBe(0);
    expect(llm.requests).toHaveLength(2);
    expect(JSON.stringify(llm.requests[0]!.body.messages)).toContain('order-service');
    const card = JSON.parse(stdout) as AgentScorecard;
    expect(card.source).toBe(`fake-model via ${new URL(llm.url).host}`);
    const verdicts = Object.fromEntries(card.exercises.map((result) => [result.exerciseId, Object.fromEntries(result.answers.map((answer) => [answer.stage, answer.correct]))]));
    expect(verdicts).toEqual({
      disk_full_log_volume: { detection: true, localisation: true, root_cause: false, mitigation: true },
      memory_leak_gradual: { detection: false, localisation: true, root_cause: true, mitigation: false },
    });
    const memory = card.exercises.find((result) => result.exerciseId === 'memory_leak_gradual')!;
    expect(memory.answers.find((answer) => answer.stage === 'detection')).toMatchObject({ candidateId: 'garbage_collections_total', correct: false });
    expect(memory.right.detection).toEqual(['memory_usage_bytes']);
    // Detection and mitigation wrong (45 of 100), and a high-risk action that was not needed (-5).
    expect(memory.score).toBe(50);
    expect(card.exercises.find((result) => result.exerciseId === 'disk_full_log_volume')!.score).toBe(70);
    expect(card.stages.map((stage) => [stage.stage, stage.right, stage.asked])).toEqual([
      ['detection', 1, 2],
      ['localisation', 2, 2],
      ['root_cause', 1, 2],
      ['mitigation', 1, 2],
    ]);
    for (const stage of card.stages) expect(stage.meanMs).toBeGreaterThan(0);
  });

  it('prints the same verdicts as a table', async () => {
    const { code, stdout } = await train(['--agent', '--llm-url', llm.url, '--llm-model', 'fake-model']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/disk_full_log_volume\s+70\s+right\s+right\s+wrong\s+right/);
    expect(stdout).toMatch(/memory_leak_gradual\s+50\s+wrong\s+right\s+right\s+wrong/);
    expect(stdout).toContain('Detection     1/2 right (50 %)');
  });

  it('the built-in analyzer answers without any server', async () => {
    const { code, stdout } = await train(['--agent', '--json']);
    expect(code).toBe(0);
    const card = JSON.parse(stdout) as AgentScorecard;
    expect(card.source).toBe('built-in');
    expect(card.exercises.every((result) => result.answers.find((answer) => answer.stage === 'root_cause')!.correct)).toBe(true);
  });
});
