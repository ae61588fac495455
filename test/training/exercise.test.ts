import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../../src/analysis/builtin.js';
import { knownRootCauses, loadScenarios } from '../../src/incidents/load.js';
import { seededRandom } from '../../src/incidents/metric-series.js';
import { ScenarioExercise, whileAnswering } from '../../src/training/exercise.js';
import { buildSheet } from '../../src/training/sheet.js';
import type { AttemptRecord, ExerciseEvent, StageQuestion } from '../../src/training/types.js';

const { scenarios } = loadScenarios(path.resolve('scenarios'));
const memory = scenarios.find((scenario) => scenario.id === 'memory_leak_gradual')!;

function exerciseOf(seed = 11, keep?: (attempt: AttemptRecord) => Promise<string | undefined>) {
  const sheet = buildSheet(memory, {
    seed,
    parSeconds: { beginner: 120, intermediate: 180, advanced: 240 },
    knownRootCauses: knownRootCauses(scenarios),
    services: ['payment-service', 'order-service', 'search-service'],
  });
  // 600x: the 300 s scenario plays in half a second; no pauses in the analyzer's stream.
  return new ScenarioExercise({
    scenario: memory, sheet, trainee: 'ana', analyzer: new BuiltinAnalyzer({ pieceDelayMs: 0 }),
    knownRootCauses: knownRootCauses(scenarios), speed: 600, random: seededRandom(1), machine: 'test-machine', ...(keep ? { keep } : {}),
  });
}

const rightOf = (question: StageQuestion) => question.answers[0]!;
const wrongOf = (question: StageQuestion) => question.candidates.find((candidate) => !question.answers.includes(candidate.id))!.id;

/** Plays an exercise, answering each stage when it opens with `choose` (after `before` if given). */
async function play(exercise: ScenarioExercise, choose: (question: StageQuestion, index: number) => string, before?: (index: number) => void, signal = new AbortController().signal) {
  const events: ExerciseEvent[] = [];
  for await (const event of exercise.events(signal)) {
    events.push(event);
    if (event.type === 'stage-opened') {
      before?.(event.index);
      exercise.answer(choose(exercise.sheet.questions[event.index]!, event.index));
    }
  }
  return events;
}

