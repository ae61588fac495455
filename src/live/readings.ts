import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SystemSample } from '../drills/types.js';
import type { MetricPattern, MetricPoint, Scenario, ScenarioMetric } from '../incidents/types.js';
import type { ProcessInfo, ProcessSnapshot } from '../monitor/processes.js';

/**
 * Turns real readings of this machine into what the analyzers read: metrics named as
 * node_exporter, the Blackbox exporter and per-process exporters name them, each with the baseline
 * taken before the fault (mean and spread of the readings then), its distance in sigmas now, and
 * the shape of its curve since (step, linear, spike); the context holds the process table.
 */

/** One moment: the machine, its processes, the watched filesystem and the probed service. */
export interface LiveReading {
  at: number;
  sample: SystemSample;
  processes: ProcessSnapshot;
  filesystem: { mountpoint: string; availBytes: number; sizeBytes: number } | null;
  probe: { name: string; url: string; up: boolean } | null;
}

export interface MetricSpec {
  name: string;
  unit: string;
  /** The smallest standard deviation assumed: a quiet baseline must not turn a tiny move into 50 sigmas. */
  noiseFloor: number;
  /** ... nor under this share of the baseline's mean (a big process's memory moves by more than a small one's). */
  relativeFloor?: number;
  read: (reading: LiveReading) => number | undefined;
  /**
   * What the analyzer gets as the value: the latest reading, or the mean since the fault began
   * (a process's CPU, as rate(process_cpu_seconds_total[window]) would give it: a short burst of
   * another program does not outrank a process that has been busy all along).
   */
  summary?: 'latest' | 'mean';
}

const MiB = 1024 * 1024;

export function nodeMetricSpecs(options: { mountpoint: string | null; probe: string | null }): MetricSpec[] {
  const specs: MetricSpec[] = [
    { name: 'node_cpu_utilisation_percent', unit: '%', noiseFloor: 3, read: (reading) => reading.sample.cpuPercent },
    {
      name: 'node_memory_MemAvailable_bytes',
      unit: 'bytes',
      noiseFloor: 32 * MiB,
      read: (reading) => reading.sample.memTotalBytes - reading.sample.memUsedBytes,
    },
  ];
  if (options.mountpoint !== null) {
    specs.push({
      name: `node_filesystem_avail_bytes{mountpoint="${options.mountpoint}"}`,
      unit: 'bytes',
      noiseFloor: 32 * MiB,
      read: (reading) => reading.filesystem?.availBytes,
    });
  }
  if (options.probe !== null) {
    specs.push({
      name: `probe_success{job="${options.probe}"}`,
      unit: 'bool',
      noiseFloor: 0.1,
      read: (reading) => (reading.probe ? (reading.probe.up ? 1 : 0) : undefined),
    });
  }
  return specs;
}

function processKey(process: Pick<ProcessInfo, 'pid' | 'startTime'>): string {
  return `${process.pid}:${process.startTime}`;
}

function processLabels(process: ProcessInfo): string {
  return `{comm="${process.name}",pid="${process.pid}"}`;
}

/** Per-process metrics for one process: absent readings (before it started) count as 0. */
function processSpecs(process: ProcessInfo): MetricSpec[] {
  const key = processKey(process);
  const find = (reading: LiveReading) => reading.processes.processes.find((entry) => processKey(entry) === key);
  return [
    {
      name: `process_cpu_utilisation_percent${processLabels(process)}`,
      unit: '%',
      noiseFloor: 10,
      read: (reading) => find(reading)?.cpuPercent ?? 0,
      summary: 'mean',
    },
    {
      name: `process_resident_memory_bytes${processLabels(process)}`,
      unit: 'bytes',
      noiseFloor: 32 * MiB,
      relativeFloor: 0.2,
      read: (reading) => find(reading)?.rssBytes ?? 0,
    },
  ];
}

export interface Baseline {
  mean: number;
  sigma: number;
}

