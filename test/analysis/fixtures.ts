import type { AnalysisEvent, AnalysisInput, Analyzer, Scenario } from '../../src/incidents/types.js';

/** The original's memory_leak_gradual scenario, built here so that these tests stand alone. */
export const memoryLeakScenario: Scenario = {
  id: 'memory_leak_gradual',
  name: 'Gradual Memory Leak',
  description: 'A leak gradually exhausts memory, ending in OOM kills.',
  service: 'payment-service',
  severity: 'critical',
  difficulty: 'beginner',
  tags: ['resource', 'availability'],
  durationSeconds: 300,
  metrics: [
    { name: 'memory_usage_bytes', value: 8589934592, baseline: 2147483648, deviationSigma: 5.2, pattern: 'linear', unit: 'bytes' },
    { name: 'memory_usage_percent', value: 95, baseline: 25, deviationSigma: 5.0, pattern: 'linear', unit: '%' },
    { name: 'heap_allocations_total', value: 15000000, baseline: 2000000, deviationSigma: 4.8, pattern: 'linear', unit: 'count' },
    { name: 'garbage_collections_total', value: 5000, baseline: 500, deviationSigma: 4.5, pattern: 'linear', unit: 'count' },
  ],
  context: {
    recent_deployments: [{ version: 'v2.3.1', hours_ago: 6, changes: ['added Redis connection pooling', 'refactored payment processing'] }],
    environment: 'production',
    pods: 3,
  },
  expectedRootCause: 'memory_leak',
  expectedActionTypes: ['restart', 'scale'],
};

export const knownRootCauses = ['memory_leak', 'traffic_surge', 'database_performance', 'deployment_issue', 'external_dependency_failure'];

export const input: AnalysisInput = { scenario: memoryLeakScenario, knownRootCauses };

/**
 * What a model answers: three hypotheses (the model puts the weaker one first, so sorting by the
 * computed confidence shows), two actions, and a `confidence` field the model was told not to
 * give, which must be ignored.
 */
export const modelAnswer = {
  hypotheses: [
    {
      description: 'Redis connection pool added in v2.3.1 leaks connections',
      category: 'deployment_issue',
      confidence: 0.97,
      evidence: [{ signal: 'recent_deployments', observation: 'v2.3.1 six hours ago added Redis pooling', relevance: 0.6 }],
      reasoning: 'The growth started after the deployment.',
    },
    {
      description: 'Unbounded in-process cache → heap grows until OOM “kills” the pods',
      category: 'memory_leak',
      confidence: 0.97,
      evidence: [
        { signal: 'memory_usage_bytes', observation: '2 GiB -> 8 GiB, linear growth (+5.2σ)', relevance: 0.95 },
        { signal: 'heap_allocations_total', observation: '7.5x baseline', relevance: 0.85 },
        { signal: 'garbage_collections_total', observation: 'GC runs 10x more often without freeing memory', relevance: 0.8 },
      ],
      reasoning: 'Linear growth with rising GC activity is the signature of a leak.',
    },
    {
      description: 'Traffic growth raising memory use',
      category: 'traffic_surge',
      confidence: 0.97,
      evidence: [{ signal: 'memory_usage_percent', observation: '95 %', relevance: 0.3 }],
      reasoning: 'Less likely: no request-rate anomaly.',
    },
  ],
  actions: [
    {
      type: 'restart_pod',
      target: 'payment-service',
      risk_level: 'medium',
      blast_radius: 'one pod at a time; 3 replicas',
      rationale: 'Frees the leaked memory until a fix ships.',
      requires_approval: true,
    },
    {
      type: 'rollback_deployment',
      target: 'payment-service v2.3.1',
      risk_level: 'high',
      blast_radius: 'the whole service',
      rationale: 'Removes the change that introduced the leak.',
      requires_approval: true,
    },
  ],
};

export const modelAnswerText = JSON.stringify(modelAnswer, null, 2);

export async function collect(analyzer: Analyzer, analysisInput: AnalysisInput = input, signal = new AbortController().signal): Promise<AnalysisEvent[]> {
  const events: AnalysisEvent[] = [];
  for await (const event of analyzer.analyze(analysisInput, signal)) events.push(event);
  return events;
}

export function notices(events: AnalysisEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'notice' ? [event.message] : []));
}

export function finished(events: AnalysisEvent[]) {
  const last = events.at(-1);
  if (last?.type !== 'analysis-finished') throw new Error(`the analysis did not finish; last event: ${JSON.stringify(last)}`);
  return last;
}
