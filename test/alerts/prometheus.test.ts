import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectors } from '../../src/monitor/alerts/detector.js';
import { resetDrillMetrics, setActiveDrill, startDrillMetricsServer, type DrillMetricsServer } from '../../src/monitor/drill-metrics.js';
import { detectionConfig, watchAround } from './helpers.js';
import { openRealDrills } from './real-drills.js';
import { firingAlertNames, missingMonitoringBinaries, startMonitoringStack, waitUntilQuiet, type MonitoringStack } from './monitoring-stack.js';

/**
 * The real thing: Debian's Prometheus, node-exporter and Alertmanager on loopback, the rules
 * firedrill ships in examples/prometheus, and firedrill's real cpu_spike drill.
 */
const missing = missingMonitoringBinaries();

/** Rules that only the tests need: one firing from the start, two driven by the drill metrics. */
const TEST_RULES = `groups:
  - name: already-firing
    rules:
      - alert: AlwaysFiring
        expr: vector(1) > 0
        for: 0s
  - name: stays-firing
    rules:
      - alert: DiskFillDrillHasRun
        expr: firedrill_drill_started_timestamp_seconds{drill="disk_fill"} > 0
        for: 0s
  - name: follows-the-drill
    rules:
      - alert: ProcessSpawnDrillRunning
        expr: firedrill_drill_active{drill="process_spawn"} == 1
        for: 0s
`;