export function baselineOf(values: readonly number[], noiseFloor: number, relativeFloor = 0): Baseline {
  if (values.length === 0) return { mean: 0, sigma: noiseFloor };
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  return { mean, sigma: Math.max(Math.sqrt(variance), noiseFloor, relativeFloor * Math.abs(mean)) };
}

/** The baseline of one metric from the readings taken before the fault. */
export function baselineFor(spec: MetricSpec, readings: readonly LiveReading[]): Baseline {
  return baselineOf(readings.map(spec.read).filter((value): value is number => value !== undefined), spec.noiseFloor, spec.relativeFloor);
}

/**
 * The shape of a metric since the fault began, as the scenarios' patterns name it: `linear` while
 * it keeps moving the same way at a steady pace, `step` when it jumped and stays, `spike` when it
 * went and came back, `constant` when it never left its baseline.
 */
export function classifyPattern(values: readonly number[], baseline: Baseline): MetricPattern {
  const deviations = values.map((value) => (value - baseline.mean) / baseline.sigma);
  const peakIndex = deviations.reduce((best, value, index) => (Math.abs(value) > Math.abs(deviations[best] ?? 0) ? index : best), 0);
  const peak = deviations[peakIndex] ?? 0;
  if (Math.abs(peak) < 3) return 'constant';
  const last = deviations.at(-1) ?? 0;
  if (Math.abs(last) < Math.abs(peak) * 0.4) return 'spike';
  if (values.length < 4) return 'step';
  // Linear when most of the rise happened after the first quarter of the readings, steadily.
  const firstQuarter = deviations[Math.max(0, Math.floor(values.length / 4) - 1)] ?? 0;
  const direction = Math.sign(peak);
  let steps = 0;
  let forward = 0;
  for (let index = 1; index < values.length; index += 1) {
    const move = ((values[index] ?? 0) - (values[index - 1] ?? 0)) * direction;
    if (move !== 0) steps += 1;
    if (move > 0) forward += 1;
  }
  const steady = steps > 0 && forward / steps >= 0.7;
  return steady && Math.abs(firstQuarter) < Math.abs(last) * 0.5 ? 'linear' : 'step';
}

/** The readings of one metric: its baseline, and its values since the fault began. */
export function seriesOf(spec: MetricSpec, baselineReadings: readonly LiveReading[], faultReadings: readonly LiveReading[]) {
  const values = faultReadings.map(spec.read).filter((value): value is number => value !== undefined);
  return { baseline: baselineFor(spec, baselineReadings), values };
}

/** The metric as an analyzer reads it: latest value, baseline mean, sigmas from it, shape. */
export function scenarioMetric(spec: MetricSpec, baselineReadings: readonly LiveReading[], faultReadings: readonly LiveReading[]): ScenarioMetric | null {
  const { baseline, values } = seriesOf(spec, baselineReadings, faultReadings);
  const value = spec.summary === 'mean' && values.length > 0 ? values.reduce((sum, entry) => sum + entry, 0) / values.length : values.at(-1);
  if (value === undefined) return null;
  return {
    name: spec.name,
    value: roundTo(value, spec.unit),
    baseline: roundTo(baseline.mean, spec.unit),
    deviationSigma: Math.round(((value - baseline.mean) / baseline.sigma) * 10) / 10,
    pattern: classifyPattern(values, baseline),
    unit: spec.unit,
  };
}

export function metricPoint(spec: MetricSpec, reading: LiveReading, baseline: Baseline | undefined): MetricPoint | null {
  const value = spec.read(reading);
  if (value === undefined) return null;
  return {
    name: spec.name,
    value: roundTo(value, spec.unit),
    baseline: roundTo(baseline?.mean ?? value, spec.unit),
    unit: spec.unit,
    ...(baseline ? { deviationSigma: Math.round(((value - baseline.mean) / baseline.sigma) * 10) / 10 } : {}),
  };
}

function roundTo(value: number, unit: string): number {
  return unit === 'bytes' ? Math.round(value) : Math.round(value * 10) / 10;
}

