import { afterEach, describe, expect, it } from 'vitest';
import type { IncidentEvent } from '../../src/incidents/types.js';
import { waitFor } from '../helpers/cli.js';
import { parseSse, startTestApi, type TestApi } from './helpers.js';

const S = '/api/v1/simulator';
type Json = Record<string, unknown>;

const servers: TestApi[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

/** speed 1000 finishes a scenario in a moment; speed 1 keeps it running for minutes (until stopped). */
async function server(options: Parameters<typeof startTestApi>[0] = {}): Promise<TestApi> {
  const api = await startTestApi(options);
  servers.push(api);
  return api;
}

async function start(api: TestApi, scenario: string, body: unknown = {}): Promise<Json> {
  const response = await api.call(`${S}/scenarios/${scenario}/start`, { method: 'POST', body: JSON.stringify(body) });
  expect(response.status).toBe(201);
  return (await response.json()) as Json;
}

async function status(api: TestApi, id: unknown): Promise<Json> {
  return (await (await api.call(`${S}/simulations/${String(id)}`)).json()) as Json;
}

/** Reads an event stream until `until` says so, then drops the connection. */
async function readEventsUntil(api: TestApi, id: unknown, until: (events: IncidentEvent[]) => boolean): Promise<IncidentEvent[]> {
  const response = await api.call(`${S}/simulations/${String(id)}/events`);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const events: IncidentEvent[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    const complete = text.lastIndexOf('\n\n');
    if (complete === -1) continue;
    events.push(...parseSse(text.slice(0, complete + 2)).map((entry) => entry.data as IncidentEvent));
    text = text.slice(complete + 2);
    if (until(events)) break;
  }
  await reader.cancel();
  return events;
}

describe('simulations', () => {
  it('runs 20 simulations started at once: unique ids, all listed, all completed with hypotheses', async () => {
    const api = await server({ maxSimulations: 25 });
    const scenarios = ['memory_leak_gradual', 'cpu_spike_traffic_surge', 'latency_spike_database', 'pod_crash_loop', 'dependency_failure_timeout'];
    const started = await Promise.all(Array.from({ length: 20 }, (_, index) => start(api, scenarios[index % scenarios.length]!)));
    const ids = started.map((simulation) => simulation.simulation_id as string);
    expect(new Set(ids).size).toBe(20);
    expect(new Set(started.map((simulation) => simulation.incident_id)).size).toBe(20);

    const listed = (await (await api.call(`${S}/simulations`)).json()) as Json[];
    expect(listed.map((simulation) => simulation.simulation_id).sort()).toEqual([...ids].sort());

    const finished = await waitFor(
      async () => {
        const list = (await (await api.call(`${S}/simulations`)).json()) as Json[];
        return list.every((simulation) => simulation.status !== 'running') && list;
      },
      30_000,
      'all 20 simulations to finish',
    );
    expect(finished).toHaveLength(20);
    for (const simulation of finished) {
      expect(simulation.status).toBe('completed');
      expect(simulation.error).toBeNull();
      expect(simulation.metrics_injected).toBe(true);
      expect(simulation.hypotheses_count as number).toBeGreaterThan(0);
      expect(simulation.completed_at).toBeTypeOf('string');
    }
  });

  it('streams the events: incident-opened, metrics, hypotheses, then incident-finished, and replays them later', async () => {
    const api = await server();
    const simulation = await start(api, 'memory_leak_gradual');
    const response = await api.call(`${S}/simulations/${String(simulation.simulation_id)}/events`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const entries = parseSse(await response.text());
    for (const entry of entries) expect(entry.event).toBe((entry.data as IncidentEvent).type);
    const events = entries.map((entry) => entry.data as IncidentEvent);

    expect(events[0]).toMatchObject({
      type: 'incident-opened',
      simulationId: simulation.simulation_id,
      incidentId: simulation.incident_id,
      scenarioId: 'memory_leak_gradual',
      severity: 'critical',
    });
    const metrics = events.filter((event) => event.type === 'metrics');
    expect(metrics.length).toBeGreaterThan(0);
    expect(metrics[0]!.points.map((point) => point.name)).toContain('memory_usage_bytes');
    const hypotheses = events.filter((event) => event.type === 'hypothesis');
    expect(hypotheses.length).toBeGreaterThan(0);
    expect(hypotheses.map((event) => event.hypothesis.category)).toContain('memory_leak');
    expect(events.at(-1)).toMatchObject({ type: 'incident-finished', status: 'completed' });
    expect(events.filter((event) => event.type === 'incident-finished')).toHaveLength(1);

    const final = await status(api, simulation.simulation_id);
    expect(final).toMatchObject({ status: 'completed', hypotheses_count: hypotheses.length, metrics_injected: true });

    const replay = parseSse(await (await api.call(`${S}/simulations/${String(simulation.simulation_id)}/events`)).text());
    expect(replay.map((entry) => entry.data)).toEqual(events);

    // A client that lost its connection after the third event resumes from the fourth.
    const resumed = await api.call(`${S}/simulations/${String(simulation.simulation_id)}/events`, { headers: { 'last-event-id': '3' } });
    expect(parseSse(await resumed.text()).map((entry) => entry.data)).toEqual(events.slice(3));
    // Nothing after the last event of a finished simulation: 204, so that EventSource stops reconnecting.
    const nothingLeft = await api.call(`${S}/simulations/${String(simulation.simulation_id)}/events`, {
      headers: { 'last-event-id': String(events.length) },
    });
    expect(nothingLeft.status).toBe(204);
  });

  it('runs without analysis when auto_analyze is false', async () => {
    const api = await server();
    const simulation = await start(api, 'pod_crash_loop', { auto_analyze: false });
    const events = parseSse(await (await api.call(`${S}/simulations/${String(simulation.simulation_id)}/events`)).text());
    expect(events.some((entry) => entry.event === 'hypothesis')).toBe(false);
    expect(await status(api, simulation.simulation_id)).toMatchObject({ status: 'completed', hypotheses_count: 0, actions_count: 0 });
  });

  it('reports a simulation whose analysis fails as failed, with the reason (the original said completed)', async () => {
    const api = await server({
      analyzerFactory: () => ({
        source: 'unreachable model',
        async *analyze() {
          throw new Error('the model at http://127.0.0.1:9 is not reachable');
        },
      }),
    });
    const simulation = await start(api, 'latency_spike_database');
    const events = parseSse(await (await api.call(`${S}/simulations/${String(simulation.simulation_id)}/events`)).text());
    expect(events.at(-1)?.data).toMatchObject({ type: 'incident-finished', status: 'failed', error: 'the model at http://127.0.0.1:9 is not reachable' });
    expect(await status(api, simulation.simulation_id)).toMatchObject({
      status: 'failed',
      error: 'the model at http://127.0.0.1:9 is not reachable',
      hypotheses_count: 0,
    });
  });

  it('stops a running simulation: 200 stopped, its status says so, its stream ends with incident-finished stopped', async () => {
    const api = await server({ speed: 1 });
    const simulation = await start(api, 'cpu_spike_traffic_surge');
    const id = simulation.simulation_id;
    const streamed = readEventsUntil(api, id, (events) => events.at(-1)?.type === 'incident-finished');
    await waitFor(async () => (await status(api, id)).metrics_injected === true, 20_000, 'metrics to be injected');
    expect((await status(api, id)).status).toBe('running');

    const response = await api.call(`${S}/simulations/${String(id)}/stop`, { method: 'POST' });
    expect(response.status).toBe(200);
    const stopped = (await response.json()) as Json;
    expect(stopped).toMatchObject({
      status: 'stopped',
      simulation_id: id,
      details: { previous_status: 'running', final_status: 'stopped', execution_mode: 'demo', auto_analyze: true },
    });

    const after = await status(api, id);
    expect(after.status).toBe('stopped');
    expect(after.completed_at).toBeTypeOf('string');
    const events = await streamed;
    expect(events[0]?.type).toBe('incident-opened');
    expect(events.at(-1)).toMatchObject({ type: 'incident-finished', status: 'stopped' });

    const again = (await (await api.call(`${S}/simulations/${String(id)}/stop`, { method: 'POST' })).json()) as Json;
    expect(again).toMatchObject({ status: 'stopped', details: { previous_status: 'stopped' } });
  });

  it('refuses a start over the cap with 429, and accepts one again after a stop', async () => {
    const api = await server({ speed: 1, maxSimulations: 2 });
    const first = await start(api, 'memory_leak_gradual');
    await start(api, 'memory_leak_gradual');
    const refused = await api.call(`${S}/scenarios/memory_leak_gradual/start`, { method: 'POST' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toEqual({ detail: '2 simulations are already running; stop one or wait for one to finish' });

    await api.call(`${S}/simulations/${String(first.simulation_id)}/stop`, { method: 'POST' });
    await start(api, 'memory_leak_gradual');
  });

  it('keeps a bounded number of finished simulations, forgetting the oldest', async () => {
    const api = await server({ maxFinishedSimulations: 3 });
    const ids: unknown[] = [];
    for (let index = 0; index < 5; index += 1) {
      const simulation = await start(api, 'cpu_spike_traffic_surge');
      ids.push(simulation.simulation_id);
      await waitFor(async () => (await status(api, simulation.simulation_id)).status === 'completed', 20_000, 'completion');
    }
    const listed = ((await (await api.call(`${S}/simulations`)).json()) as Json[]).map((simulation) => simulation.simulation_id);
    expect(listed).toEqual(ids.slice(2));
    expect((await api.call(`${S}/simulations/${String(ids[0])}`)).status).toBe(404);
  });

  it('exposes the injected metrics on /metrics while a simulation runs, and removes them when it ends', async () => {
    const api = await server({ speed: 1 });
    const simulation = await start(api, 'memory_leak_gradual');
    await api.call(`${S}/scenarios/no_such_scenario`);
    const id = String(simulation.simulation_id);
    const series = `memory_usage_bytes{scenario="memory_leak_gradual",simulation="${id}"}`;
    const during = await waitFor(
      async () => {
        const text = await (await api.call('/metrics', { key: null })).text();
        return text.includes(series) && text;
      },
      20_000,
      'the injected gauge',
    );
    expect(during).toContain('firedrill_simulations_active 1');
    expect(during).toContain('firedrill_http_requests_total{method="POST",route="/api/v1/simulator/scenarios/{id}/start",status="201"} 1');
    expect(during).toContain('firedrill_http_requests_total{method="GET",route="/api/v1/simulator/scenarios/{id}",status="404"} 1');

    await api.call(`${S}/simulations/${id}/stop`, { method: 'POST' });
    const after = await (await api.call('/metrics', { key: null })).text();
    expect(after).not.toContain(series);
    expect(after).toContain('firedrill_simulations_active 0');
  });

  it('lets go of an event stream whose client went away', async () => {
    const api = await server({ speed: 1 });
    const simulation = await start(api, 'pod_crash_loop');
    const health = async () => (await (await api.call('/healthz', { key: null })).json()) as Json;
    const events = await readEventsUntil(api, simulation.simulation_id, (seen) => seen.some((event) => event.type === 'metrics'));
    expect(events[0]?.type).toBe('incident-opened');
    await waitFor(async () => (await health()).event_streams_open === 0, 10_000, 'the stream to be let go');
    expect(await health()).toMatchObject({ simulations_active: 1 });
  });

  it('ends open event streams with incident-finished stopped when the server closes', async () => {
    const api = await startTestApi({ speed: 1 });
    const simulation = await start(api, 'latency_spike_database');
    const streamed = readEventsUntil(api, simulation.simulation_id, () => false);
    await waitFor(async () => (await status(api, simulation.simulation_id)).metrics_injected === true, 20_000, 'metrics');
    await api.close();
    const events = await streamed;
    expect(events.at(-1)).toMatchObject({ type: 'incident-finished', status: 'stopped' });
  });
});
