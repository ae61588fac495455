// The exercise screen in-process for bench/training.mjs: the console's App on the training
// ladder (ink-testing-library's render, inside the KeyRouter), a real desk on a temp data dir.
import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { BuiltinAnalyzer } from '../src/analysis/builtin.js';
import type { Scenario } from '../src/incidents/types.js';
import { TrainingDesk } from '../src/training/desk.js';
import type { ExerciseController } from '../src/training/exercise.js';
import { App } from '../src/ui/App.js';
import { KeyRouter } from '../src/ui/keys/KeyRouter.js';
import type { ConsoleServices } from '../src/ui/services.js';

async function waitFor(frame: () => string, text: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!stripVTControlCharacters(frame()).includes(text)) {
    if (Date.now() > deadline) throw new Error(`never showed ${text}:\n${stripVTControlCharacters(frame())}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Milliseconds from each answer's key to the next question (or the score) on the frame. */
export async function answerToNextStage({ dataDir, scenarios, rounds }: { dataDir: string; scenarios: Scenario[]; rounds: number }): Promise<number[]> {
  const desk = new TrainingDesk({
    scenarios: scenarios.filter((scenario) => scenario.difficulty === 'beginner'),
    settings: { passScore: 80, parSeconds: { beginner: 120, intermediate: 180, advanced: 240 }, speed: 30 },
    dataDir,
    analyzer: () => new BuiltinAnalyzer({ pieceDelayMs: 0 }),
  });
  const started: ExerciseController[] = [];
  const services = {
    machine: 'bench',
    drills: [],
    samples: { recent: () => [], subscribe: () => () => {} },
    runDrills: async function* () {},
    loadScenarios: async () => ({ scenarios, errors: [] }),
    incidentEvents: async function* () {},
    incidentEngine: 'in-process',
    training: {
      trainee: 'bench',
      ladder: async (trainee: string) => desk.ladder(trainee),
      startExercise: async (exerciseId: string, trainee: string) => {
        const controller = await desk.startExercise(exerciseId, trainee);
        started.push(controller);
        return controller;
      },
    },
  } as unknown as ConsoleServices;
  const times: number[] = [];
  const app = render(createElement(KeyRouter, { children: createElement(App, { services, initialScreen: { name: 'training' } }) }));
  const frame = () => app.lastFrame() ?? '';
  try {
    for (let round = 0; round < rounds; round += 1) {
      await waitFor(frame, '── beginner');
      app.stdin.write('\r');
      await waitFor(frame, 'stage 1/4');
      const questions = started.at(-1)!.sheet.questions;
      for (const [index, question] of questions.entries()) {
        const digit = String(question.candidates.findIndex((candidate) => question.answers.includes(candidate.id)) + 1);
        // Let the stage's list start listening (an effect after its first frame), as a person would.
        await new Promise((resolve) => setTimeout(resolve, 30));
        const start = performance.now();
        app.stdin.write(digit);
        await waitFor(frame, index < questions.length - 1 ? `stage ${index + 2}/4` : 'try again');
        times.push(performance.now() - start);
      }
      app.stdin.write('q');
    }
  } finally {
    app.unmount();
    desk.close();
  }
  return times;
}
