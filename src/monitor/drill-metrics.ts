import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, Registry } from 'prom-client';
import { DRILL_NAMES, type DrillName, type RunEvent } from '../drills/types.js';

/**
 * firedrill's own /metrics while drills run, so that the user's Prometheus knows a drill is on:
 * an Alertmanager inhibit rule (examples/prometheus/alertmanager.yml) can keep drill-caused
 * alerts from paging anyone, and dashboards can annotate the drill. Its own Registry: nothing
 * of the process' default metrics leaks in.
 */
const registry = new Registry();

const drillActive = new Gauge({
  name: 'firedrill_drill_active',
  help: '1 while this firedrill drill is running on this machine, else 0.',
  labelNames: ['drill'] as const,
  registers: [registry],
});

const drillStarted = new Gauge({
  name: 'firedrill_drill_started_timestamp_seconds',
  help: 'Unix time the last run of this drill started.',
  labelNames: ['drill'] as const,
  registers: [registry],
});

const serviceUp = new Gauge({
  name: 'firedrill_service_up',
  help: 'Health of the service the service_restart drill stops and starts (1 healthy, 0 down), as firedrill probes it.',
  labelNames: ['target'] as const,
  registers: [registry],
});

for (const drill of DRILL_NAMES) drillActive.set({ drill }, 0);

let activeDrill: DrillName | null = null;

/** The drill now running, or null between drills. Only one drill runs at a time. */
export function setActiveDrill(drill: DrillName | null, startedAt: number = Date.now()): void {
  if (activeDrill !== null) drillActive.set({ drill: activeDrill }, 0);
  activeDrill = drill;
  if (drill === null) return;
  drillActive.set({ drill }, 1);
  drillStarted.set({ drill }, startedAt / 1000);
}

/** What the service_restart drill sees of its target ("canary", a unit name...); null removes the series. */
export function setServiceUp(target: string, up: boolean | null): void {
  if (up === null) serviceUp.remove({ target });
  else serviceUp.set({ target }, up ? 1 : 0);
}

/**
 * Keeps the metrics in step with a run: feed it every RunEvent the runner yields.
 * `serviceTarget` names the service_restart target in firedrill_service_up (config
 * drills.service_restart.target: canary, systemd or command).
 */
export function recordRunEvent(event: RunEvent, serviceTarget: string): void {
  switch (event.type) {
    case 'drill-started':
      setActiveDrill(event.drill, Date.parse(event.startedAt));
      if (event.drill === 'service_restart') setServiceUp(serviceTarget, true);
      break;
    case 'monitor-event':
      if (event.event.type === 'service_stopped') setServiceUp(serviceTarget, false);
      if (event.event.type === 'service_started') setServiceUp(serviceTarget, true);
      break;
    case 'drill-finished':
      setActiveDrill(null);
      if (event.result.test === 'service_restart') setServiceUp(serviceTarget, null);
      break;
    case 'run-finished':
      resetDrillMetrics();
      break;
    default:
      break;
  }
}

/** Back to the state of a fresh process: no drill active, no service series. */
export function resetDrillMetrics(): void {
  setActiveDrill(null);
  serviceUp.reset();
}

export interface DrillMetricsServer {
  /** http://host:port/metrics */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves /metrics on host:port (port 0 picks a free one). Binds 127.0.0.1 unless told otherwise:
 * a Prometheus on another machine needs an explicit --metrics-host.
 */
export function startDrillMetricsServer({ host = '127.0.0.1', port }: { host?: string; port: number }): Promise<DrillMetricsServer> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || (path !== '/metrics' && path !== '/')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('firedrill serves only /metrics here\n');
      return;
    }
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('firedrill drill metrics: see /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'the port is in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
      reject(new Error(`Cannot serve drill metrics on ${host}:${port} (${reason}).`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const actualPort = (server.address() as AddressInfo).port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${actualPort}/metrics`,
        port: actualPort,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
