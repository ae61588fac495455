import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios } from '../../src/incidents/load.js';
import { SCENARIO_IDS, startTestApi, type TestApi } from './helpers.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

const S = '/api/v1/simulator';
const SUMMARY_KEYS = ['description', 'difficulty', 'duration_seconds', 'id', 'metric_count', 'name', 'service', 'severity', 'tags'];
const SIMULATION_KEYS = [
  'actions_count',
  'completed_at',
  'error',
  'hypotheses_count',
  'incident_id',
  'metrics_injected',
  'scenario_id',
  'simulation_id',
  'started_at',
  'status',
];

type Json = Record<string, unknown>;

async function json(response: Response): Promise<unknown> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return response.json();
}

describe('GET /scenarios', () => {
  it('lists every shipped scenario in the original shape, with metric_count', async () => {
    const response = await api.call(`${S}/scenarios`);
    expect(response.status).toBe(200);
    const list = (await json(response)) as Json[];
    const shipped = loadScenarios().scenarios;
    expect(list).toHaveLength(shipped.length);
    expect(list.map((item) => item.id)).toEqual(expect.arrayContaining(SCENARIO_IDS));
    for (const item of list) {
      expect(Object.keys(item).sort()).toEqual(SUMMARY_KEYS);
      const scenario = shipped.find((candidate) => candidate.id === item.id)!;
      expect(item.metric_count).toBe(scenario.metrics.length);
      expect(item.duration_seconds).toBe(scenario.durationSeconds);
    }
    const memoryLeak = list.find((item) => item.id === 'memory_leak_gradual');
    expect(memoryLeak).toMatchObject({
      name: 'Gradual Memory Leak',
      service: 'payment-service',
      severity: 'critical',
      difficulty: 'beginner',
      tags: ['resource', 'availability'],
      duration_seconds: 300,
      metric_count: 4,
    });
  });

  it('filters by difficulty and by tag, and refuses an unknown difficulty', async () => {
    const beginners = (await json(await api.call(`${S}/scenarios?difficulty=beginner`))) as Json[];
    expect(beginners.length).toBeGreaterThan(0);
    expect(beginners.every((item) => item.difficulty === 'beginner')).toBe(true);
    expect(beginners.map((item) => item.id)).toEqual(expect.arrayContaining(['memory_leak_gradual', 'cpu_spike_traffic_surge']));

    const external = (await json(await api.call(`${S}/scenarios?tag=external`))) as Json[];
    expect(external.every((item) => (item.tags as string[]).includes('external'))).toBe(true);
    expect(external.map((item) => item.id)).toEqual(expect.arrayContaining(['latency_spike_database', 'dependency_failure_timeout']));

    const both = (await json(await api.call(`${S}/scenarios?difficulty=advanced&tag=external`))) as Json[];
    expect(both.map((item) => item.id)).toContain('dependency_failure_timeout');
    expect(both.every((item) => item.difficulty === 'advanced')).toBe(true);

    const none = await api.call(`${S}/scenarios?tag=no-such-tag`);
    expect(await json(none)).toEqual([]);

    const bad = await api.call(`${S}/scenarios?difficulty=expert`);
    expect(bad.status).toBe(400);
    expect(await json(bad)).toEqual({ detail: 'difficulty must be one of beginner, intermediate, advanced, got "expert"' });
  });
});

describe('GET /scenarios/{id}', () => {
  it('gives the detail: metrics with is_anomalous, context and expected outcomes', async () => {
    const response = await api.call(`${S}/scenarios/memory_leak_gradual`);
    expect(response.status).toBe(200);
    const detail = (await json(response)) as Json;
    expect(detail).not.toHaveProperty('metric_count');
    expect(detail).toMatchObject({
      id: 'memory_leak_gradual',
      severity: 'critical',
      expected_root_cause: 'memory_leak',
    });
    expect(detail.context).toBeTypeOf('object');
    expect(Array.isArray(detail.expected_action_types)).toBe(true);
    expect(detail.metrics).toContainEqual({
      name: 'memory_usage_bytes',
      value: 8589934592,
      baseline: 2147483648,
      deviation_sigma: 5.2,
      pattern_type: 'linear',
      unit: 'bytes',
      is_anomalous: true,
    });
  });

  it('flags exactly the metrics at three sigma or more as anomalous, in every scenario', async () => {
    const list = (await json(await api.call(`${S}/scenarios`))) as Json[];
    for (const { id } of list) {
      const detail = (await json(await api.call(`${S}/scenarios/${String(id)}`))) as { metrics: Json[] };
      for (const metric of detail.metrics) {
        expect(Object.keys(metric).sort()).toEqual(['baseline', 'deviation_sigma', 'is_anomalous', 'name', 'pattern_type', 'unit', 'value']);
        expect(metric.is_anomalous).toBe(Math.abs(metric.deviation_sigma as number) >= 3);
      }
    }
  });

  it('answers 404 for an unknown scenario', async () => {
    const response = await api.call(`${S}/scenarios/no_such_scenario`);
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({ detail: 'scenario "no_such_scenario" not found' });
  });
});

