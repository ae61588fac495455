import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../../src/analysis/builtin.js';
import { filterScenarios, loadScenarios } from '../../src/incidents/load.js';
import { TrainingDesk } from '../../src/training/desk.js';
import type { ExerciseController } from '../../src/training/exercise.js';
import type { StageQuestion } from '../../src/training/types.js';
import { App } from '../../src/ui/App.js';
import { exerciseReducer, exerciseTimeline, initialExerciseView } from '../../src/ui/training/exercise-state.js';
import { burst, KEYS, press, renderInk, waitForFrame } from '../helpers/ink.js';
import { services } from '../ui/console-fixtures.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-training-screens-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const scenarios = filterScenarios(loadScenarios(path.resolve('scenarios')).scenarios);
const desk = new TrainingDesk({
  scenarios,
  settings: { passScore: 80, parSeconds: { beginner: 120, intermediate: 180, advanced: 240 }, speed: 600 },
  dataDir,
  analyzer: () => new BuiltinAnalyzer({ pieceDelayMs: 0 }),
});
afterAll(() => desk.close());

/** The console's training services on a real desk; the controllers it hands out are kept for the test to read. */
function trainingConsole() {
  const started: ExerciseController[] = [];
  return {
    started,
    services: services({
      training: {
        trainee: 'ana',
        ladder: async (trainee) => desk.ladder(trainee),
        startExercise: async (exerciseId, trainee) => {
          const controller = await desk.startExercise(exerciseId, trainee);
          started.push(controller);
          return controller;
        },
      },
    }),
  };
}

/** The key of a right answer, or of a wrong one that is not high-risk (which would cost 5 more). */
const digitOf = (question: StageQuestion, right: boolean) =>
  String(question.candidates.findIndex((candidate) => question.answers.includes(candidate.id) === right && (right || candidate.riskLevel !== 'high')) + 1);

describe('the training screens', () => {
  it('ladder, an exercise answered by one burst of keys, the debrief, and the ladder again with the score', async () => {
    const { services: consoleServices, started } = trainingConsole();
    const app = renderInk(<App services={consoleServices} initialScreen={{ name: 'training' }} />);
    const ladder = await waitForFrame(app, ['Training · ana', '── beginner', '── intermediate']);
    expect(ladder).toContain('1 · payment-service · high');
    expect(ladder).toMatch(/locked: pass every beginner exercise/);
    await press(app.stdin, KEYS.enter);
    await waitForFrame(app, 'Detection: Which signal shows the problem first?');
    const questions = started[0]!.sheet.questions;
    // Four answers in one chunk: each digit must land on the question it was typed for.
    await burst(app.stdin, ...questions.map((question, index) => digitOf(question, index !== 3)));
    const debrief = await waitForFrame(app, ['score 75', 'not passed yet', 'What to look at', 'Your answers', '✗ Mitigation']);
    expect(debrief).toContain('✓ Detection');
    expect(debrief).toContain('r try again');
    await waitForFrame(app, 'Hypotheses');
    await press(app.stdin, 'q');
    await waitForFrame(app, ['CPU Spike from Traffic Su', 'best 75 · 1 attempt']);
    app.unmount();
  });

  it('h shows the stage\'s hint and its cost; q abandons and nothing is kept', async () => {
    const { services: consoleServices } = trainingConsole();
    const app = renderInk(<App services={consoleServices} initialScreen={{ name: 'training', lastExerciseId: 'disk_full_log_volume' }} />);
    await waitForFrame(app, '── beginner');
    await press(app.stdin, KEYS.enter);
    await waitForFrame(app, 'Detection: Which signal shows the problem first?');
    await press(app.stdin, 'h');
    await waitForFrame(app, 'hint: The disk fills as a steady climb');
    expect(app.lastFrame()).toContain('hint (-5 each)');
    await press(app.stdin, 'q');
    await waitForFrame(app, '›   2 · order-service');
    expect(desk.ladder('ana').levels[0]!.entries.find((entry) => entry.exercise.id === 'disk_full_log_volume')!.attempts).toBe(0);
    app.unmount();
  });
});

describe('the exercise screen\'s state', () => {
  it('folds the incident, the open stage, hints and answers, then the score', () => {
    let state = initialExerciseView();
    state = exerciseReducer(state, {
      type: 'exercise-started', attemptId: 'att', exerciseId: 'x', kind: 'scenario', trainee: 'ana', level: 'beginner', service: 'api', severity: 'high',
      parSeconds: 120, hintCost: 5, seed: 1, context: { environment: 'production' }, startedAt: '2026-12-01T10:00:00.000Z',
      metrics: [{ name: 'errors_total', value: 10, baseline: 0, deviationSigma: 5, pattern: 'step', unit: 'count' }],
    });
    expect(state).toMatchObject({ phase: 'answering', service: 'api', hintCost: 5 });
    expect(state.incident.metrics.map((metric) => metric.name)).toEqual(['errors_total']);
    state = exerciseReducer(state, { type: 'stage-opened', stage: 'detection', index: 0, question: 'Which?', candidates: [{ id: 'errors_total', label: 'errors_total' }], hintsLeft: 1, at: '2026-12-01T10:00:01.000Z' });
    state = exerciseReducer(state, { type: 'hint', stage: 'detection', text: 'look up', cost: 5, hintsLeft: 0, at: '2026-12-01T10:00:02.000Z' });
    expect(state.hints).toEqual([{ text: 'look up', cost: 5 }]);
    expect(state.stage?.hintsLeft).toBe(0);
    state = exerciseReducer(state, { type: 'incident', event: { type: 'timeline', at: '2026-12-01T10:00:01.500Z', message: 'incident opened (high)' } });
    state = exerciseReducer(state, {
      type: 'answer-recorded',
      answer: { stage: 'detection', candidateId: 'errors_total', label: 'errors_total', correct: true, answeredAt: '2026-12-01T10:00:03.000Z', elapsedMs: 2000, hintsUsed: 1 },
    });
    expect(state.stage).toBeUndefined();
    expect(state.answers).toHaveLength(1);
    expect(exerciseTimeline(state).map((entry) => entry.message)).toEqual(['incident opened (high)', 'hint taken (-5)', 'detection answered: errors_total']);
    expect(exerciseReducer(state, { type: 'engine-stopped' }).phase).toBe('stopped');
    expect(exerciseReducer(state, { type: 'exercise-finished', status: 'failed', error: 'boom' })).toMatchObject({ phase: 'failed', error: 'boom' });
  });
});
