import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rankHypotheses } from '../../src/analysis/builtin.js';
import { loadScenarios } from '../../src/incidents/load.js';
import type { Scenario } from '../../src/incidents/types.js';

// Issue 10: the built-in analyzer knows the names real exporters publish. One shipped scenario (at
// least) per family, written with that family's metric names, and the top-1 root cause right on
// each, whatever the scenario is called.

const { scenarios } = loadScenarios(path.resolve('scenarios'));

const FAMILIES: Record<string, RegExp> = {
  node_exporter: /^node_/,
  postgres_exporter: /^pg_/,
  mysqld_exporter: /^mysql_/,
  redis_exporter: /^redis_/,
  'kube-state-metrics': /^kube_/,
  cadvisor: /^container_/,
  envoy: /^envoy_/,
  'ingress-nginx': /^nginx_ingress_controller_/,
  micrometer: /^jvm_/,
  opentelemetry: /^[a-z]+(\.[a-z_]+)+$/,
};

/** What the analyzer may not lean on: the scenario's id, name, description, service and expectations. */
function scrubbed(scenario: Scenario): Scenario {
  const copy: Scenario = { ...scenario, id: 'x', name: 'x', description: 'x', service: 'svc', expectedRootCause: 'unknown', expectedActionTypes: ['investigate'], tags: [] };
  delete copy.training;
  delete copy.file;
  return copy;
}

describe('exporter families', () => {
  it.each(Object.entries(FAMILIES))('%s: a scenario in its names, its root cause ranked first on the signals alone', (family, names) => {
    const ofFamily = scenarios.filter((scenario) => scenario.tags.includes(family));
    expect(ofFamily.length, family).toBeGreaterThanOrEqual(1);
    for (const scenario of ofFamily) {
      const anomalous = scenario.metrics.filter((metric) => Math.abs(metric.deviationSigma) >= 3);
      expect(anomalous.filter((metric) => names.test(metric.name)).length, `${scenario.id} speaks ${family}`).toBeGreaterThanOrEqual(2);
      expect(rankHypotheses(scenario)[0]?.category, scenario.id).toBe(scenario.expectedRootCause);
      expect(rankHypotheses(scrubbed(scenario))[0]?.category, `${scenario.id}, scrubbed`).toBe(scenario.expectedRootCause);
    }
  });

  it('reads the names: the same incident under names no exporter uses is not recognised', () => {
    const mysql = scenarios.find((scenario) => scenario.id === 'mysqld_exporter_slow_queries')!;
    const renamed: Scenario = { ...mysql, metrics: mysql.metrics.map((metric, index) => ({ ...metric, name: `gauge_${index}` })) };
    expect(rankHypotheses(renamed)[0]?.category).not.toBe('database_performance');
    const otel = scenarios.find((scenario) => scenario.id === 'otel_dns_lookup_failures')!;
    expect(rankHypotheses({ ...otel, metrics: otel.metrics.map((metric, index) => ({ ...metric, name: `gauge_${index}` })) })[0]?.category).not.toBe('dns_failure');
  });
});
