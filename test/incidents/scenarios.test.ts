import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultScenariosDir, filterScenarios, findScenario, knownRootCauses, loadScenarios, severityFromSigma } from '../../src/incidents/load.js';
import { DIFFICULTIES } from '../../src/incidents/types.js';

const ORIGINAL_FIVE = ['memory_leak_gradual', 'cpu_spike_traffic_surge', 'latency_spike_database', 'pod_crash_loop', 'dependency_failure_timeout'];

const EXPORTER_FAMILY_TAGS = ['node_exporter', 'postgres_exporter', 'mysqld_exporter', 'redis_exporter', 'kube-state-metrics', 'cadvisor', 'envoy', 'ingress-nginx', 'micrometer', 'opentelemetry'];

describe('the shipped scenarios', () => {
  const { scenarios, errors } = loadScenarios();

  it('all validate', () => {
    expect(errors).toEqual([]);
    expect(scenarios.length).toBeGreaterThanOrEqual(11);
  });

  it('include the original five with the reference data', () => {
    expect(scenarios.map((scenario) => scenario.id)).toEqual(expect.arrayContaining(ORIGINAL_FIVE));
    const leak = findScenario('memory_leak_gradual', scenarios)!;
    expect(leak).toMatchObject({ name: 'Gradual Memory Leak', service: 'payment-service', severity: 'critical', difficulty: 'beginner', durationSeconds: 300, expectedRootCause: 'memory_leak', expectedActionTypes: ['restart', 'scale'] });
    expect(leak.metrics[0]).toEqual({ name: 'memory_usage_bytes', value: 8589934592, baseline: 2147483648, deviationSigma: 5.2, pattern: 'linear', unit: 'bytes' });
    const database = findScenario('latency_spike_database', scenarios)!;
    expect(database.metrics.find((metric) => metric.name === 'http_requests_total')).toMatchObject({ value: 450, baseline: 800, deviationSigma: -4.2, pattern: 'step' });
    const dependency = findScenario('dependency_failure_timeout', scenarios)!;
    expect(dependency).toMatchObject({ difficulty: 'advanced', durationSeconds: 200, expectedActionTypes: ['circuit_breaker', 'fallback', 'alert'] });
    expect(dependency.metrics.find((metric) => metric.name === 'circuit_breaker_open')).toMatchObject({ value: 1, baseline: 0, unit: 'bool' });
    expect(findScenario('pod_crash_loop', scenarios)!.metrics.map((metric) => metric.pattern)).toEqual(['linear', 'step', 'step', 'oscillating']);
  });

  it('spread over every difficulty and several services, each new one with its own root cause', () => {
    for (const difficulty of DIFFICULTIES) {
      expect(scenarios.filter((scenario) => scenario.difficulty === difficulty).length, difficulty).toBeGreaterThanOrEqual(3);
    }
    expect(new Set(scenarios.map((scenario) => scenario.service)).size).toBeGreaterThanOrEqual(5);
    // Issue 3's six, each a cause of its own; issue 10's exporter-family scenarios (tagged with their
    // family) reuse causes on purpose: they test the metric names, not new causes.
    const issue3 = scenarios.filter((scenario) => !ORIGINAL_FIVE.includes(scenario.id) && !scenario.tags.some((tag) => EXPORTER_FAMILY_TAGS.includes(tag)));
    expect(issue3.length).toBeGreaterThanOrEqual(6);
    const originalCauses = new Set(scenarios.filter((scenario) => ORIGINAL_FIVE.includes(scenario.id)).map((scenario) => scenario.expectedRootCause));
    for (const scenario of issue3) expect(originalCauses.has(scenario.expectedRootCause), scenario.id).toBe(false);
    const distinct = scenarios.filter((scenario) => ORIGINAL_FIVE.includes(scenario.id) || issue3.includes(scenario));
    expect(knownRootCauses(distinct).length).toBe(distinct.length);
  });

  it('are listed beginner first and filter by difficulty and tag', () => {
    const ordered = filterScenarios(scenarios);
    const ranks = ordered.map((scenario) => DIFFICULTIES.indexOf(scenario.difficulty));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(filterScenarios(scenarios, { difficulty: 'advanced' }).every((scenario) => scenario.difficulty === 'advanced')).toBe(true);
    const external = filterScenarios(scenarios, { tag: 'external' }).map((scenario) => scenario.id);
    expect(external).toEqual(expect.arrayContaining(['latency_spike_database', 'dependency_failure_timeout']));
    expect(external.every((id) => findScenario(id, scenarios)!.tags.includes('external'))).toBe(true);
  });

  it('are found from the package folder', () => {
    expect(defaultScenariosDir({})).toBe(path.resolve('scenarios'));
    expect(defaultScenariosDir({ FIREDRILL_SCENARIOS_DIR: '/somewhere/else' })).toBe('/somewhere/else');
  });
});

