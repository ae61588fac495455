import { z } from 'zod';
import { dataBoundsProblem } from '../files/bounds.js';
import { checkTrainingFields, trainingFileFields, trainingNotesFromFile } from '../training/scenario-notes.js';
import { DIFFICULTIES, PATTERNS, SEVERITIES, type Scenario } from './types.js';

/**
 * The scenario file format (YAML, snake_case keys as in the original's definitions). Validated
 * once when loaded; everything past the loader works with the camelCase `Scenario`. Every number,
 * string and list is bounded: an id is padded into every table row, a metric is a gauge and a
 * series sampled every tick, the duration is played in real time.
 */

export const SCENARIO_LIMITS = {
  idLength: 64,
  nameLength: 80,
  descriptionLength: 2000,
  serviceLength: 64,
  tags: 20,
  tagLength: 32,
  /** Every metric is a gauge on screen and a series each tick: ten thousand took 14 s to start. */
  metrics: 50,
  metricNameLength: 100,
  unitLength: 16,
  actionTypes: 20,
  /** An hour of scenario time: 2 minutes at the default 30x, an hour at 1x. */
  durationSeconds: 3600,
  /** Values beyond this lose precision and overflow the sigma arithmetic (1e308 - -1e308 = Infinity). */
  magnitude: 1e15,
  sigma: 100,
} as const;

const snakeCaseId = z
  .string()
  .max(SCENARIO_LIMITS.idLength)
  .regex(/^[a-z][a-z0-9_]*$/, 'expected snake_case (lowercase letters, digits, _)');

const line = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\n\r]*$/, 'expected one line');

const finite = z.number().min(-SCENARIO_LIMITS.magnitude).max(SCENARIO_LIMITS.magnitude);

/** Units whose values have a range: a percentage within 0..100, a ratio within 0..1. */
const UNIT_RANGES: Record<string, [number, number]> = { '%': [0, 100], ratio: [0, 1], bool: [0, 1] };

export const scenarioMetricSchema = z
  .strictObject({
    name: line(SCENARIO_LIMITS.metricNameLength),
    value: finite,
    baseline: finite,
    deviation_sigma: z.number().min(-SCENARIO_LIMITS.sigma).max(SCENARIO_LIMITS.sigma),
    pattern: z.enum(PATTERNS),
    unit: line(SCENARIO_LIMITS.unitLength),
  })
  .superRefine((metric, context) => {
    const range = UNIT_RANGES[metric.unit];
    if (range === undefined) return;
    for (const key of ['value', 'baseline'] as const) {
      if (metric[key] < range[0] || metric[key] > range[1]) {
        context.addIssue({ code: 'custom', path: [key], message: `expected ${range[0]}..${range[1]} for unit "${metric.unit}"` });
      }
    }
  });

export const CONTEXT_BOUNDS = { maxDepth: 6, maxEntries: 50, maxStringLength: 2000 };

export const scenarioFileSchema = z.strictObject({
  id: snakeCaseId,
  name: line(SCENARIO_LIMITS.nameLength),
  description: z.string().min(1).max(SCENARIO_LIMITS.descriptionLength),
  service: line(SCENARIO_LIMITS.serviceLength),
  /** When left out, derived from the metrics with the original's rule (severityFromSigma). */
  severity: z.enum(SEVERITIES).optional(),
  difficulty: z.enum(DIFFICULTIES),
  tags: z.array(line(SCENARIO_LIMITS.tagLength)).max(SCENARIO_LIMITS.tags).default([]),
  duration_seconds: z.number().positive().max(SCENARIO_LIMITS.durationSeconds),
  metrics: z.array(scenarioMetricSchema).min(1).max(SCENARIO_LIMITS.metrics),
  context: z
    .record(z.string(), z.unknown())
    .superRefine((context, issues) => {
      const problem = dataBoundsProblem(context, CONTEXT_BOUNDS);
      if (problem !== undefined) issues.addIssue({ code: 'custom', path: problem.path, message: problem.expected });
    })
    .default({}),
  expected_root_cause: snakeCaseId,
  expected_action_types: z.array(snakeCaseId).min(1).max(SCENARIO_LIMITS.actionTypes),
  // debrief, hints, exercise: what the training mode needs (src/training/scenario-notes.ts).
  ...trainingFileFields,
}).superRefine(checkTrainingFields);

export type ScenarioFile = z.infer<typeof scenarioFileSchema>;
/** The original's rule: the largest signed sigma, >= 5 critical, >= 4 high, >= 3 medium, else low. */
export function severityFromSigma(metrics: ReadonlyArray<{ deviationSigma: number }>): Scenario['severity'] {
  const largest = Math.max(...metrics.map((metric) => metric.deviationSigma));
  if (largest >= 5) return 'critical';
  if (largest >= 4) return 'high';
  if (largest >= 3) return 'medium';
  return 'low';
}

export function scenarioFromFile(file: ScenarioFile, path?: string): Scenario {
  const metrics = file.metrics.map((metric) => ({
    name: metric.name,
    value: metric.value,
    baseline: metric.baseline,
    deviationSigma: metric.deviation_sigma,
    pattern: metric.pattern,
    unit: metric.unit,
  }));
  const training = trainingNotesFromFile(file);
  return {
    id: file.id,
    name: file.name,
    description: file.description.trim(),
    service: file.service,
    severity: file.severity ?? severityFromSigma(metrics),
    difficulty: file.difficulty,
    tags: file.tags,
    durationSeconds: file.duration_seconds,
    metrics,
    context: file.context,
    expectedRootCause: file.expected_root_cause,
    expectedActionTypes: file.expected_action_types,
    ...(training === undefined ? {} : { training }),
    ...(path === undefined ? {} : { file: path }),
  };
}
