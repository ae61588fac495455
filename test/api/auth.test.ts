import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

const PROTECTED: Array<[method: string, path: string]> = [
  ['GET', '/api/v1/simulator/scenarios'],
  ['GET', '/api/v1/simulator/scenarios/memory_leak_gradual'],
  ['POST', '/api/v1/simulator/scenarios/memory_leak_gradual/start'],
  ['GET', '/api/v1/simulator/simulations'],
  ['GET', '/api/v1/simulator/simulations/sim_00000000'],
  ['POST', '/api/v1/simulator/simulations/sim_00000000/stop'],
  ['GET', '/api/v1/simulator/simulations/sim_00000000/events'],
  // Unknown routes under /api/v1 are not revealed to a caller without the key.
  ['GET', '/api/v1/simulator/nothing-here'],
];

describe('incident API authentication', () => {
  it.each(PROTECTED)('%s %s answers 401 without a key', async (method, path) => {
    const response = await api.call(path, { method, key: null });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ detail: 'missing API key: send it in the X-API-Key header' });
  });

  it.each(PROTECTED)('%s %s answers 403 with a wrong key', async (method, path) => {
    for (const key of ['wrong', `${api.apiKey}x`, api.apiKey.slice(0, -1)]) {
      const response = await api.call(path, { method, key });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ detail: 'invalid API key' });
    }
  });

  it('starts nothing for a caller without the right key', async () => {
    await api.call('/api/v1/simulator/scenarios/memory_leak_gradual/start', { method: 'POST', key: 'wrong' });
    const response = await api.call('/api/v1/simulator/simulations');
    expect(await response.json()).toEqual([]);
  });

  it('serves /metrics and /healthz without a key, for Prometheus and health checks', async () => {
    const metrics = await api.call('/metrics', { key: null });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await metrics.text()).toContain('firedrill_simulations_active 0');
    const health = await api.call('/healthz', { key: null });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', simulations_active: 0 });
  });
});