describe('severityFromSigma', () => {
  it('follows the largest signed sigma', () => {
    const of = (...sigmas: number[]) => severityFromSigma(sigmas.map((deviationSigma) => ({ deviationSigma })));
    expect(of(5.0, 1)).toBe('critical');
    expect(of(4.2, -6)).toBe('high');
    expect(of(3)).toBe('medium');
    expect(of(2.9, -8)).toBe('low');
  });
});

describe('bad scenario files', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const good = readFileSync(path.resolve('scenarios/memory_leak_gradual.yaml'), 'utf8');

  it('each give an error naming the file and the field while the others load', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-scenarios-'));
    writeFileSync(path.join(dir, 'good.yaml'), good);
    writeFileSync(path.join(dir, 'broken.yaml'), 'id: broken\nname: [unclosed\n');
    writeFileSync(path.join(dir, 'missing.yaml'), good.replace(/^id: memory_leak_gradual\n/m, 'id: missing_service\n').replace(/^service: .*\n/m, ''));
    writeFileSync(path.join(dir, 'pattern.yaml'), good.replace(/^id: memory_leak_gradual\n/m, 'id: bad_pattern\n').replace('pattern: linear, unit: "%"', 'pattern: zigzag, unit: "%"'));
    writeFileSync(path.join(dir, 'notes.txt'), 'not a scenario');
    const { scenarios, errors } = loadScenarios(dir);
    expect(scenarios.map((scenario) => scenario.id)).toEqual(['memory_leak_gradual']);
    expect(scenarios[0]!.file).toBe(path.join(dir, 'good.yaml'));
    const byFile = Object.fromEntries(errors.map((error) => [path.basename(error.file), error]));
    expect(Object.keys(byFile).sort()).toEqual(['broken.yaml', 'missing.yaml', 'pattern.yaml']);
    expect(byFile['broken.yaml']!.message).toMatch(/broken\.yaml: not valid YAML/);
    expect(byFile['missing.yaml']).toMatchObject({ field: 'service' });
    expect(byFile['missing.yaml']!.message).toContain(`${path.join(dir, 'missing.yaml')}: service: missing`);
    expect(byFile['pattern.yaml']).toMatchObject({ field: 'metrics.1.pattern' });
    expect(byFile['pattern.yaml']!.message).toMatch(/pattern\.yaml: metrics\.1\.pattern: .*linear/);
  });

  it('reject an unknown key and derive a missing severity', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-scenarios-'));
    writeFileSync(path.join(dir, 'a.yaml'), good.replace(/^severity: critical\n/m, ''));
    writeFileSync(path.join(dir, 'c.yaml'), good.replace(/^id: memory_leak_gradual\n/m, 'id: typo\nseverty: high\n'));
    const { scenarios, errors } = loadScenarios(dir);
    expect(scenarios).toHaveLength(1);
    // 5.2 sigma at most: critical by the original's rule.
    expect(scenarios[0]!.severity).toBe('critical');
    expect(errors.map((error) => [path.basename(error.file), error.field])).toEqual([['c.yaml', 'severty']]);
    expect(errors[0]!.message).toContain('severty: unknown key "severty" (line 2)');
  });

  it('a missing folder is an error, not a throw', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-scenarios-'));
    const { scenarios, errors } = loadScenarios(path.join(dir, 'absent'));
    expect(scenarios).toEqual([]);
    expect(errors[0]!.message).toContain('cannot read the scenarios folder');
  });
});
