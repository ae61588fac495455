import { z } from 'zod';
import { MonitoringClient, type MonitoringEndpoint } from './http.js';
import type { ActiveAlert, AlertSource } from './types.js';

/** https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml (gettableAlerts) */
const alertmanagerAlertsSchema = z.array(
  z.object({
    labels: z.record(z.string(), z.string()),
    fingerprint: z.string(),
    startsAt: z.string(),
    status: z.object({ state: z.string() }),
  }),
);

export const ALERTMANAGER_ALERTS_API = 'Alertmanager alerts API';

/**
 * What reached the Alertmanager: `GET /api/v2/alerts`, which lists alerts that have not resolved.
 * Silenced and inhibited alerts count too: an alert a drill caused and the inhibit rule on
 * firedrill_drill_active held back was still detected; it only did not page anyone.
 */
export class AlertmanagerAlerts implements AlertSource {
  readonly kind = 'alertmanager';
  private readonly client: MonitoringClient;

  constructor(endpoint: MonitoringEndpoint, { timeoutMs = 5_000 }: { timeoutMs?: number } = {}) {
    this.client = new MonitoringClient('Alertmanager', endpoint, timeoutMs);
  }

  get label(): string {
    return this.client.label;
  }

  async activeAlerts(signal?: AbortSignal): Promise<ActiveAlert[]> {
    const answer = await this.client.getJson('/api/v2/alerts', alertmanagerAlertsSchema, ALERTMANAGER_ALERTS_API, signal);
    return answer.map((alert) => ({
      name: alert.labels.alertname ?? '(unnamed)',
      labels: alert.labels,
      firing: alert.status.state !== 'resolved',
    }));
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
