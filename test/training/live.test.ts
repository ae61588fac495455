import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../../src/analysis/builtin.js';
import { defaultConfig } from '../../src/config/config.js';
import { isSameProcessAlive, readProcessStat } from '../../src/drills/proc.js';
import { readLedger } from '../../src/drills/ledger.js';
import { filterScenarios, loadScenarios } from '../../src/incidents/load.js';
import { resolvePaths } from '../../src/paths.js';
import { TrainingDesk } from '../../src/training/desk.js';
import type { ExerciseController } from '../../src/training/exercise.js';
import { descendantsOf, isAlive } from '../helpers/procs.js';
import { SqliteTrainingStore } from '../../src/training/store.js';
import type { ExerciseEvent, StageQuestion } from '../../src/training/types.js';

// Real faults on this machine (one busy process, small files): kept small and short, as every test here.

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const scenarios = filterScenarios(loadScenarios(path.resolve('scenarios')).scenarios);

function liveDesk() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-training-live-'));
  dirs.push(dataDir);
  const paths = resolvePaths({ dataDir }, {});
  const config = defaultConfig();
  config.drills.disk_fill.directory = dataDir;
  // The advanced level is open (live exercises are advanced): every scenario passed, as a trainee who got there.
  const store = SqliteTrainingStore.open(dataDir);
  for (const scenario of scenarios) {
    store.saveAttempt(
      {
        id: `att_${scenario.id}`, trainee: 'lia', exerciseId: scenario.id, exerciseTitle: scenario.name, kind: 'scenario', level: scenario.difficulty, machine: 'host', seed: 1,
        startedAt: '2026-12-01T09:00:00.000Z', finishedAt: '2026-12-01T09:01:00.000Z', durationMs: 60_000, parSeconds: 120, hintsUsed: 0, score: 100, passed: true, answers: [], parts: [],
      },
      { id: scenario.id, kind: 'scenario', level: scenario.difficulty, title: scenario.name, service: scenario.service, severity: scenario.severity },
    );
  }
  const desk = new TrainingDesk({
    scenarios,
    store,
    settings: { passScore: 80, parSeconds: { beginner: 120, intermediate: 180, advanced: 240 }, speed: 600 },
    dataDir,
    analyzer: () => new BuiltinAnalyzer({ pieceDelayMs: 0 }),
    live: { config, paths, timing: { sampleMs: 250, baselineSeconds: 1 }, faultOverrides: { disk_filling: { size_mb: 32, rate_mb_per_second: 64 } } },
  });
  return { desk, paths };
}

/** Plays a live exercise, `choose` picking each stage's answer; returns the events and every pid the exercise showed as firedrill's. */
async function play(exercise: ExerciseController, choose: (question: StageQuestion) => string, signal = new AbortController().signal, onEvent?: (event: ExerciseEvent) => void) {
  const events: ExerciseEvent[] = [];
  const pids = new Map<number, number>();
  for await (const event of exercise.events(signal)) {
    events.push(event);
    onEvent?.(event);
    if (event.type === 'stage-opened') {
      for (const candidate of event.candidates) {
        const pid = /^stop:(\d+)$/.exec(candidate.id)?.[1];
        if (pid) pids.set(Number(pid), readProcessStat(Number(pid))?.startTime ?? -1);
      }
      exercise.answer(choose(exercise.sheet.questions[event.index]!));
    }
  }
  return { events, pids };
}

const right = (question: StageQuestion) => question.answers[0]!;

describe('a live exercise', () => {
  it('a runaway process: found in the process table, stopped from the exercise, verified gone; decoys and ledger clean after', async () => {
    const { desk, paths } = liveDesk();
    const exercise = await desk.startExercise('live_runaway_cpu', 'lia', 5);
    const { events, pids } = await play(exercise, right);
    const scored = events.find((event) => event.type === 'exercise-scored');
    if (scored?.type !== 'exercise-scored') throw new Error(`no score: ${JSON.stringify(events.filter((event) => event.type !== 'processes' && event.type !== 'incident'))}`);
    expect(scored.attempt.answers.map((answer) => [answer.stage, answer.correct])).toEqual([['detection', true], ['localisation', true], ['mitigation', true]]);
    expect(scored.attempt).toMatchObject({ kind: 'live', score: 100, passed: true });
    expect(events).toContainEqual({ type: 'notice', level: 'info', message: 'verified: the process is gone' });
    const table = events.find((event) => event.type === 'processes');
    expect(table?.type === 'processes' && table.processes.length).toBeGreaterThan(0);
    // The culprit was stopped by the trainee; the two decoys by firedrill at the end.
    expect(pids.size).toBe(3);
    for (const [pid, startTime] of pids) expect(isSameProcessAlive(pid, startTime), `pid ${pid}`).toBe(false);
    expect(await readLedger(paths)).toEqual([]);
    expect(desk.ladder('lia').levels[2]!.entries.find((entry) => entry.exercise.id === 'live_runaway_cpu')).toMatchObject({ attempts: 1, bestScore: 100 });
    desk.close();
  }, 60_000);

  it('the wrong process stopped: not mitigated, and firedrill ends the fault itself', async () => {
    const { desk, paths } = liveDesk();
    const exercise = await desk.startExercise('live_runaway_cpu', 'lia', 6);
    const { events, pids } = await play(exercise, (question) => (question.stage === 'mitigation' ? question.candidates.find((candidate) => !question.answers.includes(candidate.id))!.id : right(question)));
    const scored = events.find((event) => event.type === 'exercise-scored');
    expect(scored?.type === 'exercise-scored' && scored.attempt.answers.at(-1)).toMatchObject({ stage: 'mitigation', correct: false });
    expect(events.some((event) => event.type === 'notice' && /^not mitigated: .* is still running$/.test(event.message))).toBe(true);
    for (const [pid, startTime] of pids) expect(isSameProcessAlive(pid, startTime), `pid ${pid}`).toBe(false);
    expect(await readLedger(paths)).toEqual([]);
    desk.close();
  }, 60_000);

  it('a file filling the disk: deleted from the exercise, the space verified back', async () => {
    const { desk, paths } = liveDesk();
    const exercise = await desk.startExercise('live_disk_filling', 'lia', 7);
    const { events } = await play(exercise, right);
    expect(events).toContainEqual({ type: 'notice', level: 'info', message: 'verified: the file is gone and the disk space is back' });
    expect(await readLedger(paths)).toEqual([]);
    desk.close();
  }, 60_000);

  it('stopped in the middle: the fault and the decoys end, nothing is kept, the ledger is empty', async () => {
    const { desk, paths } = liveDesk();
    const exercise = await desk.startExercise('live_memory_leak', 'lia', 8);
    const controller = new AbortController();
    const before = new Set(descendantsOf(process.pid));
    let started: number[] = [];
    const { events } = await play(
      exercise,
      (question) => {
        if (question.stage === 'localisation') {
          // The leaking process and the two decoys run now: children of this process.
          started = descendantsOf(process.pid).filter((pid) => !before.has(pid));
          controller.abort();
        }
        return right(question);
      },
      controller.signal,
    );
    expect(events.at(-1)).toEqual({ type: 'exercise-finished', status: 'stopped' });
    expect(started.length).toBeGreaterThanOrEqual(3);
    expect(started.filter(isAlive)).toEqual([]);
    expect(await readLedger(paths)).toEqual([]);
    expect(desk.ladder('lia').levels[2]!.entries.find((entry) => entry.exercise.id === 'live_memory_leak')!.attempts).toBe(0);
    desk.close();
  }, 60_000);
});
