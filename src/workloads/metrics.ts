import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import { countOpenFds, readProcStat } from './proc-stats.js';
import type { Workload } from './workload.js';

/**
 * Per-process metrics of running workloads, in the OpenTelemetry hostmetrics style (its process
 * scraper as the Prometheus exporter names it), every figure read from /proc at scrape time. The
 * series are rebuilt on each scrape from the processes alive then, so a process that ended is
 * gone at the next scrape (no stale series).
 */

const PROCESS_LABELS = ['workload', 'kind', 'priority', 'process_name', 'executable', 'pid'] as const;

export class WorkloadMetrics {
  readonly registry = new Registry();

  constructor(private readonly workloads: () => Iterable<Workload>) {
    const registers = [this.registry];
    const cpu = new Counter({
      name: 'process_cpu_time_seconds_total',
      help: 'CPU seconds the process has used, by state (user, system), from /proc/PID/stat.',
      labelNames: [...PROCESS_LABELS, 'state'],
      registers,
      // One collect for all, on the first metric registered (the registry asks them in order): it
      // reads /proc once per process and fills every metric from that read.
      collect: () => collectAll(),
    });
    const memory = new Gauge({ name: 'process_memory_usage_bytes', help: 'Resident set size (RSS) of the process.', labelNames: PROCESS_LABELS, registers });
    const virtual = new Gauge({ name: 'process_memory_virtual_bytes', help: 'Virtual memory size of the process.', labelNames: PROCESS_LABELS, registers });
    const threads = new Gauge({ name: 'process_threads', help: 'Threads of the process.', labelNames: PROCESS_LABELS, registers });
    const fds = new Gauge({ name: 'process_open_file_descriptors', help: 'File descriptors the process holds open.', labelNames: PROCESS_LABELS, registers });
    const started = new Gauge({ name: 'process_start_time_seconds', help: 'When the process started, Unix seconds.', labelNames: PROCESS_LABELS, registers });
    const uptime = new Gauge({ name: 'process_uptime_seconds', help: 'Seconds since the process started.', labelNames: PROCESS_LABELS, registers });
    const count = new Gauge({ name: 'firedrill_workload_processes', help: 'Processes of the workload alive now.', labelNames: ['workload', 'profile'], registers });
    const churned = new Gauge({ name: 'firedrill_workload_churned_total', help: 'Processes churn ended and replaced.', labelNames: ['workload', 'profile'], registers });
    const died = new Gauge({ name: 'firedrill_workload_died_total', help: 'Processes that ended on their own or by chaos.', labelNames: ['workload', 'profile'], registers });
    const restarted = new Gauge({ name: 'firedrill_workload_restarted_total', help: 'Processes restarted after they died.', labelNames: ['workload', 'profile'], registers });
    const chaos = new Gauge({ name: 'firedrill_workload_chaos_total', help: 'Chaos triggers applied.', labelNames: ['workload', 'profile'], registers });

    const perProcess = [memory, virtual, threads, fds, started, uptime];
    const collectAll = () => {
      for (const metric of [cpu, ...perProcess, count, churned, died, restarted, chaos]) metric.reset();
      const now = Date.now() / 1000;
      for (const workload of this.workloads()) {
        const { id, profile } = { id: workload.id, profile: workload.profile.id };
        const processes = workload.processes();
        let alive = 0;
        for (const process of processes) {
          const stat = readProcStat(process.pid);
          const openFds = countOpenFds(process.pid);
          // Gone between the list and the read (or the pid already belongs to someone else).
          if (!stat || openFds === null || stat.startTicks !== process.startTime) continue;
          alive++;
          const labels = {
            workload: id,
            kind: process.kind,
            priority: process.priority,
            process_name: process.name,
            executable: process.comm,
            pid: String(process.pid),
          };
          cpu.inc({ ...labels, state: 'user' }, stat.userSeconds);
          cpu.inc({ ...labels, state: 'system' }, stat.systemSeconds);
          memory.set(labels, stat.rssBytes);
          virtual.set(labels, stat.virtualBytes);
          threads.set(labels, stat.threads);
          fds.set(labels, openFds);
          started.set(labels, stat.startTimeSeconds);
          uptime.set(labels, Math.max(0, now - stat.startTimeSeconds));
        }
        const stats = workload.stats();
        const workloadLabels = { workload: id, profile };
        count.set(workloadLabels, alive);
        churned.set(workloadLabels, stats.churned);
        died.set(workloadLabels, stats.died);
        restarted.set(workloadLabels, stats.restarted);
        chaos.set(workloadLabels, stats.chaos);
      }
    };
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

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
