import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, IncidentApiClient, streamRemoteIncident } from '../../src/api/client.js';
import type { IncidentEvent } from '../../src/incidents/types.js';
import { waitFor } from '../helpers/cli.js';
import { SCENARIO_IDS, startTestApi, type TestApi } from './helpers.js';

let fast: TestApi;
let slow: TestApi;
beforeAll(async () => {
  fast = await startTestApi();
  slow = await startTestApi({ speed: 1 });
});
afterAll(async () => {
  await Promise.all([fast.close(), slow.close()]);
});

async function collect(events: AsyncIterable<IncidentEvent>): Promise<IncidentEvent[]> {
  const seen: IncidentEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('the incident API client against firedrill serve', () => {
  it('lists and reads scenarios with the base URL given either way', async () => {
    for (const baseUrl of [fast.url, `${fast.url}/api/v1`, `${fast.url}/api/v1/`]) {
      const client = new IncidentApiClient({ baseUrl, apiKey: fast.apiKey });
      const list = await client.listScenarios();
      expect(list.map((scenario) => scenario.id)).toEqual(expect.arrayContaining(SCENARIO_IDS));
      expect(list.find((scenario) => scenario.id === 'pod_crash_loop')).toMatchObject({ metricCount: 4, durationSeconds: 300 });
    }
    const client = new IncidentApiClient({ baseUrl: fast.url, apiKey: fast.apiKey });
    const beginners = await client.listScenarios({ difficulty: 'beginner' });
    expect(beginners.every((scenario) => scenario.difficulty === 'beginner')).toBe(true);
    const scenario = await client.getScenario('latency_spike_database');
    expect(scenario).toMatchObject({ id: 'latency_spike_database', expectedRootCause: 'database_performance' });
    expect(scenario.metrics).toContainEqual({
      name: 'database_query_duration_seconds',
      value: 7.2,
      baseline: 0.05,
      deviationSigma: 7,
      pattern: 'step',
      unit: 'seconds',
    });
  });

  it('starts, follows, lists and stops simulations', async () => {
    const client = new IncidentApiClient({ baseUrl: fast.url, apiKey: fast.apiKey });
    const started = await client.start('cpu_spike_traffic_surge');
    expect(started.simulationId).toMatch(/^sim_[0-9a-f]{8}$/);
    const events = await collect(client.events(started.simulationId, AbortSignal.timeout(30_000)));
    expect(events[0]).toMatchObject({ type: 'incident-opened', simulationId: started.simulationId });
    expect(events.at(-1)).toMatchObject({ type: 'incident-finished', status: 'completed' });
    const status = await client.getSimulation(started.simulationId);
    expect(status).toMatchObject({ status: 'completed', metricsInjected: true });
    expect((await client.listSimulations()).map((simulation) => simulation.simulationId)).toContain(started.simulationId);
    const stopped = await client.stop(started.simulationId);
    expect(stopped).toMatchObject({ simulationId: started.simulationId, details: { previous_status: 'completed' } });
  });

  it('leaves no listener on a signal shared by many requests (a console keeps one for its lifetime)', async () => {
    const client = new IncidentApiClient({ baseUrl: fast.url, apiKey: fast.apiKey });
    const shared = new AbortController();
    for (let index = 0; index < 15; index += 1) await client.listScenarios({}, shared.signal);
    const started = await client.start('pod_crash_loop', {}, shared.signal);
    for await (const _event of client.events(started.simulationId, shared.signal)) {
      // Read to the end.
    }
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
  });

  it('streams a remote incident: metrics, hypotheses, then incident-finished', async () => {
    const events = await collect(
      streamRemoteIncident({ baseUrl: `${fast.url}/api/v1`, apiKey: fast.apiKey, scenarioId: 'dependency_failure_timeout', signal: AbortSignal.timeout(30_000) }),
    );
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('incident-opened');
    expect(types).toContain('metrics');
    expect(types).toContain('hypothesis');
    expect(types).toContain('analysis-finished');
    expect(events.at(-1)).toMatchObject({ type: 'incident-finished', status: 'completed' });
  });

  it('stops the remote simulation when the stream is aborted, ending with incident-finished stopped', async () => {
    const controller = new AbortController();
    const events: IncidentEvent[] = [];
    for await (const event of streamRemoteIncident({ baseUrl: slow.url, apiKey: slow.apiKey, scenarioId: 'memory_leak_gradual', signal: controller.signal })) {
      events.push(event);
      if (event.type === 'metrics') controller.abort();
    }
    expect(events.at(-1)).toMatchObject({ type: 'incident-finished', status: 'stopped' });
    const opened = events[0] as Extract<IncidentEvent, { type: 'incident-opened' }>;
    const client = new IncidentApiClient({ baseUrl: slow.url, apiKey: slow.apiKey });
    await waitFor(async () => (await client.getSimulation(opened.simulationId)).status === 'stopped', 10_000, 'the remote stop');
  });

  it('reports a wrong key and unknown ids as ApiErrors with a clear sentence', async () => {
    const wrong = new IncidentApiClient({ baseUrl: fast.url, apiKey: 'not-the-key' });
    const denied = await wrong.listScenarios().catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(ApiError);
    expect(denied).toMatchObject({ kind: 'unauthorized', status: 403, message: `the incident API at ${fast.url} rejected the API key (403: invalid API key)` });

    const client = new IncidentApiClient({ baseUrl: fast.url, apiKey: fast.apiKey });
    const missing = await client.start('no_such_scenario').catch((error: unknown) => error);
    expect(missing).toMatchObject({ kind: 'not-found', status: 404, message: `the incident API at ${fast.url}: scenario "no_such_scenario" not found` });
    const noStream = await collect(client.events('sim_ffffffff', AbortSignal.timeout(10_000))).catch((error: unknown) => error);
    expect(noStream).toMatchObject({ kind: 'not-found', message: `the incident API at ${fast.url}: simulation "sim_ffffffff" not found` });
  });
});
