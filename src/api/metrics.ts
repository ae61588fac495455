import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricPoint } from '../incidents/types.js';

/** Firedrill's own series; an injected scenario metric may not take one of these names. */
const OWN_PREFIX = 'firedrill_';

/** A scenario metric name made valid for Prometheus ("p95-latency" -> "p95_latency"). */
export function prometheusName(metric: string): string {
  const cleaned = metric.replace(/[^a-zA-Z0-9_:]/g, '_');
  const valid = /^[a-zA-Z_:]/.test(cleaned) ? cleaned : `_${cleaned}`;
  return valid.startsWith(OWN_PREFIX) ? `injected_${valid}` : valid;
}

/**
 * The /metrics of the incident API, in a registry of its own (never prom-client's global one, so
 * that two servers in one process, as in tests, do not collide).
 *
 * Each injected scenario metric is a gauge under the metric's own name, labelled
 * {scenario, simulation}: alert rules written for the real service (memory_usage_percent > 90)
 * fire against a drill unchanged. A simulation's series exist while it runs and are removed when
 * it ends, so that its alerts resolve.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly injected = new Map<string, Gauge<'scenario' | 'simulation'>>();
  private readonly active: Gauge;
  private readonly started: Counter<'scenario'>;
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly durations: Histogram<'method' | 'route'>;

  constructor() {
    this.active = new Gauge({
      name: 'firedrill_simulations_active',
      help: 'Incident simulations running now.',
      registers: [this.registry],
    });
    this.started = new Counter({
      name: 'firedrill_simulations_started_total',
      help: 'Incident simulations started, by scenario.',
      labelNames: ['scenario'],
      registers: [this.registry],
    });
    this.requests = new Counter({
      name: 'firedrill_http_requests_total',
      help: 'HTTP requests answered by the incident API, by route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.durations = new Histogram({
      name: 'firedrill_http_request_duration_seconds',
      help: 'Time to answer an HTTP request (for the event stream: time to its headers).',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [this.registry],
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  setActiveSimulations(count: number): void {
    this.active.set(count);
  }

  simulationStarted(scenarioId: string): void {
    this.started.inc({ scenario: scenarioId });
  }

  recordRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.durations.observe({ method, route }, seconds);
  }

  inject(scenarioId: string, simulationId: string, points: readonly MetricPoint[]): void {
    for (const point of points) {
      this.gauge(point).set({ scenario: scenarioId, simulation: simulationId }, point.value);
    }
  }

  removeSimulation(scenarioId: string, simulationId: string): void {
    for (const gauge of this.injected.values()) gauge.remove({ scenario: scenarioId, simulation: simulationId });
  }

  private gauge(point: MetricPoint): Gauge<'scenario' | 'simulation'> {
    const name = prometheusName(point.name);
    let gauge = this.injected.get(name);
    if (!gauge) {
      const unit = point.unit ? ` (${point.unit})` : '';
      gauge = new Gauge({
        name,
        help: `Scenario metric "${point.name}"${unit} injected by firedrill incident simulations.`,
        labelNames: ['scenario', 'simulation'],
        registers: [this.registry],
      });
      this.injected.set(name, gauge);
    }
    return gauge;
  }
}
