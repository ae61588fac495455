import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A real Prometheus, node-exporter and Alertmanager (the Debian packages) on free loopback
 * ports with temp data dirs, a 1 s scrape and evaluation interval and firedrill's shipped rules.
 * Shared by test/alerts and bench/time-to-detect.mjs. Everything is ended by pid in stop().
 */

const here = path.dirname(fileURLToPath(import.meta.url));
export const SHIPPED_RULES = path.resolve(here, '../../examples/prometheus/firedrill-rules.yml');

const BINARIES = {
  prometheus: '/usr/bin/prometheus',
  nodeExporter: '/usr/bin/prometheus-node-exporter',
  alertmanager: '/usr/bin/prometheus-alertmanager',
} as const;

/** Why the stack cannot run here, or null. */
export function missingMonitoringBinaries(): string | null {
  const missing = Object.values(BINARIES).filter((binary) => !existsSync(binary));
  if (missing.length === 0) return null;
  return `${missing.join(', ')} not installed (apt-get install -y prometheus prometheus-node-exporter prometheus-alertmanager, as .ci/install-monitoring.sh does)`;
}

export interface MonitoringStack {
  prometheusUrl: string;
  alertmanagerUrl: string | undefined;
  nodeExporterUrl: string;
  dir: string;
  /** Ends every process it started (by pid) and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Extra rule groups (YAML text) next to the shipped rules, such as an always-firing rule. */
  extraRules?: string;
  /** host:port of a firedrill drill-metrics exporter to scrape too. */
  drillMetricsTarget?: string;
  withAlertmanager?: boolean;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function start(binary: string, args: string[], logFile: string): ChildProcess {
  // setpriv --pdeathsig: if the test process dies without its afterAll, the servers die with it.
  const usePdeathsig = existsSync('/usr/bin/setpriv');
  const command = usePdeathsig ? '/usr/bin/setpriv' : binary;
  const fullArgs = usePdeathsig ? ['--pdeathsig', 'SIGTERM', '--', binary, ...args] : args;
  const child = spawn(command, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => log.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk));
  child.on('exit', () => void writeFile(logFile, Buffer.concat(log)).catch(() => undefined));
  return child;
}

