import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer, rankHypotheses } from '../../src/analysis/builtin.js';
import { confidenceFor } from '../../src/analysis/confidence.js';
import { findScenario, knownRootCauses, loadScenarios } from '../../src/incidents/load.js';
import type { AnalysisEvent, Scenario } from '../../src/incidents/types.js';

const { scenarios } = loadScenarios();
const causes = knownRootCauses(scenarios);

async function analyze(scenario: Scenario, signal = new AbortController().signal): Promise<AnalysisEvent[]> {
  const events: AnalysisEvent[] = [];
  for await (const event of new BuiltinAnalyzer({ pieceDelayMs: 0 }).analyze({ scenario, knownRootCauses: causes }, signal)) events.push(event);
  return events;
}

describe('the built-in analyzer on every shipped scenario', () => {
  for (const scenario of scenarios) {
    it(`${scenario.id}: ranks ${scenario.expectedRootCause} first and recommends ${scenario.expectedActionTypes.join(', ')}`, async () => {
      const events = await analyze(scenario);
      const finished = events.at(-1);
      if (finished?.type !== 'analysis-finished') throw new Error('the analysis did not finish');
      expect(finished.source).toBe('built-in');
      expect(finished.hypotheses[0]!.category).toBe(scenario.expectedRootCause);
      expect(finished.actions.map((action) => action.type)).toEqual(expect.arrayContaining(scenario.expectedActionTypes));
      const confidences = finished.hypotheses.map((hypothesis) => hypothesis.confidence);
      expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
      for (const hypothesis of finished.hypotheses) {
        expect(hypothesis.confidence).toBe(confidenceFor(hypothesis, scenario));
        expect(hypothesis.evidence.length).toBeGreaterThan(0);
        expect(hypothesis.reasoning.length).toBeGreaterThan(20);
      }
      // The top hypothesis rests on the scenario's own anomalous metrics.
      const anomalous = scenario.metrics.filter((metric) => Math.abs(metric.deviationSigma) >= 3).map((metric) => metric.name);
      expect(finished.hypotheses[0]!.evidence.some((item) => anomalous.includes(item.signal))).toBe(true);
      for (const action of finished.actions) {
        expect(['low', 'medium', 'high']).toContain(action.riskLevel);
        expect(action.requiresApproval).toBe(action.riskLevel !== 'low');
        expect(action.blastRadius).not.toBe('');
      }
    });
  }
});

describe('the built-in analyzer', () => {
  it('streams text pieces, then each hypothesis, then the actions, then the result', async () => {
    const events = await analyze(findScenario('cache_stampede', scenarios)!);
    expect(events[0]).toEqual({ type: 'source', source: 'built-in' });
    const kinds = events.map((event) => event.type);
    const hypotheses = events.filter((event) => event.type === 'hypothesis');
    expect(hypotheses.length).toBeGreaterThanOrEqual(2);
    for (const hypothesis of hypotheses) {
      const position = events.indexOf(hypothesis);
      const pieces = events.filter((event) => event.type === 'hypothesis-text' && event.index === hypothesis.index);
      expect(pieces.length).toBeGreaterThan(1);
      expect(pieces.every((piece) => events.indexOf(piece) < position)).toBe(true);
      expect(pieces.map((piece) => (piece.type === 'hypothesis-text' ? piece.text : '')).join('')).toContain(hypothesis.hypothesis.description);
    }
    expect(kinds.lastIndexOf('hypothesis')).toBeLessThan(kinds.indexOf('action'));
    expect(kinds.at(-1)).toBe('analysis-finished');
  });

  it('reads signals, not what a scenario is called: every scenario scrubbed of its id, name, description and expectations gets the same whole answer', async () => {
    for (const [position, original] of scenarios.entries()) {
      const scrubbed: Scenario = {
        ...original,
        id: `scenario_${position}`,
        name: 'Untitled',
        description: 'Something is wrong.',
        tags: [],
        expectedRootCause: 'unknown',
        expectedActionTypes: ['investigate'],
      };
      delete scrubbed.file;
      // Descriptions, categories, confidences, evidence, reasoning and the actions, in order.
      expect(await analyze(scrubbed), original.id).toEqual(await analyze(original));
    }
  });

  it('changes its answer when the evidence changes', () => {
    const crash = findScenario('pod_crash_loop', scenarios)!;
    // The same crash loop with the deployment three days old is no longer blamed on the deployment.
    const oldDeployment = { ...crash, context: { ...crash.context, recent_deployments: [{ version: 'v2.5.0', minutes_ago: 4320, changes: [] }] } };
    expect(rankHypotheses(oldDeployment)[0]!.category).toBe('crash_loop');
    // Memory that jumps in one step is not the steady growth of a leak.
    const leak = findScenario('memory_leak_gradual', scenarios)!;
    const jump = { ...leak, metrics: leak.metrics.map((metric) => ({ ...metric, pattern: 'step' as const })) };
    expect(rankHypotheses(jump)[0]!.category).not.toBe('memory_leak');
  });

  it('says so when nothing is anomalous, and suggests investigating', async () => {
    const calm = { ...findScenario('memory_leak_gradual', scenarios)!, metrics: [{ name: 'cpu_usage_percent', value: 41, baseline: 40, deviationSigma: 0.5, pattern: 'constant' as const, unit: '%' }] };
    const events = await analyze(calm);
    const finished = events.at(-1);
    if (finished?.type !== 'analysis-finished') throw new Error('the analysis did not finish');
    expect(finished.hypotheses[0]!.category).toBe('no_anomaly');
    expect(finished.actions.map((action) => action.type)).toEqual(['investigate']);
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    const events: AnalysisEvent[] = [];
    for await (const event of new BuiltinAnalyzer({ pieceDelayMs: 0 }).analyze({ scenario: scenarios[0]!, knownRootCauses: causes }, controller.signal)) {
      events.push(event);
      if (event.type === 'hypothesis-text') controller.abort();
    }
    expect(events.map((event) => event.type)).toEqual(['source', 'hypothesis-text']);
  });
});
