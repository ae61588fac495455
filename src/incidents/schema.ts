import { z } from 'zod';
import { DIFFICULTIES, PATTERNS, SEVERITIES, type Scenario } from './types.js';

/**
 * The scenario file format (YAML, snake_case keys as in the original's definitions). Validated
 * once when loaded; everything past the loader works with the camelCase `Scenario`.
 */

const snakeCaseId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case (lowercase letters, digits, _)');

export const scenarioMetricSchema = z.strictObject({
  name: z.string().min(1),
  value: z.number(),
  baseline: z.number(),
  deviation_sigma: z.number(),
  pattern: z.enum(PATTERNS),
  unit: z.string(),
});

export const scenarioFileSchema = z.strictObject({
  id: snakeCaseId,
  name: z.string().min(1),
  description: z.string().min(1),
  service: z.string().min(1),
  /** When left out, derived from the metrics with the original's rule (severityFromSigma). */
  severity: z.enum(SEVERITIES).optional(),
  difficulty: z.enum(DIFFICULTIES),
  tags: z.array(z.string().min(1)).default([]),
  duration_seconds: z.number().positive(),
  metrics: z.array(scenarioMetricSchema).min(1),
  context: z.record(z.string(), z.unknown()).default({}),
  expected_root_cause: snakeCaseId,
  expected_action_types: z.array(z.string().min(1)).min(1),
});

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
    ...(path === undefined ? {} : { file: path }),
  };
}
