import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { createDetectors } from '../../src/monitor/alerts/detector.js';
import { recordRunEvent, resetDrillMetrics, setActiveDrill, setServiceUp, startDrillMetricsServer } from '../../src/monitor/drill-metrics.js';
import { detectionConfig, EMPTY_PROMETHEUS_ALERTS, startServer, watchAround, type TestServer } from './helpers.js';
import { freePort } from './monitoring-stack.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  resetDrillMetrics();
});

async function server(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const started = await startServer(handler);
  servers.push(started);
  return started;
}

const quick = detectionConfig({ poll_interval_seconds: 0.2, window_seconds: 1 });

describe('monitoring that is down or answers garbage', () => {
  it('reports a closed Prometheus port as not reachable, without throwing', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const [detector] = createDetectors(quick, {}, { prometheusUrl: url });
    const { detection, updates } = await watchAround(detector!, 'cpu_spike', 100);
    expect(detection.detected).toBe(false);
    expect(detection.error).toBe(`Prometheus at ${url} is not reachable (connection refused).`);
    expect(detection.summary).toBe(`not checked: Prometheus at ${url} is not reachable (connection refused)`);
    expect(updates.at(-1)?.error).toBe(detection.error);
  });

  it('says an HTML page is not the Prometheus alerts API', async () => {
    const html = await server((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome to nginx!</body></html>');
    });
    const [detector] = createDetectors(quick, {}, { prometheusUrl: html.url });
    const { detection } = await watchAround(detector!, 'cpu_spike', 100);
    expect(detection.detected).toBe(false);
    expect(detection.error).toBe(`Prometheus at ${html.url} answered something that is not the Prometheus alerts API (not JSON).`);
  });

  it('says JSON of another shape is not the Alertmanager alerts API', async () => {
    const other = await server((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ hello: 'world' }));
    });
    const [detector] = createDetectors(quick, {}, { alertmanagerUrl: `${other.url}/am/` });
    expect(detector!.source).toBe('alertmanager');
    const { detection } = await watchAround(detector!, 'memory_pressure', 100);
    expect(detection.error).toBe(`Alertmanager at ${other.url}/am answered something that is not the Alertmanager alerts API.`);
  });

  it('reports a server that never answers as a timeout', async () => {
    const silent = await server(() => undefined);
    const [detector] = createDetectors(detectionConfig({ poll_interval_seconds: 0.2 }), {}, { prometheusUrl: silent.url });
    const { detection } = await watchAround(detector!, 'cpu_spike', 0);
    expect(detection.error).toBe(`Prometheus at ${silent.url} did not answer within 3 s.`);
  });

  it('reports refused credentials without printing them', async () => {
    const guarded = await server((_request, response) => {
      response.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized');
    });
    const [detector] = createDetectors(quick, { FIREDRILL_PROMETHEUS_URL: guarded.url, FIREDRILL_PROMETHEUS_TOKEN: 's3cr3t-token' });
    const { detection } = await watchAround(detector!, 'cpu_spike', 100);
    expect(detection.error).toBe(`Prometheus at ${guarded.url} refused the credentials (HTTP 401).`);
    expect(guarded.authorizations[0]).toBe('Bearer s3cr3t-token');
    expect(JSON.stringify(detection)).not.toContain('s3cr3t');
  });

  it('keeps user:password in a URL out of every message', async () => {
    const port = await freePort();
    const [detector] = createDetectors(quick, {}, { prometheusUrl: `http://admin:hunter2@127.0.0.1:${port}/?token=abc` });
    const { detection } = await watchAround(detector!, 'cpu_spike', 0);
    expect(detection.error).toBe(`Prometheus at http://127.0.0.1:${port} is not reachable (connection refused).`);
    expect(JSON.stringify(detection)).not.toMatch(/hunter2|admin|abc/);
  });

  it('ends the watch at once when the run is cancelled', async () => {
    const alerts = await server((_request, response) => response.end(EMPTY_PROMETHEUS_ALERTS));
    const [detector] = createDetectors(detectionConfig({ poll_interval_seconds: 0.2, window_seconds: 600 }), {}, { prometheusUrl: alerts.url });
    const controller = new AbortController();
    const watch = await detector!.watch('cpu_spike', Date.now(), controller.signal, () => undefined);
    const verdict = watch.finish(Date.now());
    controller.abort();
    const detection = await verdict;
    expect(detection.detected).toBe(false);
    expect(detection.summary).toMatch(/^NOT detected: the watch was cancelled after (\d+ ms|\d+\.\d s)$/);
  });
});

