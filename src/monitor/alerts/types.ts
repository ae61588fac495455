/** One alert as the user's monitoring reports it right now, whatever the source. */
export interface ActiveAlert {
  name: string;
  /** All labels, alertname included: with the name they identify the alert. */
  labels: Record<string, string>;
  /** Prometheus: pending alerts wait out their `for:`; only firing ones count as detection. */
  firing: boolean;
}

/** Asks one monitoring system which alerts are active now. Throws a MonitoringError sentence on failure. */
export interface AlertSource {
  readonly kind: 'prometheus' | 'alertmanager';
  /** "Prometheus at http://host:9090", for messages. */
  readonly label: string;
  activeAlerts(signal?: AbortSignal): Promise<ActiveAlert[]>;
  close(): Promise<void>;
}

/** name + sorted labels: the same alert across polls, and a different one for another instance. */
export function alertKey(alert: Pick<ActiveAlert, 'name' | 'labels'>): string {
  const labels = Object.entries(alert.labels)
    .filter(([key]) => key !== 'alertname')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([alert.name, labels]);
}
