import { z } from 'zod';
import { MonitoringClient, type MonitoringEndpoint } from './http.js';
import type { ActiveAlert, AlertSource } from './types.js';

/** https://prometheus.io/docs/prometheus/latest/querying/api/#alerts */
const prometheusAlertsSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    alerts: z.array(
      z.object({
        labels: z.record(z.string(), z.string()),
        state: z.string(),
        activeAt: z.string().optional(),
      }),
    ),
  }),
});

export const PROMETHEUS_ALERTS_API = 'Prometheus alerts API';

/** Prometheus's own view of its alerting rules: `GET /api/v1/alerts` (pending and firing). */
export class PrometheusAlerts implements AlertSource {
  readonly kind = 'prometheus';
  private readonly client: MonitoringClient;

  constructor(endpoint: MonitoringEndpoint, { timeoutMs = 5_000 }: { timeoutMs?: number } = {}) {
    this.client = new MonitoringClient('Prometheus', endpoint, timeoutMs);
  }

  get label(): string {
    return this.client.label;
  }

  async activeAlerts(signal?: AbortSignal): Promise<ActiveAlert[]> {
    const answer = await this.client.getJson('/api/v1/alerts', prometheusAlertsSchema, PROMETHEUS_ALERTS_API, signal);
    return answer.data.alerts.map((alert) => ({
      name: alert.labels.alertname ?? '(unnamed)',
      labels: alert.labels,
      firing: alert.state === 'firing',
    }));
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
