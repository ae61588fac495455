/**
 * The scoring rules, on their own so that they can be read, tested and changed in one place.
 * An attempt scores 0..100:
 *  - each stage answered right earns its weight (detection 20, localisation 25, root cause 30,
 *    mitigation 25; an exercise asking fewer stages spreads the 100 over those it asks);
 *  - each hint costs 5 points;
 *  - a high-risk action where a safer right one was offered costs 10 (the action was right, the
 *    choice was not), a high-risk action that is also wrong costs 5 more than a wrong one;
 *  - time over the level's par costs up to 20 points, pro rata: 10 at one and a half times par,
 *    20 at twice par or slower. Within par costs nothing: speed is not a goal in itself.
 * Pass at 80 (config training.pass_score): all right within par with up to 3 hints passes; one
 * wrong stage other than detection does not.
 */
import { STAGE_TITLES, STAGES, type AttemptScore, type ScorePart, type Stage } from './types.js';

export interface ScoringRules {
  weights: Record<Stage, number>;
  hintCost: number;
  riskierPenalty: number;
  harmfulPenalty: number;
  overParMax: number;
  passScore: number;
}

export const DEFAULT_RULES: ScoringRules = {
  weights: { detection: 20, localisation: 25, root_cause: 30, mitigation: 25 },
  hintCost: 5,
  riskierPenalty: 10,
  harmfulPenalty: 5,
  overParMax: 20,
  passScore: 80,
};

export interface StageOutcome {
  stage: Stage;
  correct: boolean;
  hintsUsed: number;
  /** Right, but high-risk where a safer right action was offered. */
  riskier?: boolean;
  /** Wrong and high-risk. */
  harmful?: boolean;
}

export function scoreAttempt(
  outcomes: readonly StageOutcome[],
  timing: { durationMs: number; parSeconds: number },
  rules: ScoringRules = DEFAULT_RULES,
): AttemptScore {
  const asked = STAGES.filter((stage) => outcomes.some((outcome) => outcome.stage === stage));
  const totalWeight = asked.reduce((sum, stage) => sum + rules.weights[stage], 0);
  const parts: ScorePart[] = [];
  let raw = 0;
  for (const stage of asked) {
    const outcome = outcomes.find((entry) => entry.stage === stage)!;
    const weight = totalWeight > 0 ? (rules.weights[stage] * 100) / totalWeight : 0;
    const points = outcome.correct ? weight : 0;
    raw += points;
    parts.push({ label: `${STAGE_TITLES[stage]} ${outcome.correct ? 'right' : 'wrong'}`, points: round(points) });
    if (outcome.riskier) {
      raw -= rules.riskierPenalty;
      parts.push({ label: 'a high-risk action where a safer one fits', points: -rules.riskierPenalty });
    }
    if (outcome.harmful) {
      raw -= rules.harmfulPenalty;
      parts.push({ label: 'a high-risk action that was not needed', points: -rules.harmfulPenalty });
    }
  }
  const hints = outcomes.reduce((sum, outcome) => sum + outcome.hintsUsed, 0);
  if (hints > 0) {
    raw -= hints * rules.hintCost;
    parts.push({ label: `${hints} hint${hints === 1 ? '' : 's'}`, points: -hints * rules.hintCost });
  }
  const overPar = timePenalty(timing.durationMs, timing.parSeconds, rules.overParMax);
  if (overPar > 0) {
    raw -= overPar;
    parts.push({ label: `${Math.round(timing.durationMs / 1000 - timing.parSeconds)} s over the par of ${timing.parSeconds} s`, points: -overPar });
  }
  const score = Math.max(0, Math.min(100, Math.round(raw)));
  return { score, passed: score >= rules.passScore, parts };
}

/** Points lost for the time beyond par: 0 within par, `max` at twice par or slower, linear between. */
export function timePenalty(durationMs: number, parSeconds: number, max: number): number {
  if (!(parSeconds > 0)) return 0;
  const over = durationMs / 1000 / parSeconds - 1;
  if (over <= 0) return 0;
  return Math.round(Math.min(1, over) * max);
}

function round(points: number): number {
  return Math.round(points * 10) / 10;
}
