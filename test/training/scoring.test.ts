import { describe, expect, it } from 'vitest';
import { stageOutcome } from '../../src/training/exercise.js';
import { DEFAULT_RULES, scoreAttempt, timePenalty, type StageOutcome } from '../../src/training/scoring.js';
import type { StageAnswer, StageQuestion } from '../../src/training/types.js';

const allRight: StageOutcome[] = [
  { stage: 'detection', correct: true, hintsUsed: 0 },
  { stage: 'localisation', correct: true, hintsUsed: 0 },
  { stage: 'root_cause', correct: true, hintsUsed: 0 },
  { stage: 'mitigation', correct: true, hintsUsed: 0 },
];
const withinPar = { durationMs: 60_000, parSeconds: 120 };
const wrong = (stage: StageOutcome['stage']) => allRight.map((outcome) => (outcome.stage === stage ? { ...outcome, correct: false } : outcome));

describe('the scoring rules', () => {
  it('weighs the stages 20 / 25 / 30 / 25 and passes at 80', () => {
    expect(scoreAttempt(allRight, withinPar)).toMatchObject({ score: 100, passed: true });
    expect(scoreAttempt(wrong('detection'), withinPar)).toMatchObject({ score: 80, passed: true });
    expect(scoreAttempt(wrong('localisation'), withinPar)).toMatchObject({ score: 75, passed: false });
    expect(scoreAttempt(wrong('root_cause'), withinPar)).toMatchObject({ score: 70, passed: false });
    expect(scoreAttempt(wrong('mitigation'), withinPar)).toMatchObject({ score: 75, passed: false });
    expect(scoreAttempt(allRight.map((outcome) => ({ ...outcome, correct: false })), withinPar).score).toBe(0);
  });

  it('charges 5 points a hint, and says so', () => {
    const hinted = allRight.map((outcome, index) => ({ ...outcome, hintsUsed: index === 0 ? 2 : index === 3 ? 1 : 0 }));
    const result = scoreAttempt(hinted, withinPar);
    expect(result.score).toBe(85);
    expect(result.parts).toContainEqual({ label: '3 hints', points: -15 });
  });

  it('costs nothing within par, 10 points at one and a half times par, 20 at twice par and no more after', () => {
    expect(timePenalty(120_000, 120, 20)).toBe(0);
    expect(timePenalty(180_000, 120, 20)).toBe(10);
    expect(timePenalty(240_000, 120, 20)).toBe(20);
    expect(timePenalty(3_600_000, 120, 20)).toBe(20);
    const slow = scoreAttempt(allRight, { durationMs: 180_000, parSeconds: 120 });
    expect(slow.score).toBe(90);
    expect(slow.parts).toContainEqual({ label: '60 s over the par of 120 s', points: -10 });
  });

  it('costs 10 for a high-risk action where a safer right one fits, 5 more for a high-risk wrong one', () => {
    const riskier = allRight.map((outcome) => (outcome.stage === 'mitigation' ? { ...outcome, riskier: true } : outcome));
    expect(scoreAttempt(riskier, withinPar)).toMatchObject({ score: 90, passed: true });
    const harmful = allRight.map((outcome) => (outcome.stage === 'mitigation' ? { ...outcome, correct: false, harmful: true } : outcome));
    expect(scoreAttempt(harmful, withinPar).score).toBe(70);
    expect(scoreAttempt(harmful, withinPar).parts).toContainEqual({ label: 'a high-risk action that was not needed', points: -5 });
  });

  it('never goes below 0, and spreads the 100 points over the stages an exercise asks', () => {
    const hopeless = allRight.map((outcome) => ({ ...outcome, correct: false, hintsUsed: 3 }));
    expect(scoreAttempt(hopeless, { durationMs: 999_000, parSeconds: 60 }).score).toBe(0);
    const live = allRight.filter((outcome) => outcome.stage !== 'root_cause');
    expect(scoreAttempt(live, withinPar).score).toBe(100);
    // Detection is 20 of the 70 points the three stages weigh.
    expect(scoreAttempt(live.map((outcome) => (outcome.stage === 'detection' ? { ...outcome, correct: false } : outcome)), withinPar).score).toBe(71);
  });

  it('takes the pass score from the rules (the config)', () => {
    expect(scoreAttempt(wrong('detection'), withinPar, { ...DEFAULT_RULES, passScore: 90 }).passed).toBe(false);
    expect(scoreAttempt(wrong('root_cause'), withinPar, { ...DEFAULT_RULES, passScore: 70 }).passed).toBe(true);
  });
});

describe('the risk of a mitigation, as the rules see it', () => {
  const question: StageQuestion = {
    stage: 'mitigation',
    question: 'What do you do first?',
    answers: ['drain_node', 'isolate_workload'],
    why: '',
    candidates: [
      { id: 'drain_node', label: 'drain node', riskLevel: 'high' },
      { id: 'isolate_workload', label: 'isolate workload', riskLevel: 'medium' },
      { id: 'rollback', label: 'rollback', riskLevel: 'high' },
      { id: 'scale', label: 'scale', riskLevel: 'low' },
    ],
  };
  const answer = (candidateId: string, correct: boolean, riskLevel: 'low' | 'medium' | 'high'): StageAnswer => ({
    stage: 'mitigation', candidateId, label: candidateId, correct, riskLevel, answeredAt: '', elapsedMs: 1000, hintsUsed: 0,
  });

  it('flags a right high-risk action when a safer right one was offered, and a wrong high-risk one', () => {
    expect(stageOutcome(answer('drain_node', true, 'high'), question)).toMatchObject({ correct: true, riskier: true });
    expect(stageOutcome(answer('isolate_workload', true, 'medium'), question)).not.toHaveProperty('riskier');
    expect(stageOutcome(answer('rollback', false, 'high'), question)).toMatchObject({ correct: false, harmful: true });
    expect(stageOutcome(answer('scale', false, 'low'), question)).not.toHaveProperty('harmful');
  });

  it('does not flag a high-risk action that is the only right one (a rollback of a bad deployment)', () => {
    const only = { ...question, answers: ['rollback'] };
    expect(stageOutcome(answer('rollback', true, 'high'), only)).not.toHaveProperty('riskier');
  });
});