describe('POST /scenarios/{id}/start and the simulation routes', () => {
  it('answers 201 with the original shape, then the simulation is found by id and in the list', async () => {
    const response = await api.call(`${S}/scenarios/cpu_spike_traffic_surge/start`, {
      method: 'POST',
      body: JSON.stringify({ auto_analyze: true, execution_mode: 'demo' }),
    });
    expect(response.status).toBe(201);
    const started = (await json(response)) as Json;
    expect(Object.keys(started).sort()).toEqual(SIMULATION_KEYS);
    expect(started.simulation_id).toMatch(/^sim_[0-9a-f]{8}$/);
    expect(started.scenario_id).toBe('cpu_spike_traffic_surge');
    expect(started.incident_id).toBeTypeOf('string');
    expect(['running', 'completed']).toContain(started.status);
    expect(Number.isNaN(Date.parse(started.started_at as string))).toBe(false);

    const byId = await api.call(`${S}/simulations/${String(started.simulation_id)}`);
    expect(byId.status).toBe(200);
    const status = (await json(byId)) as Json;
    expect(Object.keys(status).sort()).toEqual(SIMULATION_KEYS);
    expect(status).toMatchObject({ simulation_id: started.simulation_id, incident_id: started.incident_id });

    const list = (await json(await api.call(`${S}/simulations`))) as Json[];
    expect(list.map((item) => item.simulation_id)).toContain(started.simulation_id);
  });

  it('accepts an empty body (defaults) and ignores unknown keys, as the original does', async () => {
    const empty = await api.call(`${S}/scenarios/pod_crash_loop/start`, { method: 'POST' });
    expect(empty.status).toBe(201);
    const extra = await api.call(`${S}/scenarios/pod_crash_loop/start`, { method: 'POST', body: '{"auto_analyze": false, "note": "x"}' });
    expect(extra.status).toBe(201);
  });

  it.each([
    ['{"auto_analyze": tru', 'request body is not valid JSON'],
    ['[1, 2]', 'request body must be a JSON object'],
    ['"demo"', 'request body must be a JSON object'],
    ['{"auto_analyze": "yes"}', 'invalid request body: auto_analyze:'],
    ['{"execution_mode": 5}', 'invalid request body: execution_mode:'],
    ['{"execution_mode": ""}', 'invalid request body: execution_mode:'],
  ])('answers 400 for the body %s', async (body, detail) => {
    const response = await api.call(`${S}/scenarios/memory_leak_gradual/start`, { method: 'POST', body });
    expect(response.status).toBe(400);
    expect(((await json(response)) as Json).detail).toContain(detail);
  });

  it('answers 413 for a body over 64 KiB', async () => {
    const body = JSON.stringify({ auto_analyze: true, execution_mode: 'x'.repeat(100 * 1024) });
    const response = await api.call(`${S}/scenarios/memory_leak_gradual/start`, { method: 'POST', body });
    expect(response.status).toBe(413);
    expect(await json(response)).toEqual({ detail: 'request body is larger than 64 KiB' });
  });

  it('answers 404 for unknown scenarios, simulations and routes', async () => {
    const cases: Array<[string, string, string]> = [
      ['POST', `${S}/scenarios/nope/start`, 'scenario "nope" not found'],
      ['GET', `${S}/simulations/sim_ffffffff`, 'simulation "sim_ffffffff" not found'],
      ['POST', `${S}/simulations/sim_ffffffff/stop`, 'simulation "sim_ffffffff" not found'],
      ['GET', `${S}/simulations/sim_ffffffff/events`, 'simulation "sim_ffffffff" not found'],
      ['GET', `${S}/incidents`, `no route ${S}/incidents`],
      ['GET', '/api/v2/simulator/scenarios', 'no route /api/v2/simulator/scenarios'],
    ];
    for (const [method, path, detail] of cases) {
      const response = await api.call(path, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await json(response)).toEqual({ detail });
    }
  });

  it('answers 405 with Allow for a wrong method', async () => {
    const cases: Array<[string, string, string]> = [
      ['DELETE', `${S}/scenarios`, 'GET'],
      ['GET', `${S}/scenarios/memory_leak_gradual/start`, 'POST'],
      ['PUT', `${S}/simulations/sim_ffffffff/stop`, 'POST'],
      ['POST', `${S}/simulations`, 'GET'],
      ['POST', '/metrics', 'GET'],
    ];
    for (const [method, path, allow] of cases) {
      const response = await api.call(path, { method });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      expect(((await json(response)) as Json).detail).toContain(`${method} is not allowed`);
    }
  });
});
