import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { detectorsFor, prometheusFor, setupProblems } from '../../src/experiments/prepare.js';
import { missingMonitoringBinaries, startMonitoringStack, waitUntilQuiet, type MonitoringStack } from '../alerts/monitoring-stack.js';
import { fromObject, run, tempData } from './helpers.js';

/** Debian's Prometheus and node-exporter on loopback, the rules firedrill ships, a real CPU load. */
const missing = missingMonitoringBinaries();

describe.skipIf(missing !== null)(`experiments against a real Prometheus${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let stack: MonitoringStack;
  beforeAll(async () => {
    stack = await startMonitoringStack();
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('a Prometheus query probe holds the steady state, and the fault is detected by the shipped NodeCpuBusy alert', async () => {
    const experiment = fromObject({
      id: 'cpu-seen-by-prometheus',
      title: 'CPU load seen by Prometheus',
      description: 'every core busy, node-exporter scraped, NodeCpuBusy expected',
      risk: 'medium',
      severity: 3,
      services: [{ id: 'canary', kind: 'canary' }],
      probe_interval_seconds: 0.25,
      steady_state: {
        title: 'node-exporter is up and the canary answers',
        baseline_seconds: 1,
        probes: [
          { name: 'node up', kind: 'prometheus', query: 'up{job="node"}', min: 1 },
          { name: 'canary health', kind: 'http', url: '${canary.url}/health', max_latency_ms: 1000 },
        ],
      },
      recovery: { within_seconds: 30 },
      // 6 s: the rule's irate over [3s] needs two scrapes inside its window, which a loaded machine can delay for a few seconds.
      method: [{ name: 'every core busy', fault: { kind: 'drill', drill: 'cpu_spike' }, duration_seconds: 6 }],
      detection: { alert: 'NodeCpuBusy', within_seconds: 15 },
    });
    const config = defaultConfig();
    config.detection.window_seconds = 10;
    const env = { FIREDRILL_PROMETHEUS_URL: stack.prometheusUrl };
    // Without a Prometheus, the probe cannot run: said before anything starts.
    expect(await setupProblems(experiment, { config, env: {} })).toEqual([
      "steady_state.probes.0: a prometheus probe needs a Prometheus: give it url, or use --prometheus, FIREDRILL_PROMETHEUS_URL or the config's detection.prometheus.url",
    ]);
    const prometheus = prometheusFor(config, env);
    expect(await setupProblems(experiment, { config, env, ...(prometheus ? { prometheus } : {}) })).toEqual([]);

    const data = tempData();
    try {
      const { result } = await run(experiment, data, { config, env, ...(prometheus ? { prometheus } : {}), detectors: detectorsFor(experiment, config, env, {}) });
      expect(result.status).toBe('completed');
      expect(result.verdict).toBe('held');
      const nodeUp = result.ticks.flatMap((tick) => tick.results.filter((sample) => sample.probe === 'node up'));
      expect(nodeUp.length).toBeGreaterThan(10);
      expect(nodeUp.every((sample) => sample.ok && sample.value === 1)).toBe(true);
      const [detection] = result.faults[0]!.detection;
      expect(detection).toMatchObject({ source: 'prometheus', expected: 'NodeCpuBusy', detected: true });
      const alert = detection!.alerts.find((candidate) => candidate.name === 'NodeCpuBusy')!;
      expect(alert.timeToDetectMs).toBeLessThan(10_000);
    } finally {
      data.remove();
      await waitUntilQuiet(stack.prometheusUrl, ['NodeCpuBusy']);
    }
  });
});