/**
 * The processes worth a metric of their own: the busiest since the fault began (mean CPU over the
 * readings since), and those whose memory grew the most since the baseline (a process that did not
 * exist then grew from nothing). firedrill itself is left out.
 */
export function processesOfInterest(baselineReadings: readonly LiveReading[], faultReadings: readonly LiveReading[], perOrder = 2): ProcessInfo[] {
  const latest = faultReadings.at(-1);
  if (!latest) return [];
  const baselineRss = new Map<string, number>();
  for (const reading of baselineReadings) {
    for (const process of reading.processes.processes) baselineRss.set(processKey(process), process.rssBytes);
  }
  const cpuSum = new Map<string, number>();
  for (const reading of faultReadings) {
    for (const process of reading.processes.processes) cpuSum.set(processKey(process), (cpuSum.get(processKey(process)) ?? 0) + (process.cpuPercent ?? 0));
  }
  const growth = (process: ProcessInfo) => process.rssBytes - (baselineRss.get(processKey(process)) ?? 0);
  const busy = (process: ProcessInfo) => cpuSum.get(processKey(process)) ?? 0;
  const processes = latest.processes.processes.filter((process) => process.pid !== globalThis.process.pid);
  const busiest = [...processes].sort((a, b) => busy(b) - busy(a)).slice(0, perOrder);
  const growing = [...processes].sort((a, b) => growth(b) - growth(a)).slice(0, perOrder);
  const chosen = new Map<string, ProcessInfo>();
  for (const process of [...busiest, ...growing]) chosen.set(processKey(process), process);
  return [...chosen.values()];
}

export function processMetricSpecs(processes: readonly ProcessInfo[]): MetricSpec[] {
  return processes.flatMap(processSpecs);
}

export interface RecentFile {
  path: string;
  bytes: number;
  modifiedSecondsAgo: number;
}

/**
 * The largest regular files of a directory written to within `withinSeconds` (one level, no
 * recursion: cheap on a busy /tmp), as an engineer's `ls -lS` would find them.
 */
export async function recentLargeFiles(directory: string, withinSeconds: number, limit = 3): Promise<RecentFile[]> {
  let names: string[];
  try {
    names = (await readdir(directory)).slice(0, 5000);
  } catch {
    return [];
  }
  const now = Date.now();
  const files: RecentFile[] = [];
  for (const name of names) {
    const file = path.join(directory, name);
    try {
      const stats = await stat(file);
      const age = (now - stats.mtimeMs) / 1000;
      if (stats.isFile() && age <= withinSeconds && stats.size >= MiB) files.push({ path: file, bytes: stats.size, modifiedSecondsAgo: Math.round(age) });
    } catch {
      // Gone meanwhile.
    }
  }
  return files.sort((a, b) => b.bytes - a.bytes).slice(0, limit);
}

/** The mount point of the filesystem `directory` is on (the longest mount path that contains it). */
export async function mountpointOf(directory: string): Promise<string> {
  const resolved = path.resolve(directory);
  try {
    const mounts = (await readFile('/proc/self/mounts', 'utf8'))
      .split('\n')
      .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' '))
      .filter((mount): mount is string => mount !== undefined && mount !== '');
    const containing = mounts.filter((mount) => resolved === mount || resolved.startsWith(mount === '/' ? '/' : `${mount}/`));
    return containing.sort((a, b) => b.length - a.length)[0] ?? '/';
  } catch {
    return '/';
  }
}

export interface HostFacts {
  hostname: string;
  cpus: number;
  memTotalBytes: number;
}

export interface ScenarioInputs {
  id: string;
  host: HostFacts;
  startedAt: number;
  baselineReadings: readonly LiveReading[];
  faultReadings: readonly LiveReading[];
  recentFiles: readonly RecentFile[];
}

/**
 * What the analyzer gets: the machine is the service; metrics as above; the context holds the host,
 * the busiest processes with their command lines and when they started, the processes started
 * since the baseline, the probed service, and the large files written recently.
 */
