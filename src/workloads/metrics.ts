import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { countOpenFds, readProcStat } from './proc-stats.js';
import type { Workload } from './workload.js';

/**
 * Per-process metrics of running workloads, in the OpenTelemetry hostmetrics style (its process
 * scraper as the Prometheus exporter names it), every figure read from /proc at scrape time. The
 * series are rebuilt on each scrape from the processes alive then, so a process that ended is
 * gone at the next scrape (no stale series).
 */

interface Sample {
  value: number;
  labels?: Record<string, string>;
  /** Labels of one process, the same object on every scrape: prom-client formats them once (it caches by object). */
  sharedLabels: Record<string, string>;
}

/**
 * A metric whose values are produced whole at scrape time; registered in a prom-client Registry,
 * which formats and serves it like any other. prom-client's Gauge would hash and validate every
 * label set of every series on each scrape: four times the cost at a thousand processes (bench/).
 */
class SnapshotMetric {
  values: Sample[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter',
    private readonly refresh?: () => void,
  ) {}

  get() {
    this.refresh?.();
    return { name: this.name, help: this.help, type: this.type, values: this.values, aggregator: 'sum' as const };
  }
}

export class WorkloadMetrics {
  readonly registry = new Registry();
  /** Each live process's label object, by pid and start time, kept while it lives. */
  private labelsOf = new Map<string, Record<string, string>>();

  constructor(private readonly workloads: () => Iterable<Workload>) {
    // The first metric registered reads /proc once per process and fills every metric from that
    // read (the registry asks the metrics in the order they were registered).
    const cpu = new SnapshotMetric('process_cpu_time_seconds_total', 'CPU seconds the process has used, by state (user, system), from /proc/PID/stat.', 'counter', () => this.collect());
    const metrics = {
      cpu,
      memory: new SnapshotMetric('process_memory_usage_bytes', 'Resident set size (RSS) of the process.', 'gauge'),
      virtual: new SnapshotMetric('process_memory_virtual_bytes', 'Virtual memory size of the process.', 'gauge'),
      threads: new SnapshotMetric('process_threads', 'Threads of the process.', 'gauge'),
      fds: new SnapshotMetric('process_open_file_descriptors', 'File descriptors the process holds open.', 'gauge'),
      started: new SnapshotMetric('process_start_time_seconds', 'When the process started, Unix seconds.', 'gauge'),
      uptime: new SnapshotMetric('process_uptime_seconds', 'Seconds since the process started.', 'gauge'),
      count: new SnapshotMetric('firedrill_workload_processes', 'Processes of the workload alive now.', 'gauge'),
      churned: new SnapshotMetric('firedrill_workload_churned_total', 'Processes churn ended and replaced.', 'counter'),
      died: new SnapshotMetric('firedrill_workload_died_total', 'Processes that ended on their own or by chaos.', 'counter'),
      restarted: new SnapshotMetric('firedrill_workload_restarted_total', 'Processes restarted after they died.', 'counter'),
      chaos: new SnapshotMetric('firedrill_workload_chaos_total', 'Chaos triggers applied.', 'counter'),
    };
    this.metrics = metrics;
    // prom-client's types list its own metric classes; the registry itself only calls name and get().
    for (const metric of Object.values(metrics)) this.registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  private readonly metrics: Record<'cpu' | 'memory' | 'virtual' | 'threads' | 'fds' | 'started' | 'uptime' | 'count' | 'churned' | 'died' | 'restarted' | 'chaos', SnapshotMetric>;

  private collect(): void {
    const m = this.metrics;
    for (const metric of Object.values(m)) metric.values = [];
    const now = Date.now() / 1000;
    const labelsSeen = new Map<string, Record<string, string>>();
    for (const workload of this.workloads()) {
      let alive = 0;
      for (const process of workload.processes()) {
        const stat = readProcStat(process.pid);
        const openFds = countOpenFds(process.pid);
        // Gone between the list and the read (or the pid already belongs to someone else).
        if (!stat || openFds === null || stat.startTicks !== process.startTime) continue;
        alive++;
        const key = `${process.pid}:${process.startTime}`;
        const sharedLabels = this.labelsOf.get(key) ?? {
          workload: workload.id,
          kind: process.kind,
          priority: process.priority,
          process_name: process.name,
          executable: process.comm,
          pid: String(process.pid),
        };
        labelsSeen.set(key, sharedLabels);
        m.cpu.values.push({ value: stat.userSeconds, labels: USER, sharedLabels }, { value: stat.systemSeconds, labels: SYSTEM, sharedLabels });
        m.memory.values.push({ value: stat.rssBytes, sharedLabels });
        m.virtual.values.push({ value: stat.virtualBytes, sharedLabels });
        m.threads.values.push({ value: stat.threads, sharedLabels });
        m.fds.values.push({ value: openFds, sharedLabels });
        m.started.values.push({ value: stat.startTimeSeconds, sharedLabels });
        m.uptime.values.push({ value: Math.max(0, now - stat.startTimeSeconds), sharedLabels });
      }
      const stats = workload.stats();
      const sharedLabels = { workload: workload.id, profile: workload.profile.id };
      m.count.values.push({ value: alive, sharedLabels });
      m.churned.values.push({ value: stats.churned, sharedLabels });
      m.died.values.push({ value: stats.died, sharedLabels });
      m.restarted.values.push({ value: stats.restarted, sharedLabels });
      m.chaos.values.push({ value: stats.chaos, sharedLabels });
    }
    // Only the processes alive now keep their labels: series of ended ones are gone from this scrape on.
    this.labelsOf = labelsSeen;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

const USER = { state: 'user' };
const SYSTEM = { state: 'system' };

export interface WorkloadMetricsServer {
  url: string;
  close(): Promise<void>;
}

/** A small /metrics server for a headless workload (`firedrill workload --metrics-port N`). */
export async function startWorkloadMetricsServer(
  metrics: WorkloadMetrics,
  options: { host: string; port: number },
): Promise<WorkloadMetricsServer> {
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(path === '/metrics' ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8' }).end(`firedrill serves /metrics here\n`);
      return;
    }
    metrics.render().then(
      (body) => {
        response.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(body) });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${(error as Error).message}\n`),
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
