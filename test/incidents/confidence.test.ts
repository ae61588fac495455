import { describe, expect, it } from 'vitest';
import { categoriesWithActions } from '../../src/analysis/actions.js';
import { rankHypotheses } from '../../src/analysis/builtin.js';
import { confidenceBreakdown, confidenceFor, signalType } from '../../src/analysis/confidence.js';
import { DEFAULT_CATEGORY_BASE, NAMED_ROOT_CAUSES, ROOT_CAUSES } from '../../src/analysis/root-causes.js';
import { findScenario, loadScenarios } from '../../src/incidents/load.js';

const { scenarios } = loadScenarios();
const leak = findScenario('memory_leak_gradual', scenarios)!;

describe('confidenceFor (the original formula)', () => {
  it('matches a hand-computed example', () => {
    const hypothesis = {
      category: 'memory_leak',
      evidence: [
        { signal: 'memory_usage_bytes', observation: 'grows', relevance: 0.9 },
        { signal: 'garbage_collections_total', observation: 'grows', relevance: 0.6 },
        { signal: 'recent_deployments[v2.3.1]', observation: '6 h ago', relevance: 0.3 },
      ],
    };
    // base .70; evidence = .6 * mean(.9, .6, .3) + min(.15, .05 * 2 types) + min(.10, .03 * 3) = .36 + .10 + .09 = .55
    // anomaly over the cited anomalous metrics (5.2σ, 4.5σ): .7 * mean(5.2/6, 4.5/6) + .3 * 5.2/6 = .565833 + .26 = .825833
    // .4 * .70 + .35 * .55 + .25 * .825833 = .28 + .1925 + .206458 = .678958
    const breakdown = confidenceBreakdown(hypothesis, leak);
    expect(breakdown.base).toBe(0.7);
    expect(breakdown.evidence).toBeCloseTo(0.55, 6);
    expect(breakdown.anomaly).toBeCloseTo(0.825833, 5);
    expect(confidenceFor(hypothesis, leak)).toBe(0.679);
  });

  it('gives an unknown category the default base and, without evidence, the incident-wide anomaly', () => {
    // .4 * .50 + .35 * 0 + .25 * (.7 * mean(5.2, 5.0, 4.8, 4.5)/6 + .3 * 5.2/6) = .2 + .25 * .82875 = .407188
    expect(confidenceFor({ category: 'gremlins', evidence: [] }, leak)).toBe(0.407);
  });

  it('counts distinct signal types, explicit "kind:" prefixes included', () => {
    expect(signalType('memory_usage_bytes', leak)).toBe('metric');
    expect(signalType('recent_deployments[v2.3.1]', leak)).toBe('context');
    expect(signalType('log:OOMKilled in kubelet events', leak)).toBe('log');
    expect(signalType('http://example.test/x', leak)).toBe('other');
    const twoTypes = { category: 'memory_leak', evidence: [{ signal: 'log:oom', observation: '', relevance: 1 }, { signal: 'trace:slow', observation: '', relevance: 1 }] };
    expect(confidenceBreakdown(twoTypes, leak).evidence).toBeCloseTo(0.6 + 0.1 + 0.06, 6);
  });

  it('stays within 0.01..0.99 and ignores relevance outside 0..1', () => {
    const wild = { category: 'error_spike', evidence: [{ signal: 'memory_usage_bytes', observation: '', relevance: 7 }, { signal: 'x', observation: '', relevance: Number.NaN }] };
    const confidence = confidenceFor(wild, leak);
    expect(confidence).toBeGreaterThanOrEqual(0.01);
    expect(confidence).toBeLessThanOrEqual(0.99);
    // relevance 7 counts as 1, NaN as 0: mean .5
    expect(confidenceBreakdown(wild, leak).evidence).toBeCloseTo(0.3 + 0.1 + 0.06, 6);
  });
});

describe('one vocabulary of root causes', () => {
  const { scenarios } = loadScenarios();

  it('weighs every cause the analyzer names, the scenarios expect and the playbook remedies', () => {
    const named = new Set<string>(NAMED_ROOT_CAUSES);
    for (const scenario of scenarios) {
      expect(named, scenario.id).toContain(scenario.expectedRootCause);
      for (const hypothesis of rankHypotheses(scenario)) {
        expect(named, `${scenario.id}: ${hypothesis.category}`).toContain(hypothesis.category);
        expect(confidenceBreakdown(hypothesis, scenario).base, hypothesis.category).toBeGreaterThan(DEFAULT_CATEGORY_BASE);
      }
    }
    for (const category of categoriesWithActions()) expect(named).toContain(category);
    for (const cause of NAMED_ROOT_CAUSES) expect(categoriesWithActions(), cause).toContain(cause);
  });

  it('keeps the original weights under the names the analyzer uses (traffic_surge, not traffic_spike)', () => {
    expect(ROOT_CAUSES.traffic_surge.base).toBe(0.8);
    expect(ROOT_CAUSES.database_performance.base).toBe(0.6);
    expect(ROOT_CAUSES.external_dependency_failure.base).toBe(0.55);
    for (const word of ['traffic_spike', 'database_issue', 'network_issue']) expect(Object.keys(ROOT_CAUSES)).not.toContain(word);
  });
});