async function endProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }, 5_000);
  await exited;
  clearTimeout(timer);
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, died: () => string | null): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const death = died();
    if (death) throw new Error(`${what}: ${death}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

export async function startMonitoringStack(options: StackOptions = {}): Promise<MonitoringStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'firedrill-alerts-test-'));
  const started: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(started.map((child) => endProcess(child)));
    await rm(dir, { recursive: true, force: true });
  };
  const diedMessage = async (child: ChildProcess, log: string) => {
    const text = await readFile(log, 'utf8').catch(() => '');
    return `exited (${child.exitCode ?? child.signalCode}): ${text.slice(-500)}`;
  };
  try {
    const nodePort = await freePort();
    const nodeExporter = start(
      BINARIES.nodeExporter,
      [
        `--web.listen-address=127.0.0.1:${nodePort}`,
        '--collector.disable-defaults',
        '--collector.cpu',
        '--collector.meminfo',
        '--collector.filesystem',
        '--collector.processes',
        // Containers put / on overlay, which node-exporter skips by default: the disk rule
        // needs to see the filesystem the temp dir is on.
        '--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$',
      ],
      path.join(dir, 'node-exporter.log'),
    );
    started.push(nodeExporter);

    let alertmanagerUrl: string | undefined;
    let alertmanagerPort: number | undefined;
    if (options.withAlertmanager) {
      alertmanagerPort = await freePort();
      const alertmanagerConfig = path.join(dir, 'alertmanager.yml');
      await writeFile(alertmanagerConfig, await readFile(path.resolve(here, '../../examples/prometheus/alertmanager.yml'), 'utf8'));
      const alertmanager = start(
        BINARIES.alertmanager,
        [
          `--config.file=${alertmanagerConfig}`,
          `--storage.path=${path.join(dir, 'alertmanager-data')}`,
          `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
          // Otherwise it opens a gossip port on every interface.
          '--cluster.listen-address=',
        ],
        path.join(dir, 'alertmanager.log'),
      );
      started.push(alertmanager);
      alertmanagerUrl = `http://127.0.0.1:${alertmanagerPort}`;
      const log = path.join(dir, 'alertmanager.log');
      await waitFor('Alertmanager starting', 20_000, async () => ((await getJson(`${alertmanagerUrl}/api/v2/status`)) ? true : undefined), () =>
        alertmanager.exitCode !== null ? 'exited' : null,
      ).catch(async (error: Error) => {
        throw new Error(`${error.message} ${await diedMessage(alertmanager, log)}`);
      });
    }

    const prometheusPort = await freePort();
    const rulesFiles = [path.join(dir, 'firedrill-rules.yml')];
    await writeFile(rulesFiles[0]!, await readFile(SHIPPED_RULES, 'utf8'));
    if (options.extraRules) {
      rulesFiles.push(path.join(dir, 'extra-rules.yml'));
      await writeFile(rulesFiles[1]!, options.extraRules);
    }
    const scrapeConfigs = [`  - job_name: node\n    static_configs:\n      - targets: ['127.0.0.1:${nodePort}']`];
    if (options.drillMetricsTarget) {
      scrapeConfigs.push(`  - job_name: firedrill\n    static_configs:\n      - targets: ['${options.drillMetricsTarget}']`);
    }
    const prometheusConfig = [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      ...rulesFiles.map((file) => `  - ${JSON.stringify(file)}`),
      ...(alertmanagerPort ? ['alerting:', '  alertmanagers:', `    - static_configs:`, `        - targets: ['127.0.0.1:${alertmanagerPort}']`] : []),
      'scrape_configs:',
      ...scrapeConfigs,
      '',
    ].join('\n');
    const configFile = path.join(dir, 'prometheus.yml');
    await writeFile(configFile, prometheusConfig);
    const prometheus = start(
      BINARIES.prometheus,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(dir, 'prometheus-data')}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
      ],
      path.join(dir, 'prometheus.log'),
    );
    started.push(prometheus);
    const prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    const expectedTargets = options.drillMetricsTarget ? 2 : 1;
    // Prometheus waits a few seconds before its first scrape: the rules only mean something
    // once every target is up.
    await waitFor(
      'Prometheus scraping its targets',
      30_000,
      async () => {
        const answer = (await getJson(`${prometheusUrl}/api/v1/targets`)) as { data: { activeTargets: { health: string }[] } };
        const up = answer.data.activeTargets.filter((target) => target.health === 'up').length;
        return up >= expectedTargets ? true : undefined;
      },
      () => (prometheus.exitCode !== null ? 'Prometheus exited' : nodeExporter.exitCode !== null ? 'node-exporter exited' : null),
    );
    return { prometheusUrl, alertmanagerUrl, nodeExporterUrl: `http://127.0.0.1:${nodePort}`, dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Names of the alerts Prometheus reports firing right now. */
export async function firingAlertNames(prometheusUrl: string): Promise<string[]> {
  const answer = (await getJson(`${prometheusUrl}/api/v1/alerts`)) as { data: { alerts: { labels: { alertname: string }; state: string }[] } };
  return answer.data.alerts.filter((alert) => alert.state === 'firing').map((alert) => alert.labels.alertname);
}

/** Waits (bounded) until none of `names` is firing, so that a test starts from quiet. */
export async function waitUntilQuiet(prometheusUrl: string, names: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const firing = await firingAlertNames(prometheusUrl);
    if (!firing.some((name) => names.includes(name))) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${names.join(', ')} kept firing for ${timeoutMs / 1000} s before the drill: the machine is too busy to test on`);
}
