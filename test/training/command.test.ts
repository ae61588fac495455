import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from '../../src/commands/train.js';
import { UsageError } from '../../src/errors.js';
import { SqliteTrainingStore } from '../../src/training/store.js';
import { STAGES, type AttemptRecord } from '../../src/training/types.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-training-command-'));
  const store = SqliteTrainingStore.open(path.join(dir, 'data'));
  const save = (id: string, trainee: string, exerciseId: string, title: string, score: number, right: boolean[]) => {
    const attempt: AttemptRecord = {
      id, trainee, exerciseId, exerciseTitle: title, kind: 'scenario', level: 'beginner', machine: 'host', seed: 1,
      startedAt: '2026-12-01T09:00:00.000Z', finishedAt: '2026-12-01T09:01:00.000Z', durationMs: 61_000, parSeconds: 120, hintsUsed: 0, score, passed: score >= 80,
      answers: STAGES.map((stage, index) => ({ stage, candidateId: 'x', label: 'x', correct: right[index]!, answeredAt: '2026-12-01T09:01:00.000Z', elapsedMs: 15_000, hintsUsed: 0 })),
      parts: [],
    };
    store.saveAttempt(attempt, { id: exerciseId, kind: 'scenario', level: 'beginner', title, service: 's', severity: 'high' });
  };
  save('a1', 'ana', 'memory_leak_gradual', 'Gradual Memory Leak', 100, [true, true, true, true]);
  save('a2', 'ana', 'cpu_spike_traffic_surge', 'CPU Spike from Traffic Surge', 70, [true, true, false, true]);
  save('b1', 'bo', 'memory_leak_gradual', 'Gradual Memory Leak', 45, [false, true, false, true]);
  store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function train(...argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (chunk) => (out += chunk));
  const code = await command({ argv: [...argv, '--data-dir', path.join(dir, 'data')], stdout, stderr, env: { XDG_CONFIG_HOME: dir }, signal: new AbortController().signal });
  return { code, stdout: out };
}

describe('firedrill train --report and --roster', () => {
  it('--report: the level, each exercise\'s best, the accuracy per stage and the weakest stage', async () => {
    const { code, stdout } = await train('--report', '--trainee', 'ana');
    expect(code).toBe(0);
    expect(stdout).toContain('Trainee ana · level beginner · pass score 80 · 2 attempts');
    expect(stdout).toMatch(/beginner\s+Gradual Memory Leak\s+100\s+1\s+1 min 01 s\s+passed/);
    expect(stdout).toMatch(/beginner\s+CPU Spike from Traffic Surge\s+70\s+1\s+1 min 01 s\s+not yet/);
    expect(stdout).toMatch(/intermediate\s+\d+ · [a-z-]+ · \w+\s+-\s+0\s+-\s+locked/);
    expect(stdout).toContain('Root cause    1/2 right (50 %), mean 15.0 s');
    expect(stdout).toContain('Weakest stage: Root cause');
    const json = JSON.parse((await train('--report', '--trainee', 'ana', '--json')).stdout);
    expect(json).toMatchObject({ trainee: 'ana', level: 'beginner', attempts: 2, weakestStage: 'root_cause' });
  });

  it('--roster: every trainee on the store', async () => {
    const { stdout } = await train('--roster');
    expect(stdout).toMatch(/ana\s+beginner\s+1\/\d+\s+2\s+85\.0/);
    expect(stdout).toMatch(/bo\s+beginner\s+0\/\d+\s+1\s+45\.0\s+2026-12-01 09:00\s+Detection/);
    expect(stdout).toContain('2 trainees; an exercise is passed at 80.');
    const json = JSON.parse((await train('--roster', '--json')).stdout) as { trainee: string }[];
    expect(json.map((row) => row.trainee)).toEqual(['ana', 'bo']);
  });

  it('refuses what does not go together, in one sentence', async () => {
    await expect(train()).rejects.toThrow(new UsageError('firedrill train: the ladder opens in the console, which needs a terminal; headless, use --report, --roster or --agent'));
    await expect(train('--report', '--roster')).rejects.toThrow('one of --report, --roster, --agent at a time, got --report and --roster');
    await expect(train('--roster', '--trainee', 'ana')).rejects.toThrow('--trainee goes with --report');
    await expect(train('--report', '--llm-url', 'http://127.0.0.1:1/v1')).rejects.toThrow('--llm-url and --llm-model go with --agent');
    await expect(train('--report', '--trainee', 'ana\u001b[31m')).rejects.toThrow(/--trainee must be 1 to 64 letters.*got "ana\?\[31m"/);
  });
});