async function alertmanagerAlerts(url: string): Promise<{ labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[]> {
  return (await fetch(`${url}/api/v2/alerts`)).json() as never;
}

describe.skipIf(missing !== null)(`detection by a real Prometheus and Alertmanager${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let stack: MonitoringStack;
  let exporter: DrillMetricsServer;
  let drills: Awaited<ReturnType<typeof openRealDrills>>;

  beforeAll(async () => {
    drills = await openRealDrills();
    exporter = await startDrillMetricsServer({ port: 0 });
    stack = await startMonitoringStack({
      extraRules: TEST_RULES,
      withAlertmanager: true,
      drillMetricsTarget: `127.0.0.1:${exporter.port}`,
    });
  });

  afterAll(async () => {
    resetDrillMetrics();
    await stack?.stop();
    await exporter?.close();
    await drills?.close();
  });

  it('sees the cpu_spike drill fire NodeCpuBusy, in Prometheus and in Alertmanager, with times to detect and resolve', async () => {
    await waitUntilQuiet(stack.prometheusUrl, ['NodeCpuBusy', 'FiredrillDrillActive']);
    const config = detectionConfig({
      prometheus: { url: stack.prometheusUrl },
      alertmanager: { url: stack.alertmanagerUrl },
      poll_interval_seconds: 0.5,
      window_seconds: 20,
      expect: { cpu_spike: { alert: 'NodeCpuBusy', within_seconds: 20 } },
    });
    const [prometheus, alertmanager] = createDetectors(config, {});
    const [anyAlert] = createDetectors(detectionConfig({ prometheus: { url: stack.prometheusUrl }, poll_interval_seconds: 0.5, window_seconds: 20 }), {});
    const signal = new AbortController().signal;
    const startedAt = Date.now();
    const [prometheusWatch, alertmanagerWatch, anyAlertWatch] = await Promise.all(
      [prometheus!, alertmanager!, anyAlert!].map((detector) => detector.watch('cpu_spike', startedAt, signal, () => undefined)),
    );
    setActiveDrill('cpu_spike', startedAt);
    const drill = drills.run('cpu_spike', 8_000, signal);
    // What Alertmanager does with the drill's alert meanwhile: the shipped inhibit rule holds it
    // back, since FiredrillDrillActive fires for the same drill.
    const cpuAlertStates: string[] = [];
    const deadline = Date.now() + 8_000;
    while (Date.now() < deadline) {
      const cpuAlert = (await alertmanagerAlerts(stack.alertmanagerUrl!)).find((alert) => alert.labels.alertname === 'NodeCpuBusy');
      if (cpuAlert) cpuAlertStates.push(cpuAlert.status.state);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const outcome = await drill;
    const endedAt = Date.now();
    setActiveDrill(null);
    expect(outcome.error).toBeUndefined();
    const [seenByPrometheus, seenByAlertmanager, seenWithoutExpectation] = await Promise.all(
      [prometheusWatch!, alertmanagerWatch!, anyAlertWatch!].map((watch) => watch.finish(endedAt)),
    );

    for (const detection of [seenByPrometheus!, seenByAlertmanager!]) {
      expect(detection.error).toBeUndefined();
      expect(detection.detected).toBe(true);
      expect(detection.expected).toBe('NodeCpuBusy');
      const cpu = detection.alerts.find((alert) => alert.name === 'NodeCpuBusy')!;
      expect(cpu.labels.drill).toBe('cpu_spike');
      expect(cpu.timeToDetectMs).toBeGreaterThan(0);
      expect(Date.parse(cpu.firedAt)).toBe(startedAt + cpu.timeToDetectMs);
      if (cpu.resolvedAt !== undefined) {
        expect(detection.summary).toMatch(/^detected by NodeCpuBusy after (\d+ ms|\d+\.\d s), resolved (\d+ ms|\d+\.\d s) after the drill/);
        expect(cpu.timeToResolveMs).toBeGreaterThanOrEqual(0);
        expect(Date.parse(cpu.resolvedAt)).toBeGreaterThan(Date.parse(cpu.firedAt));
      } else {
        // Other work kept this machine's CPU over 80 % after the drill: then Prometheus says so too.
        expect(detection.summary).toMatch(/^detected by NodeCpuBusy after (\d+ ms|\d+\.\d s), still firing 20 s after the drill/);
        expect(await firingAlertNames(stack.prometheusUrl)).toContain('NodeCpuBusy');
      }
      expect(detection.alerts.map((alert) => alert.name)).not.toContain('AlwaysFiring');
      expect(detection.alerts.map((alert) => alert.name)).not.toContain('FiredrillDrillActive');
    }
    expect(seenByPrometheus!.source).toBe('prometheus');
    expect(seenByAlertmanager!.source).toBe('alertmanager');
    expect(cpuAlertStates).toContain('suppressed');
    // Without an expectation, any alert that started firing counts.
    expect(seenWithoutExpectation!.expected).toBeUndefined();
    expect(seenWithoutExpectation!.detected).toBe(true);
    expect(seenWithoutExpectation!.alerts.map((alert) => alert.name)).toContain('NodeCpuBusy');
    expect(seenWithoutExpectation!.summary).toMatch(/^detected by \w+ after (\d+ ms|\d+\.\d s), /);
  }, 150_000);

  it('says NOT detected when no rule matches the expectation', async () => {
    const config = detectionConfig({
      prometheus: { url: stack.prometheusUrl },
      poll_interval_seconds: 0.5,
      window_seconds: 5,
      expect: { disk_fill: { alert: 'NoSuchAlert', within_seconds: 2 } },
    });
    const { detection } = await watchAround(createDetectors(config, {})[0]!, 'disk_fill', 500);
    expect(detection.error).toBeUndefined();
    expect(detection.detected).toBe(false);
    expect(detection.expected).toBe('NoSuchAlert');
    expect(detection.summary).toMatch(/^NOT detected within 2 s(;|$)/);
  });

  it('does not count an alert that was already firing before the drill', async () => {
    expect(await firingAlertNames(stack.prometheusUrl)).toContain('AlwaysFiring');
    const config = detectionConfig({
      prometheus: { url: stack.prometheusUrl },
      alertmanager: { url: stack.alertmanagerUrl },
      poll_interval_seconds: 0.5,
      window_seconds: 3,
      expect: { process_spawn: { matchers: { alertname: 'AlwaysFiring' }, within_seconds: 2 } },
    });
    for (const detector of createDetectors(config, {})) {
      const { detection } = await watchAround(detector, 'process_spawn', 500);
      expect(detection.error).toBeUndefined();
      expect(detection.expected).toBe('{alertname="AlwaysFiring"}');
      expect(detection.detected).toBe(false);
      expect(detection.alerts.map((alert) => alert.name)).not.toContain('AlwaysFiring');
      expect(detection.summary).toMatch(/^NOT detected within 2 s/);
    }
  });

  it('says an alert is still firing when it did not clear within the window', async () => {
    const config = detectionConfig({
      prometheus: { url: stack.prometheusUrl },
      poll_interval_seconds: 0.5,
      window_seconds: 3,
      expect: { disk_fill: { alert: 'DiskFillDrillHasRun', within_seconds: 20 } },
    });
    const { detection } = await watchAround(createDetectors(config, {})[0]!, 'disk_fill', async () => {
      // Only the marker metric moves: Prometheus scrapes firedrill's exporter and the rule fires.
      setActiveDrill('disk_fill');
      const deadline = Date.now() + 15_000;
      while (!(await firingAlertNames(stack.prometheusUrl)).includes('DiskFillDrillHasRun') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      setActiveDrill(null);
    });
    expect(detection.detected).toBe(true);
    expect(detection.summary).toMatch(/^detected by DiskFillDrillHasRun after (\d+ ms|\d+\.\d s), still firing 3 s after the drill/);
    const seen = detection.alerts.find((alert) => alert.name === 'DiskFillDrillHasRun')!;
    expect(seen.resolvedAt).toBeUndefined();
    expect(seen.timeToResolveMs).toBeUndefined();
  });

  it('records when an alert resolved after the drill, and stops watching then', async () => {
    const config = detectionConfig({
      prometheus: { url: stack.prometheusUrl },
      alertmanager: { url: stack.alertmanagerUrl },
      poll_interval_seconds: 0.5,
      window_seconds: 30,
      expect: { process_spawn: { alert: 'ProcessSpawnDrillRunning', within_seconds: 20 } },
    });
    const detectors = createDetectors(config, {});
    const signal = new AbortController().signal;
    const startedAt = Date.now();
    const watches = await Promise.all(detectors.map((detector) => detector.watch('process_spawn', startedAt, signal, () => undefined)));
    // A "drill" whose only effect is firedrill's own marker: independent of this machine's load.
    setActiveDrill('process_spawn');
    const deadline = Date.now() + 15_000;
    while (!(await firingAlertNames(stack.prometheusUrl)).includes('ProcessSpawnDrillRunning') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    setActiveDrill(null);
    const endedAt = Date.now();
    const detections = await Promise.all(watches.map((watch) => watch.finish(endedAt)));
    const finishedAt = Date.now();
    for (const detection of detections) {
      expect(detection.summary).toMatch(/^detected by ProcessSpawnDrillRunning after (\d+ ms|\d+\.\d s), resolved (\d+ ms|\d+\.\d s) after the drill/);
      const seen = detection.alerts.find((alert) => alert.name === 'ProcessSpawnDrillRunning')!;
      expect(seen.timeToResolveMs).toBe(Date.parse(seen.resolvedAt!) - endedAt);
      // It resolved, so the watch ended before its 30 s window.
      expect(Date.parse(seen.resolvedAt!)).toBeLessThanOrEqual(finishedAt);
      expect(finishedAt - endedAt).toBeLessThan(30_000);
    }
  });
});
