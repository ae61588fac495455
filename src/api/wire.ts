import { z } from 'zod';
import { isAnomalousSigma } from '../incidents/rank.js';
import {
  DIFFICULTIES,
  PATTERNS,
  RISK_LEVELS,
  SEVERITIES,
  type IncidentEvent,
  type Scenario,
  type ScenarioMetric,
} from '../incidents/types.js';

/**
 * What travels over the incident API, in the original's snake_case shapes, and the conversions to
 * and from firedrill's own types. The server builds its answers here and the client validates
 * what it receives against the same schemas, so the two cannot drift apart.
 */

export const API_PREFIX = '/api/v1';
export const SIMULATOR_PREFIX = `${API_PREFIX}/simulator`;

export const SIMULATION_STATUSES = ['running', 'completed', 'stopped', 'failed'] as const;
export type SimulationStatusValue = (typeof SIMULATION_STATUSES)[number];

const difficulty = z.enum(DIFFICULTIES);
const severity = z.enum(SEVERITIES);

export const scenarioSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  service: z.string(),
  severity,
  difficulty,
  tags: z.array(z.string()),
  duration_seconds: z.number(),
  metric_count: z.number().int().nonnegative(),
});
export type WireScenarioSummary = z.infer<typeof scenarioSummarySchema>;

export const scenarioListSchema = z.array(scenarioSummarySchema);

export const wireMetricSchema = z.object({
  name: z.string(),
  value: z.number(),
  baseline: z.number(),
  deviation_sigma: z.number(),
  pattern_type: z.enum(PATTERNS),
  unit: z.string(),
  is_anomalous: z.boolean(),
});

export const scenarioDetailSchema = scenarioSummarySchema.omit({ metric_count: true }).extend({
  metrics: z.array(wireMetricSchema),
  context: z.record(z.string(), z.unknown()),
  expected_root_cause: z.string(),
  expected_action_types: z.array(z.string()),
});
export type WireScenarioDetail = z.infer<typeof scenarioDetailSchema>;

export const simulationSchema = z.object({
  simulation_id: z.string(),
  scenario_id: z.string(),
  incident_id: z.string().nullable(),
  status: z.enum(SIMULATION_STATUSES),
  started_at: z.string(),
  completed_at: z.string().nullable(),
  error: z.string().nullable(),
  hypotheses_count: z.number().int().nonnegative(),
  actions_count: z.number().int().nonnegative(),
  metrics_injected: z.boolean(),
});
export type WireSimulation = z.infer<typeof simulationSchema>;

export const simulationListSchema = z.array(simulationSchema);

export const stopResponseSchema = z.object({
  status: z.literal('stopped'),
  simulation_id: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type WireStopResponse = z.infer<typeof stopResponseSchema>;

export const errorBodySchema = z.object({ detail: z.string() });

/** POST /scenarios/{id}/start. Unknown keys are ignored, as the original does. */
export const startBodySchema = z.object({
  auto_analyze: z.boolean().default(true),
  execution_mode: z.string().min(1).max(64).default('demo'),
});

export function toWireSummary(scenario: Scenario): WireScenarioSummary {
  return {
    id: scenario.id,
    name: scenario.name,
    description: scenario.description,
    service: scenario.service,
    severity: scenario.severity,
    difficulty: scenario.difficulty,
    tags: scenario.tags,
    duration_seconds: scenario.durationSeconds,
    metric_count: scenario.metrics.length,
  };
}

export function toWireDetail(scenario: Scenario): WireScenarioDetail {
  const { metric_count: _count, ...summary } = toWireSummary(scenario);
  return {
    ...summary,
    metrics: scenario.metrics.map((metric) => ({
      name: metric.name,
      value: metric.value,
      baseline: metric.baseline,
      deviation_sigma: metric.deviationSigma,
      pattern_type: metric.pattern,
      unit: metric.unit,
      is_anomalous: isAnomalousSigma(metric.deviationSigma),
    })),
    context: scenario.context,
    expected_root_cause: scenario.expectedRootCause,
    expected_action_types: scenario.expectedActionTypes,
  };
}

export function fromWireDetail(wire: WireScenarioDetail): Scenario {
  return {
    id: wire.id,
    name: wire.name,
    description: wire.description,
    service: wire.service,
    severity: wire.severity,
    difficulty: wire.difficulty,
    tags: wire.tags,
    durationSeconds: wire.duration_seconds,
    metrics: wire.metrics.map(
      (metric): ScenarioMetric => ({
        name: metric.name,
        value: metric.value,
        baseline: metric.baseline,
        deviationSigma: metric.deviation_sigma,
        pattern: metric.pattern_type,
        unit: metric.unit,
      }),
    ),
    context: wire.context,
    expectedRootCause: wire.expected_root_cause,
    expectedActionTypes: wire.expected_action_types,
  };
}

// The events of GET /simulations/{id}/events carry firedrill's IncidentEvent as is (camelCase).

const evidenceSchema = z.object({ signal: z.string(), observation: z.string(), relevance: z.number() });

const hypothesisSchema = z.object({
  description: z.string(),
  category: z.string(),
  confidence: z.number(),
  evidence: z.array(evidenceSchema),
  reasoning: z.string(),
});

const actionSchema = z.object({
  type: z.string(),
  target: z.string(),
  riskLevel: z.enum(RISK_LEVELS),
  blastRadius: z.string(),
  rationale: z.string(),
  requiresApproval: z.boolean(),
});

const metricPointSchema = z.object({ name: z.string(), value: z.number(), baseline: z.number(), unit: z.string() });

export const incidentEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('incident-opened'),
    simulationId: z.string(),
    incidentId: z.string(),
    scenarioId: z.string(),
    severity,
    startedAt: z.string(),
  }),
  z.object({ type: z.literal('metrics'), elapsedSeconds: z.number(), points: z.array(metricPointSchema) }),
  z.object({ type: z.literal('timeline'), at: z.string(), message: z.string() }),
  z.object({ type: z.literal('hypothesis-text'), index: z.number(), text: z.string() }),
  z.object({ type: z.literal('hypothesis'), index: z.number(), hypothesis: hypothesisSchema }),
  z.object({ type: z.literal('action'), action: actionSchema }),
  z.object({ type: z.literal('analysis-waiting'), message: z.string(), waitedSeconds: z.number() }),
  z.object({ type: z.literal('notice'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
  z.object({ type: z.literal('source'), source: z.string() }),
  z.object({
    type: z.literal('analysis-finished'),
    source: z.string(),
    hypotheses: z.array(hypothesisSchema),
    actions: z.array(actionSchema),
  }),
  z.object({
    type: z.literal('incident-finished'),
    status: z.enum(['completed', 'stopped', 'failed']),
    completedAt: z.string(),
    error: z.string().optional(),
  }),
]);

// Compile-time check that the schema and the shared IncidentEvent type describe the same thing.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesIncidentEvent: Same<z.infer<typeof incidentEventSchema>, IncidentEvent> = true;
void schemaMatchesIncidentEvent;

/** One line naming what was wrong in a value that failed a schema: "auto_analyze: expected boolean". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
