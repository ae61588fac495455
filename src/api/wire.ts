import { z } from 'zod';
import { isAnomalousSigma } from '../incidents/rank.js';
import { SCENARIO_LIMITS } from '../incidents/schema.js';
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

/**
 * What a client accepts from a server is bounded as a scenario file is: an id or a name is padded
 * into every row of the console's tables, and a server is not trusted to keep them short. Text the
 * console only wraps (events) gets a looser bound.
 */
const LIMITS = SCENARIO_LIMITS;
const text = (max: number) => z.string().max(max);
const TEXT_MAX = 10_000;
const LIST_MAX = 100;

export const scenarioSummarySchema = z.object({
  id: text(LIMITS.idLength),
  name: text(LIMITS.nameLength),
  description: text(LIMITS.descriptionLength),
  service: text(LIMITS.serviceLength),
  severity,
  difficulty,
  tags: z.array(text(LIMITS.tagLength)).max(LIMITS.tags),
  duration_seconds: z.number().nonnegative().max(LIMITS.durationSeconds),
  metric_count: z.number().int().nonnegative().max(LIMITS.metrics),
});
export type WireScenarioSummary = z.infer<typeof scenarioSummarySchema>;

export const scenarioListSchema = z.array(scenarioSummarySchema).max(1000);

export const wireMetricSchema = z.object({
  name: text(LIMITS.metricNameLength),
  value: z.number(),
  baseline: z.number(),
  deviation_sigma: z.number(),
  pattern_type: z.enum(PATTERNS),
  unit: text(LIMITS.unitLength),
  is_anomalous: z.boolean(),
});

export const scenarioDetailSchema = scenarioSummarySchema.omit({ metric_count: true }).extend({
  metrics: z.array(wireMetricSchema).max(LIMITS.metrics),
  context: z.record(z.string(), z.unknown()),
  expected_root_cause: text(LIMITS.idLength),
  expected_action_types: z.array(text(LIMITS.idLength)).max(LIMITS.actionTypes),
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

const evidenceSchema = z.object({ signal: text(TEXT_MAX), observation: text(TEXT_MAX), relevance: z.number() });

const hypothesisSchema = z.object({
  description: text(TEXT_MAX),
  category: text(LIMITS.idLength),
  confidence: z.number(),
  evidence: z.array(evidenceSchema).max(LIST_MAX),
  reasoning: text(TEXT_MAX),
});

const actionSchema = z.object({
  type: text(LIMITS.idLength),
  target: text(TEXT_MAX),
  riskLevel: z.enum(RISK_LEVELS),
  blastRadius: text(TEXT_MAX),
  rationale: text(TEXT_MAX),
  requiresApproval: z.boolean(),
});

const metricPointSchema = z.object({ name: text(LIMITS.metricNameLength), value: z.number(), baseline: z.number(), unit: text(LIMITS.unitLength) });

export const incidentEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('incident-opened'),
    simulationId: z.string(),
    incidentId: z.string(),
    scenarioId: z.string(),
    severity,
    startedAt: z.string(),
  }),
  z.object({ type: z.literal('metrics'), elapsedSeconds: z.number(), points: z.array(metricPointSchema).max(LIMITS.metrics) }),
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
    hypotheses: z.array(hypothesisSchema).max(LIST_MAX),
    actions: z.array(actionSchema).max(LIST_MAX),
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
