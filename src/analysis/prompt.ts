import type { AnalysisInput, Scenario, ScenarioMetric } from '../incidents/types.js';
import { actionsForCategory, categoriesWithActions } from './actions.js';
import { isAnomalousMetric } from './confidence.js';
import { NAMED_ROOT_CAUSES } from './root-causes.js';

/**
 * The chat messages sent to the model. Kept compact on purpose: small local models (Ollama's
 * default context is a few thousand tokens) fail on long prompts (HolmesGPT #1079).
 *
 * The model sees what an on-call engineer would see (the anomalies and the context), never the
 * scenario's name, description or expected answer. It is asked not to give confidence scores:
 * confidence is computed from its evidence afterwards, as the original does.
 */

/**
 * The action vocabulary of the built-in analyzer (the scenarios' expected action types use it
 * too), so that an LLM's actions and the built-in ones can be compared and scored alike.
 */
export function actionTypes(scenario: Scenario): string[] {
  const types = categoriesWithActions().flatMap((category) => actionsForCategory(category, scenario).map((action) => action.type));
  return [...new Set([...types, 'custom'])];
}

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

const ANSWER_SHAPE = `{"hypotheses": [{"description": "one sentence naming the root cause",
  "category": "one of the known root causes, or a short snake_case id if none fits",
  "evidence": [{"signal": "the exact metric name, or the context key it comes from", "observation": "what it shows", "relevance": 0.0-1.0}],
  "reasoning": "why the evidence points there"}],
 "actions": [{"type": "one of the action types", "target": "service or resource",
  "risk_level": "low|medium|high", "blast_radius": "what else it affects",
  "rationale": "why", "requires_approval": true}]}`;

export function buildMessages(input: AnalysisInput): ChatMessage[] {
  const system = [
    'You are an SRE investigating a production incident. Find the most likely root causes.',
    'Answer with ONE JSON object and nothing else, in this shape:',
    ANSWER_SHAPE,
    'Give 1 to 5 hypotheses, most likely first, each with 2 to 4 evidence items, and 1 to 3 actions.',
    'Do not give confidence scores or probabilities: they are computed from your evidence.',
  ].join('\n');

  const { scenario } = input;
  const anomalous = scenario.metrics.filter(isAnomalousMetric);
  const normal = scenario.metrics.filter((metric) => !isAnomalousMetric(metric));
  const user = [
    `Service: ${scenario.service}. Severity: ${scenario.severity}.`,
    'Anomalous metrics (baseline -> now, deviation in standard deviations, shape over time):',
    ...anomalous.map(describeMetric),
    ...(normal.length > 0 ? ['Metrics within normal range:', ...normal.map(describeMetric)] : []),
    `Context: ${JSON.stringify(scenario.context)}`,
    `Known root causes: ${[...new Set([...NAMED_ROOT_CAUSES, ...input.knownRootCauses])].sort().join(', ')}`,
    `Action types: ${actionTypes(scenario).join(', ')}`,
  ].join('\n');

  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}

function describeMetric(metric: ScenarioMetric): string {
  const sigma = `${metric.deviationSigma >= 0 ? '+' : ''}${metric.deviationSigma}σ`;
  return `- ${metric.name}: ${metric.baseline} -> ${metric.value} ${metric.unit} (${sigma}, ${metric.pattern})`;
}