describe('where firedrill finds the monitoring', () => {
  it('uses nothing when nothing is configured', () => {
    expect(createDetectors(detectionConfig(), {})).toEqual([]);
  });

  it('prefers the flag over the environment over the config, Prometheus first', async () => {
    const fromFlag = await server((_request, response) => response.end(EMPTY_PROMETHEUS_ALERTS));
    const fromEnv = await server((_request, response) => response.end(EMPTY_PROMETHEUS_ALERTS));
    const config = detectionConfig({
      ...quick,
      prometheus: { url: 'http://127.0.0.1:1' },
      alertmanager: { url: 'http://127.0.0.1:1' },
    });
    const detectors = createDetectors(config, { FIREDRILL_PROMETHEUS_URL: fromEnv.url }, { prometheusUrl: fromFlag.url });
    expect(detectors.map((detector) => detector.source)).toEqual(['prometheus', 'alertmanager']);
    const { detection } = await watchAround(detectors[0]!, 'disk_fill', 300);
    expect(detection.error).toBeUndefined();
    expect(fromFlag.authorizations.length).toBeGreaterThan(0);
    expect(fromEnv.authorizations).toEqual([]);
  });

  it('sends the config credentials only to the server they were configured for', async () => {
    const configured = await server((_request, response) => response.end(EMPTY_PROMETHEUS_ALERTS));
    const other = await server((_request, response) => response.end(EMPTY_PROMETHEUS_ALERTS));
    const config = detectionConfig({ ...quick, prometheus: { url: configured.url, username: 'firedrill', password: 'pw' } });
    await watchAround(createDetectors(config, {})[0]!, 'cpu_spike', 0);
    expect(configured.authorizations[0]).toBe(`Basic ${Buffer.from('firedrill:pw').toString('base64')}`);
    await watchAround(createDetectors(config, {}, { prometheusUrl: other.url })[0]!, 'cpu_spike', 0);
    expect(other.authorizations[0]).toBeUndefined();
  });

  it('refuses a flag or variable that is not an http(s) URL, naming it', () => {
    expect(() => createDetectors(detectionConfig(), {}, { prometheusUrl: 'localhost:9090' })).toThrow(UsageError);
    expect(() => createDetectors(detectionConfig(), {}, { prometheusUrl: 'not a url' })).toThrow(
      '--prometheus: expected an http(s) URL such as http://localhost:9090, found "not a url", which holds a space',
    );
    expect(() => createDetectors(detectionConfig(), { FIREDRILL_ALERTMANAGER_URL: 'ftp://host' })).toThrow(
      'FIREDRILL_ALERTMANAGER_URL: expected an http(s) URL such as http://localhost:9093, found a ftp: URL',
    );
  });
});

describe("firedrill's drill metrics", () => {
  it('shows which drill is active, since when, and the service health', async () => {
    const exporter = await startDrillMetricsServer({ port: 0 });
    try {
      const scrape = async () => (await fetch(exporter.url)).text();
      expect(await scrape()).toContain('firedrill_drill_active{drill="cpu_spike"} 0');
      setActiveDrill('cpu_spike', 1_700_000_000_000);
      setServiceUp('canary', false);
      let text = await scrape();
      expect(text).toContain('firedrill_drill_active{drill="cpu_spike"} 1');
      expect(text).toContain('firedrill_drill_active{drill="disk_fill"} 0');
      expect(text).toContain('firedrill_drill_started_timestamp_seconds{drill="cpu_spike"} 1700000000');
      expect(text).toContain('firedrill_service_up{target="canary"} 0');
      setActiveDrill('disk_fill');
      setServiceUp('canary', null);
      text = await scrape();
      expect(text).toContain('firedrill_drill_active{drill="cpu_spike"} 0');
      expect(text).toContain('firedrill_drill_active{drill="disk_fill"} 1');
      expect(text).not.toContain('firedrill_service_up{');
      expect((await fetch(exporter.url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await exporter.close();
    }
  });

  it('follows a run from the events the runner yields', async () => {
    const exporter = await startDrillMetricsServer({ port: 0 });
    try {
      const scrape = async () => (await fetch(exporter.url)).text();
      const startedAt = '2026-01-01T00:00:00.000Z';
      recordRunEvent({ type: 'drill-started', drill: 'service_restart', startedAt }, 'canary');
      expect(await scrape()).toContain('firedrill_service_up{target="canary"} 1');
      recordRunEvent({ type: 'monitor-event', drill: 'service_restart', event: { type: 'service_stopped', at: startedAt, value: 0 } }, 'canary');
      let text = await scrape();
      expect(text).toContain('firedrill_service_up{target="canary"} 0');
      expect(text).toContain('firedrill_drill_active{drill="service_restart"} 1');
      expect(text).toContain(`firedrill_drill_started_timestamp_seconds{drill="service_restart"} ${Date.parse(startedAt) / 1000}`);
      recordRunEvent({ type: 'monitor-event', drill: 'service_restart', event: { type: 'service_started', at: startedAt, value: 1 } }, 'canary');
      expect(await scrape()).toContain('firedrill_service_up{target="canary"} 1');
      recordRunEvent(
        {
          type: 'drill-finished',
          result: {
            test: 'service_restart',
            success: true,
            eventsTriggered: 2,
            events: [],
            startedAt,
            completedAt: startedAt,
            durationMs: 3000,
            measured: {},
            summary: 'ok',
          },
        },
        'canary',
      );
      text = await scrape();
      expect(text).toContain('firedrill_drill_active{drill="service_restart"} 0');
      expect(text).not.toContain('firedrill_service_up{');
    } finally {
      await exporter.close();
    }
  });

  it('says so when the port is taken', async () => {
    const first = await startDrillMetricsServer({ port: 0 });
    try {
      await expect(startDrillMetricsServer({ port: first.port })).rejects.toThrow(
        `Cannot serve drill metrics on 127.0.0.1:${first.port} (the port is in use).`,
      );
    } finally {
      await first.close();
    }
  });
});
