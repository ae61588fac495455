// Time to detect, per drill, by a real Prometheus (and Alertmanager) with the rules firedrill
// ships (examples/prometheus/firedrill-rules.yml), against the original's blind 65 s wait after
// every test. Runs firedrill's real drills on this machine with their default sizes.
//
//   node bench/time-to-detect.mjs [drill ...]
//
// Needs: apt-get install -y prometheus prometheus-node-exporter prometheus-alertmanager
import { register } from 'tsx/esm/api';
import { reportRow } from './rows.mjs';

register();

const { missingMonitoringBinaries, startMonitoringStack, waitUntilQuiet } = await import('../test/alerts/monitoring-stack.ts');
const { openRealDrills } = await import('../test/alerts/real-drills.ts');
const { createDetectors } = await import('../src/monitor/alerts/detector.ts');
const { parseConfig } = await import('../src/config/config.ts');
const { resetDrillMetrics, setActiveDrill, setServiceUp, startDrillMetricsServer } = await import('../src/monitor/drill-metrics.ts');

const ORIGINAL_WAIT_S = 65;
const ALERT_FOR = {
  cpu_spike: 'NodeCpuBusy',
  memory_pressure: 'NodeMemoryAvailableDropped',
  disk_fill: 'NodeFilesystemFillingFast',
  service_restart: 'FiredrillServiceDown',
  process_spawn: 'NodeProcessesSpawned',
};
/** The drills' own default hold times, in seconds. */
const DURATION_S = { cpu_spike: 10, memory_pressure: 10, disk_fill: 10, service_restart: 3, process_spawn: 5 };

const missing = missingMonitoringBinaries();
if (missing) {
  console.error(`time-to-detect: ${missing}`);
  process.exit(1);
}
const chosen = process.argv.slice(2);
const order = chosen.length > 0 ? chosen : Object.keys(ALERT_FOR);
for (const name of order) {
  if (!(name in ALERT_FOR)) {
    console.error(`time-to-detect: unknown drill "${name}" (one of ${Object.keys(ALERT_FOR).join(', ')})`);
    process.exit(2);
  }
}

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => controller.abort());

const exporter = await startDrillMetricsServer({ port: 0 });
const drills = await openRealDrills();
let stack;
const rows = [];
try {
  stack = await startMonitoringStack({ withAlertmanager: true, drillMetricsTarget: `127.0.0.1:${exporter.port}` });
  console.log(`Prometheus ${stack.prometheusUrl}, Alertmanager ${stack.alertmanagerUrl}: 1 s scrape and evaluation\n`);
  for (const name of order) {
    if (controller.signal.aborted) break;
    const alert = ALERT_FOR[name];
    await waitUntilQuiet(stack.prometheusUrl, [alert], 90_000);
    const config = parseConfig({
      detection: {
        prometheus: { url: stack.prometheusUrl },
        alertmanager: { url: stack.alertmanagerUrl },
        poll_interval_seconds: 0.25,
        window_seconds: 60,
        expect: { [name]: { alert, within_seconds: 60 } },
      },
    }).detection;
    const detectors = createDetectors(config, {});
    const startedAt = Date.now();
    const watches = await Promise.all(detectors.map((detector) => detector.watch(name, startedAt, controller.signal, () => undefined)));
    setActiveDrill(name, startedAt);
    if (name === 'service_restart') setServiceUp('canary', true);
    process.stdout.write(`${name}: running ${DURATION_S[name]} s ... `);
    const outcome = await drills.run(name, DURATION_S[name] * 1000, controller.signal, (event) => {
      // What `firedrill run --metrics-port` exports: the drill's own view of its service.
      if (event.type === 'service_stopped') setServiceUp('canary', false);
      if (event.type === 'service_started') setServiceUp('canary', true);
    });
    const endedAt = Date.now();
    setActiveDrill(null);
    const [byPrometheus, byAlertmanager] = await Promise.all(watches.map((watch) => watch.finish(endedAt)));
    const verdictAfterS = (Date.now() - endedAt) / 1000;
    setServiceUp('canary', null);
    console.log(outcome.success ? 'done' : `drill failed: ${outcome.error ?? outcome.summary}`);
    console.log(`  Prometheus:   ${byPrometheus.summary}`);
    console.log(`  Alertmanager: ${byAlertmanager.summary}`);
    const first = (detection) => detection.alerts.find((seen) => seen.name === alert);
    rows.push({
      name,
      alert,
      promDetect: first(byPrometheus)?.timeToDetectMs,
      amDetect: first(byAlertmanager)?.timeToDetectMs,
      resolve: first(byPrometheus)?.timeToResolveMs,
      verdictAfterS,
      detected: byPrometheus.detected,
    });
  }
} finally {
  resetDrillMetrics();
  await stack?.stop();
  await exporter.close();
  await drills.close();
}

const s = (ms) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
console.log('\nTime to detect with the shipped rules (1 s scrape/eval), per drill:');
console.log('drill            alert                        Prometheus  Alertmanager  resolved after  verdict after   vs 65 s blind wait');
for (const row of rows) {
  const ratio = row.verdictAfterS > 0 ? `${(ORIGINAL_WAIT_S / row.verdictAfterS).toFixed(1)}x sooner` : '-';
  console.log(
    `${row.name.padEnd(17)}${row.alert.padEnd(29)}${(row.detected ? s(row.promDetect) : 'NOT').padEnd(12)}${s(row.amDetect).padEnd(14)}${s(row.resolve).padEnd(16)}${`${row.verdictAfterS.toFixed(1)} s`.padEnd(16)}${ratio}`,
  );
}
for (const row of rows) {
  reportRow({
    what: `${row.name} detected by the shipped Prometheus rule ${row.alert} (1 s scrape)`,
    figure: row.detected ? s(row.promDetect) : 'not detected',
    against: `the original's blind ${ORIGINAL_WAIT_S} s wait; verdict after ${row.verdictAfterS.toFixed(1)} s`,
  });
}
const total = rows.reduce((sum, row) => sum + row.verdictAfterS, 0);
if (rows.length > 0) {
  console.log(
    `\nWaiting after the drills: ${total.toFixed(1)} s in all with detection, against ${rows.length} x ${ORIGINAL_WAIT_S} s = ${rows.length * ORIGINAL_WAIT_S} s blind (${((rows.length * ORIGINAL_WAIT_S) / total).toFixed(1)}x), and the original never knew whether anything noticed.`,
  );
}