export function liveScenario(inputs: ScenarioInputs, withCommand: (process: ProcessInfo) => ProcessInfo & { command: string }): Scenario {
  const { baselineReadings, faultReadings, host } = inputs;
  const latest = faultReadings.at(-1) ?? baselineReadings.at(-1);
  if (!latest) throw new Error('a live incident needs at least one reading');
  const first = baselineReadings[0] ?? latest;
  const mountpoint = latest.filesystem?.mountpoint ?? null;
  const probe = latest.probe?.name ?? null;
  const interesting = processesOfInterest(baselineReadings, faultReadings.length > 0 ? faultReadings : [latest]);
  const specs = [...nodeMetricSpecs({ mountpoint, probe }), ...processMetricSpecs(interesting)];
  const metrics = specs
    .map((spec) => scenarioMetric(spec, baselineReadings, faultReadings))
    .filter((metric): metric is ScenarioMetric => metric !== null);
  const secondsAgo = (at: number) => Math.max(0, Math.round((latest.at - at) / 1000));
  const describe = (process: ProcessInfo) => {
    const full = withCommand(process);
    return {
      pid: process.pid,
      name: process.name,
      command: full.command.slice(0, 200),
      cpu_percent: process.cpuPercent ?? 0,
      rss_bytes: process.rssBytes,
      started_seconds_ago: secondsAgo(process.startedAt),
    };
  };
  const byCpu = [...latest.processes.processes].sort((a, b) => (b.cpuPercent ?? 0) - (a.cpuPercent ?? 0)).slice(0, 5);
  const byMemory = [...latest.processes.processes].sort((a, b) => b.rssBytes - a.rssBytes).slice(0, 5);
  const baselineKeys = new Set(baselineReadings.flatMap((reading) => reading.processes.processes.map(processKey)));
  const started = latest.processes.processes
    .filter((process) => !baselineKeys.has(processKey(process)) && process.startedAt >= first.at)
    .sort((a, b) => (b.cpuPercent ?? 0) - (a.cpuPercent ?? 0) || b.rssBytes - a.rssBytes)
    .slice(0, 5);
  // Gone: ran through the whole baseline (not a short-lived command) and is not running now.
  const latestKeys = new Set(latest.processes.processes.map(processKey));
  const steady = baselineReadings.reduce<ProcessInfo[] | null>(
    (kept, reading) => {
      const keys = new Set(reading.processes.processes.map(processKey));
      return (kept ?? reading.processes.processes).filter((process) => keys.has(processKey(process)));
    },
    null,
  );
  const missing = (steady ?? []).filter((process) => !latestKeys.has(processKey(process))).slice(0, 10);
  return {
    id: inputs.id,
    name: `Live incident on ${host.hostname}`,
    description: `Readings of ${host.hostname} since ${new Date(inputs.startedAt).toISOString()}`,
    service: host.hostname,
    severity: 'high',
    difficulty: 'advanced',
    tags: ['live'],
    durationSeconds: Math.max(1, Math.round((latest.at - first.at) / 1000)),
    metrics,
    context: {
      host: { kind: 'host', hostname: host.hostname, cpus: host.cpus, memory_total_bytes: host.memTotalBytes },
      top_processes_by_cpu: byCpu.map(describe),
      top_processes_by_memory: byMemory.map(describe),
      processes_started_since_baseline: started.map(describe),
      processes_gone_since_baseline: missing.map((process) => ({ pid: process.pid, name: process.name })),
      ...(latest.probe ? { probes: [{ job: latest.probe.name, url: latest.probe.url, up: latest.probe.up, was_up: baselineReadings.some((reading) => reading.probe?.up) }] } : {}),
      ...(inputs.recentFiles.length > 0
        ? { large_recent_files: inputs.recentFiles.map((file) => ({ path: file.path, bytes: file.bytes, modified_seconds_ago: file.modifiedSecondsAgo })) }
        : {}),
    },
    // Unknown to the analyzer by construction: the live engine compares its answer with the fault it started.
    expectedRootCause: '',
    expectedActionTypes: [],
  };
}
