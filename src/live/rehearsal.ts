import os from 'node:os';
import { waitOrAbort } from '../drills/common.js';
import type { SystemSample } from '../drills/types.js';
import type { AnalysisEvent, Analyzer, IncidentEvent } from '../incidents/types.js';
import type { ProcessInfo } from '../monitor/processes.js';
import { judge, newLiveIncidentId, type LiveIncidentEvent } from './incident.js';
import { liveScenario, metricPoint, nodeMetricSpecs, baselineFor, type LiveReading } from './readings.js';
import type { LiveFaultSpec } from './spec.js';

/**
 * A live incident without the fault: the readings a live incident would take, simulated from a
 * quiet machine plus the fault's effect, fed to the same analyzer, yielding the same events. For
 * rehearsals (nothing loads the machine) and for tests of what consumes live incidents. Every
 * event that names the fault says REHEARSAL.
 */

export interface SimulatedLiveOptions {
  spec: LiveFaultSpec;
  analyzer: Analyzer;
  knownRootCauses: string[];
  signal: AbortSignal;
  /** Real time between simulated readings; default 1000 ms. */
  sampleMs?: number;
  baselineReadings?: number;
  faultReadings?: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const PID = 4242;


function process(entry: Partial<ProcessInfo> & Pick<ProcessInfo, 'pid' | 'name'>, at: number): ProcessInfo {
  return { ppid: 1, state: 'S', cpuPercent: 1, cpuSeconds: 10, rssBytes: 80 * MiB, memPercent: 0.5, threads: 4, startTime: 100, startedAt: at - 3_600_000, ...entry };
}

/** The n-th simulated reading: a quiet machine, plus the fault's effect from reading `faultFrom` on. */
function reading(spec: LiveFaultSpec, index: number, faultFrom: number, at: number): LiveReading {
  const step = index - faultFrom + 1;
  const faulty = step > 0;
  const cpus = os.availableParallelism();
  const memTotalBytes = 16 * GiB;
  let cpuPercent = 6 + (index % 3);
  let memAvailable = 12 * GiB - (index % 2) * 4 * MiB;
  let diskAvail = 80 * GiB;
  let probeUp: boolean | undefined;
  const processes = [
    process({ pid: 812, name: 'postgres', rssBytes: 310 * MiB }, at),
    process({ pid: 907, name: 'nginx', rssBytes: 42 * MiB }, at),
  ];
  switch (spec.fault) {
    case 'runaway_cpu':
      if (faulty) {
        processes.push(process({ pid: PID, name: spec.process_name, cpuPercent: 99 * spec.threads, state: 'R', startedAt: at - step * 1000, startTime: 5000 }, at));
        cpuPercent = Math.min(100, cpuPercent + (99 * spec.threads) / cpus);
      }
      break;
    case 'memory_leak': {
      const grown = faulty ? Math.min(spec.limit_mb, spec.rate_mb_per_second * step) * MiB : 0;
      processes.push(process({ pid: PID, name: spec.process_name, rssBytes: 40 * MiB + grown }, at));
      memAvailable -= grown;
      break;
    }
    case 'disk_filling':
      if (faulty) diskAvail -= Math.min(spec.size_mb, spec.rate_mb_per_second * step) * MiB;
      break;
    case 'service_down':
      probeUp = !faulty;
      if (!faulty) processes.push(process({ pid: PID, name: spec.process_name, rssBytes: 50 * MiB }, at));
      break;
  }
  const sample: SystemSample = {
    at,
    cpuPercent,
    memTotalBytes,
    memUsedBytes: memTotalBytes - memAvailable,
    memPercent: ((memTotalBytes - memAvailable) / memTotalBytes) * 100,
    diskUsedBytes: 250 * GiB - diskAvail,
    diskTotalBytes: 250 * GiB,
    diskPercent: ((250 * GiB - diskAvail) / (250 * GiB)) * 100,
    processCount: processes.length,
  };
  return {
    at,
    sample,
    processes: { at, processes, memTotalBytes },
    filesystem: { mountpoint: '/', availBytes: diskAvail, sizeBytes: 250 * GiB },
    probe: probeUp === undefined || spec.fault !== 'service_down' ? null : { name: spec.process_name, url: 'http://127.0.0.1:0/health', up: probeUp },
  };
}

function culpritOf(spec: LiveFaultSpec): { category: string; culprit: string; title: string; file: string | null } {
  switch (spec.fault) {
    case 'runaway_cpu':
      return { category: 'cpu_spike', culprit: spec.process_name, title: `a runaway process (${spec.process_name})`, file: null };
    case 'memory_leak':
      return { category: 'memory_leak', culprit: spec.process_name, title: `a process leaking memory (${spec.process_name})`, file: null };
    case 'disk_filling': {
      const file = `${os.tmpdir()}/firedrill-live-disk-${globalThis.process.pid}-000000000000.tmp`;
      return { category: 'disk_exhaustion', culprit: file.split('/').pop()!, title: `a temporary file filling the disk (${file.split('/').pop()})`, file };
    }
    case 'service_down':
      return { category: 'service_down', culprit: spec.process_name, title: `a service that went down (${spec.process_name})`, file: null };
  }
}

export async function* simulateLiveIncident(options: SimulatedLiveOptions): AsyncGenerator<LiveIncidentEvent, void> {
  const { spec, analyzer, signal } = options;
  const sampleMs = options.sampleMs ?? 1000;
  const baselineCount = options.baselineReadings ?? 4;
  const faultCount = options.faultReadings ?? 5;
  const now = () => new Date().toISOString();
  const timeline = (message: string): IncidentEvent => ({ type: 'timeline', at: now(), message });
  const { category, culprit, title, file } = culpritOf(spec);
  const processName = 'process_name' in spec ? spec.process_name : culprit;
  const startedAt = Date.now();
  const readings: LiveReading[] = [];
  const specs = nodeMetricSpecs({ mountpoint: '/', probe: spec.fault === 'service_down' ? processName : null });
  yield { type: 'incident-opened', simulationId: newLiveIncidentId(), incidentId: `rehearsal-${startedAt}`, scenarioId: `live:${spec.fault}`, severity: 'high', startedAt: new Date(startedAt).toISOString() };
  yield timeline(`REHEARSAL: no fault is started; the readings are simulated (${title})`);
  yield { type: 'live-phase', phase: 'baseline', at: now() };
  const target = file
    ? { kind: 'file' as const, path: file, bytes: 0 }
    : spec.fault === 'service_down'
      ? { kind: 'service' as const, name: processName, url: 'http://127.0.0.1:0/health' }
      : { kind: 'process' as const, pid: PID, startTime: null, name: processName };
  for (let index = 0; index < baselineCount + faultCount && !signal.aborted; index += 1) {
    if (index === baselineCount) {
      yield { type: 'live-phase', phase: 'fault', at: now() };
      yield { type: 'fault', state: 'started', title: `REHEARSAL: ${title}`, description: 'simulated: nothing runs', target };
    }
    const current = reading(spec, index, baselineCount, Date.now());
    readings.push(current);
    const baselines = index >= baselineCount ? new Map(specs.map((metric) => [metric.name, baselineFor(metric, readings.slice(0, baselineCount))])) : undefined;
    yield {
      type: 'metrics',
      elapsedSeconds: Math.round((Date.now() - startedAt) / 100) / 10,
      points: specs.map((metric) => metricPoint(metric, current, baselines?.get(metric.name))).filter((point) => point !== null),
    };
    yield { type: 'processes', at: current.at, processes: current.processes.processes.map((entry) => ({ ...entry, command: entry.name })) };
    if (index === baselineCount + 1) yield { type: 'detected', afterSeconds: Math.round((2 * sampleMs) / 100) / 10, metric: specs[0]!.name, sigma: 6 };
    await waitOrAbort(sampleMs, signal);
  }
  if (signal.aborted) return;
  yield { type: 'live-phase', phase: 'analysing', at: now() };
  const scenario = liveScenario(
    {
      id: spec.fault,
      host: { hostname: os.hostname(), cpus: os.availableParallelism(), memTotalBytes: 16 * GiB },
      startedAt,
      baselineReadings: readings.slice(0, baselineCount),
      faultReadings: readings.slice(baselineCount),
      recentFiles: file ? [{ path: file, bytes: Math.min(spec.fault === 'disk_filling' ? spec.size_mb : 0, 5 * (spec.fault === 'disk_filling' ? spec.rate_mb_per_second : 0)) * MiB, modifiedSecondsAgo: 0 }] : [],
    },
    (entry) => ({ ...entry, command: entry.name }),
  );
  let result: Extract<AnalysisEvent, { type: 'analysis-finished' }> | undefined;
  for await (const event of analyzer.analyze({ scenario, knownRootCauses: options.knownRootCauses }, signal)) {
    yield event;
    if (event.type === 'analysis-finished') result = event;
  }
  if (signal.aborted) return;
  if (result) yield { type: 'verdict', verdict: judge({ category, culprit }, result.hypotheses) };
  yield { type: 'fault', state: 'ended', title: `REHEARSAL: ${title}`, description: 'simulated: nothing ran', target: null };
  yield { type: 'live-phase', phase: 'finished', at: now() };
  yield { type: 'incident-finished', status: 'completed', completedAt: now() };
}
