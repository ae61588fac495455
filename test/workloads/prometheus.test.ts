import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, missingMonitoringBinaries, startMonitoringStack, type MonitoringStack } from '../alerts/monitoring-stack.js';
import { startCli, waitFor } from '../helpers/cli.js';
import type { WorkloadEvent } from '../../src/workloads/types.js';
import { psNames, scratch, writeProfile } from './helpers.js';

/**
 * A real Prometheus (the Debian package, as in the detection tests) scrapes a running workload
 * once a second: the per-process series carry the right labels, follow their patterns, and the
 * series of churned processes vanish.
 */

const missing = missingMonitoringBinaries();
let dirs: Awaited<ReturnType<typeof scratch>>;
let stack: MonitoringStack | undefined;
let cli: ReturnType<typeof startCli> | undefined;
const events: WorkloadEvent[] = [];

interface Series {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(expression: string): Promise<Series[]> {
  const url = `${stack!.prometheusUrl}/api/v1/query?query=${encodeURIComponent(expression)}`;
  const answer = (await (await fetch(url)).json()) as { status: string; data: { result: Series[] }; error?: string };
  if (answer.status !== 'success') throw new Error(`${expression}: ${answer.error}`);
  return answer.data.result;
}

describe.skipIf(missing !== null)('a workload scraped by a real Prometheus', () => {
  beforeAll(async () => {
    dirs = await scratch();
    await writeProfile(
      dirs.profilesDir,
      'scraped',
      `id: scraped
title: Scraped
description: A spiky pair, a grower, a database and churning jobs.
processes: 8
churn_per_minute: 60
kinds:
  - { id: spiky, name: "python3 /srv/etl.py --spiky", priority: high, count: 2, cpu: { pattern: spiky, percent: 70 }, restart: always }
  - { id: grower, name: "node /srv/worker.js", priority: medium, count: 1, memory: { pattern: growing, mb: 48 }, ramp_seconds: 12 }
  - { id: db, name: "postgres: 15/main: checkpointer", priority: critical, count: 1, memory: { pattern: steady, mb: 4 }, open_files: 4 }
  - { id: job, name: "cron-job --run {n}", priority: low, count: 4 }
`,
    );
    const port = await freePort();
    cli = startCli(['workload', '--profile', 'scraped', '--json', '--metrics-port', String(port), '--data-dir', dirs.dataDir], {
      env: { FIREDRILL_WORKLOADS_DIR: dirs.profilesDir },
    });
    let buffer = '';
    cli.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buffer.slice(0, newline)) as WorkloadEvent);
        buffer = buffer.slice(newline + 1);
      }
    });
    await waitFor(() => events.some((event) => event.type === 'started'), 20_000, 'the workload to start');
    stack = await startMonitoringStack({ drillMetricsTarget: `127.0.0.1:${port}` });
  }, 90_000);

  afterAll(async () => {
    if (cli && cli.exitCode === null) {
      cli.kill('SIGTERM');
      await once(cli, 'close');
    }
    await stack?.stop();
    await dirs?.dispose();
  });

  it('has a series per process with its name, pid, priority, kind and workload, read from /proc', async () => {
    const started = events.find((event) => event.type === 'started');
    const workloadId = started?.type === 'started' ? started.workloadId : '';
    const [db] = await waitFor(async () => {
      const found = await query('process_memory_usage_bytes{kind="db"}');
      return found.length === 1 ? found : undefined;
    }, 15_000, 'the database series');
    const pid = Number(db!.metric.pid);
    expect(db!.metric).toMatchObject({ workload: workloadId, kind: 'db', priority: 'critical', process_name: 'postgres: 15/main: checkpointer', executable: 'postgres', job: 'firedrill' });
    expect(psNames(pid)).toEqual({ comm: 'postgres', args: 'postgres: 15/main: checkpointer' });
    expect(Number(db!.value[1])).toBeGreaterThan(4 * 2 ** 20);
    const [fds] = await query(`process_open_file_descriptors{pid="${pid}"} - on(workload) group_left min by (workload) (process_open_file_descriptors{kind="job"})`);
    expect(Number(fds!.value[1])).toBe(4);
    const [threads] = await query(`process_threads{pid="${pid}"}`);
    expect(Number(threads!.value[1])).toBe(1);
    const [uptime] = await query(`process_uptime_seconds{pid="${pid}"} - (time() - process_start_time_seconds{pid="${pid}"})`);
    expect(Math.abs(Number(uptime!.value[1]))).toBeLessThan(3);
    expect((await query('count by (state) (process_cpu_time_seconds_total{kind="spiky"})')).map((series) => series.metric.state).sort()).toEqual(['system', 'user']);
  });

  it("follows the patterns: a spiky process's CPU varies, a growing one's memory rises", async () => {
    // Over the last 20 s each spiky process spent 2 s of every 10 near its peak and the rest near a tenth of it.
    const swing = await waitFor(async () => {
      const found = await query(
        'max_over_time(irate(process_cpu_time_seconds_total{kind="spiky",state="user"}[3s])[20s:1s]) - min_over_time(irate(process_cpu_time_seconds_total{kind="spiky",state="user"}[3s])[20s:1s])',
      );
      return found.length === 2 && found.every((series) => Number(series.value[1]) > 0.15) ? found : undefined;
    }, 40_000, 'both spiky processes to swing by 15 % of a core');
    expect(swing).toHaveLength(2);
    const growth = await waitFor(async () => {
      const [found] = await query('max_over_time(process_memory_usage_bytes{kind="grower"}[30s]) - min_over_time(process_memory_usage_bytes{kind="grower"}[30s])');
      return found && Number(found.value[1]) > 20 * 2 ** 20 ? Number(found.value[1]) : undefined;
    }, 30_000, 'the grower to grow by 20 MiB');
    expect(growth).toBeGreaterThan(20 * 2 ** 20);
  });

  it('drops the series of a churned process at the next scrape', async () => {
    // A job churned after Prometheus had scraped it at least once.
    const seenAt = Date.now();
    const churned = await waitFor(
      async () => {
        for (const event of events) {
          if (event.type !== 'churned' || event.ended.startedAt > seenAt - 3000) continue;
          const existed = await query(`count_over_time(process_memory_usage_bytes{pid="${event.ended.pid}"}[2m])`);
          if (existed.length === 1) return event;
        }
        return undefined;
      },
      20_000,
      'a churned process that had been scraped',
    );
    expect(churned.ended.priority).toBe('low');
    await waitFor(async () => (await query(`process_memory_usage_bytes{pid="${churned.ended.pid}"}`)).length === 0, 10_000, 'its series to go stale');
    const [churnCount] = await query('firedrill_workload_churned_total');
    expect(Number(churnCount!.value[1])).toBeGreaterThanOrEqual(1);
    // Critical and high-priority processes are never churned.
    expect(events.filter((event) => event.type === 'churned').every((event) => event.type === 'churned' && event.ended.priority === 'low')).toBe(true);
  });
});
