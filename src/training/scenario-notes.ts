/**
 * What a scenario file holds for training, besides the incident itself (snake_case, validated with
 * the rest of the file by src/incidents/schema.ts):
 *
 *   debrief: what to look at, told to the trainee after the exercise
 *   hints: { detection: [..], localisation: [..], root_cause: [..], mitigation: [..] }
 *   exercise:
 *     par_seconds: 150                     # else the level's par (config training.par_seconds)
 *     detection: [metric, ...]             # the right answers when "first over 3 sigma" is not what to teach
 *     localisation: { answers: [..], distractors: [..] }   # components; else the scenario's service
 *     root_cause: { distractors: [..] }    # categories to offer beside the right one
 *     mitigation: { answers: [..], distractors: [..] }     # action types of the playbook
 *
 * Every part is optional: an exercise generates its candidates from the metrics, the context and
 * the analyzer's rules; these keys are for where the generated ones would be poor.
 */
import { z } from 'zod';
import { knownActionTypes } from '../analysis/actions.js';

export const NOTES_LIMITS = {
  debriefLength: 2000,
  hintsPerStage: 3,
  hintLength: 300,
  answers: 5,
  distractors: 8,
  componentLength: 64,
  /** An exercise is answered in minutes; an hour of par is already generous. */
  parSeconds: 3600,
} as const;

const oneLine = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\n\r]*$/, 'expected one line');

const snakeCaseId = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9_]*$/, 'expected snake_case (lowercase letters, digits, _)');

const hintList = z.array(oneLine(NOTES_LIMITS.hintLength)).min(1).max(NOTES_LIMITS.hintsPerStage);
const components = (min: number, max: number) => z.array(oneLine(NOTES_LIMITS.componentLength)).min(min).max(max);

const actionType = snakeCaseId.refine((type) => knownActionTypes().includes(type), {
  message: `expected an action type of the playbook (${knownActionTypes().join(', ')})`,
});

/** The keys a scenario file gains for training, spread into its schema. */
export const trainingFileFields = {
  debrief: z.string().min(1).max(NOTES_LIMITS.debriefLength).optional(),
  hints: z
    .strictObject({
      detection: hintList.optional(),
      localisation: hintList.optional(),
      root_cause: hintList.optional(),
      mitigation: hintList.optional(),
    })
    .optional(),
  exercise: z
    .strictObject({
      par_seconds: z.number().int().min(10).max(NOTES_LIMITS.parSeconds).optional(),
      detection: z.array(oneLine(100)).min(1).max(NOTES_LIMITS.answers).optional(),
      localisation: z
        .strictObject({
          answers: components(1, NOTES_LIMITS.answers),
          distractors: components(0, NOTES_LIMITS.distractors).default([]),
        })
        .optional(),
      root_cause: z.strictObject({ distractors: z.array(snakeCaseId).min(1).max(NOTES_LIMITS.distractors) }).optional(),
      mitigation: z
        .strictObject({
          answers: z.array(actionType).min(1).max(NOTES_LIMITS.answers).optional(),
          distractors: z.array(actionType).min(1).max(NOTES_LIMITS.distractors).optional(),
        })
        .optional(),
    })
    .optional(),
};

type TrainingFileFields = { [K in keyof typeof trainingFileFields]?: z.infer<(typeof trainingFileFields)[K]> };

/** The training notes of a scenario, camelCase, as the engine uses them. */
export interface ScenarioTrainingNotes {
  debrief?: string;
  hints: Partial<Record<'detection' | 'localisation' | 'root_cause' | 'mitigation', string[]>>;
  parSeconds?: number;
  detection?: string[];
  localisation?: { answers: string[]; distractors: string[] };
  rootCauseDistractors?: string[];
  mitigation?: { answers?: string[]; distractors?: string[] };
}

/**
 * Checks across fields, added to the scenario schema's own: detection answers are metrics of the
 * file, the right root cause and actions are not also offered as distractors.
 */
export function checkTrainingFields(
  file: TrainingFileFields & { metrics: { name: string }[]; expected_root_cause: string },
  context: z.RefinementCtx,
): void {
  const exercise = file.exercise;
  if (!exercise) return;
  const metricNames = new Set(file.metrics.map((metric) => metric.name));
  exercise.detection?.forEach((name, index) => {
    if (!metricNames.has(name)) {
      context.addIssue({ code: 'custom', path: ['exercise', 'detection', index], message: `expected the name of one of the file's metrics (${[...metricNames].join(', ')})` });
    }
  });
  exercise.root_cause?.distractors.forEach((category, index) => {
    if (category === file.expected_root_cause) {
      context.addIssue({ code: 'custom', path: ['exercise', 'root_cause', 'distractors', index], message: `expected a category other than the right one (${category})` });
    }
  });
  const localisation = exercise.localisation;
  localisation?.distractors.forEach((component, index) => {
    if (localisation.answers.includes(component)) {
      context.addIssue({ code: 'custom', path: ['exercise', 'localisation', 'distractors', index], message: `expected a component that is not also an answer (${component})` });
    }
  });
  const mitigation = exercise.mitigation;
  mitigation?.distractors?.forEach((type, index) => {
    if (mitigation.answers?.includes(type)) {
      context.addIssue({ code: 'custom', path: ['exercise', 'mitigation', 'distractors', index], message: `expected an action type that is not also an answer (${type})` });
    }
  });
}

export function trainingNotesFromFile(file: TrainingFileFields): ScenarioTrainingNotes | undefined {
  if (file.debrief === undefined && file.hints === undefined && file.exercise === undefined) return undefined;
  const exercise = file.exercise;
  const notes: ScenarioTrainingNotes = { hints: {} };
  if (file.debrief !== undefined) notes.debrief = file.debrief.trim();
  for (const [stage, hints] of Object.entries(file.hints ?? {})) if (hints) notes.hints[stage as keyof ScenarioTrainingNotes['hints']] = hints;
  if (exercise?.par_seconds !== undefined) notes.parSeconds = exercise.par_seconds;
  if (exercise?.detection) notes.detection = exercise.detection;
  if (exercise?.localisation) notes.localisation = exercise.localisation;
  if (exercise?.root_cause) notes.rootCauseDistractors = exercise.root_cause.distractors;
  if (exercise?.mitigation) notes.mitigation = exercise.mitigation;
  return notes;
}