describe('a scenario exercise', () => {
  it('asks the four stages in order, timestamps each answer, scores, keeps the attempt, then lets the analyzer speak', async () => {
    const kept: AttemptRecord[] = [];
    const exercise = exerciseOf(11, async (attempt) => {
      kept.push(attempt);
      return undefined;
    });
    const events = await play(exercise, (question, index) => (index === 2 ? wrongOf(question) : rightOf(question)), (index) => index === 0 && exercise.hint());

    expect(events.filter((event) => event.type === 'stage-opened').map((event) => event.type === 'stage-opened' && event.stage)).toEqual(['detection', 'localisation', 'root_cause', 'mitigation']);
    const scored = events.find((event) => event.type === 'exercise-scored');
    if (scored?.type !== 'exercise-scored') throw new Error('no score');
    // Root cause wrong (30 points) and a hint (5): 65.
    expect(scored.attempt).toMatchObject({ trainee: 'ana', exerciseId: 'memory_leak_gradual', level: 'beginner', score: 65, passed: false, hintsUsed: 1, seed: 11, machine: 'test-machine' });
    expect(scored.attempt.answers.map((answer) => [answer.stage, answer.correct])).toEqual([['detection', true], ['localisation', true], ['root_cause', false], ['mitigation', true]]);
    for (const answer of scored.attempt.answers) {
      expect(Date.parse(answer.answeredAt)).toBeGreaterThan(0);
      expect(answer.elapsedMs).toBeGreaterThanOrEqual(0);
    }
    expect(scored.debrief.stages[2]).toMatchObject({ stage: 'root_cause', right: ['Memory leak'] });
    expect(scored.debrief.explanation).toContain('garbage');
    expect(kept).toEqual([scored.attempt]);

    const afterScore = events.slice(events.indexOf(scored));
    const hypotheses = afterScore.filter((event) => event.type === 'incident' && event.event.type === 'hypothesis');
    expect(hypotheses.length).toBeGreaterThan(0);
    expect(events.at(-1)).toEqual({ type: 'exercise-finished', status: 'completed' });
  });

  it('hides the analysis, the scenario\'s name and which metric tripped the alert until the last answer', async () => {
    // The first answer waits for the alert, so that the whole build-up is seen while answering.
    const exercise = exerciseOf(12);
    const events: ExerciseEvent[] = [];
    let waiting = true;
    for await (const event of exercise.events(new AbortController().signal)) {
      events.push(event);
      const alert = event.type === 'incident' && event.event.type === 'timeline' && event.event.message.startsWith('incident opened');
      if (alert || (event.type === 'stage-opened' && !waiting)) {
        waiting = false;
        const open = [...events].reverse().find((entry) => entry.type === 'stage-opened');
        if (open?.type === 'stage-opened') exercise.answer(rightOf(exercise.sheet.questions[open.index]!));
      }
    }
    const scoredAt = events.findIndex((event) => event.type === 'exercise-scored');
    const before = events.slice(0, scoredAt);
    const incidentTypes = new Set(before.flatMap((event) => (event.type === 'incident' ? [event.event.type] : [])));
    expect([...incidentTypes].sort()).toEqual(['metrics', 'timeline']);
    const text = JSON.stringify(before.map((event) => (event.type === 'incident' && event.event.type === 'timeline' ? event.event.message : event.type === 'hint' ? event.text : '')));
    expect(text).not.toContain(memory.name);
    expect(text).not.toContain('memory_leak');
    expect(text).not.toContain('memory_usage_bytes');
    expect(text).toContain('alert: anomaly detected after');
    expect(whileAnswering({ type: 'timeline', at: '', message: 'hypothesis 1: memory leak' }, 'high')).toBeUndefined();
    expect(whileAnswering({ type: 'timeline', at: '', message: 'analysis started (built-in)' }, 'high')).toBeUndefined();
  });

  it('gives the stage\'s hints one at a time, then says there are none left', async () => {
    const exercise = exerciseOf(13);
    const events = await play(exercise, rightOf, (index) => {
      if (index === 0) for (let n = 0; n < 3; n += 1) exercise.hint();
    });
    const hints = events.filter((event) => event.type === 'hint');
    expect(hints).toHaveLength(memory.training!.hints.detection!.length);
    expect(hints[0]).toMatchObject({ stage: 'detection', text: memory.training!.hints.detection![0], cost: 5, hintsLeft: 0 });
    expect(events).toContainEqual({ type: 'notice', level: 'info', message: 'no more hints for detection' });
  });

  it('refuses an answer that is not on offer and keeps the stage open', async () => {
    const exercise = exerciseOf(14);
    let refusedOnce = false;
    const events = await play(exercise, (question) => {
      if (!refusedOnce) {
        refusedOnce = true;
        exercise.answer('not_a_candidate');
      }
      return rightOf(question);
    });
    expect(events).toContainEqual({ type: 'notice', level: 'warn', message: '"not_a_candidate" is not an answer to detection' });
    expect(events.find((event) => event.type === 'exercise-scored')).toMatchObject({ attempt: { score: 100 } });
  });

  it('stopped before the last answer: nothing is kept and it says so', async () => {
    const kept: AttemptRecord[] = [];
    const controller = new AbortController();
    const exercise = exerciseOf(15, async (attempt) => {
      kept.push(attempt);
      return undefined;
    });
    const events = await play(exercise, (question, index) => {
      if (index === 1) controller.abort();
      return rightOf(question);
    }, undefined, controller.signal);
    expect(events.at(-1)).toEqual({ type: 'exercise-finished', status: 'stopped' });
    expect(events.some((event) => event.type === 'exercise-scored')).toBe(false);
    expect(kept).toEqual([]);
  });

  it('says when the attempt could not be kept, and still gives the debrief', async () => {
    const events = await play(exerciseOf(16, async () => 'could not save the attempt: disk full'), rightOf);
    expect(events).toContainEqual({ type: 'notice', level: 'warn', message: 'History: could not save the attempt: disk full' });
    expect(events.at(-1)).toEqual({ type: 'exercise-finished', status: 'completed' });
  });
});
