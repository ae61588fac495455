import type { MonitorConfig } from '../config/config.js';
import type { MonitorEvent, MonitorEventType, SystemSample } from '../drills/types.js';

/**
 * Turns samples into monitor events, as the companion monitor of the original did, but once per
 * crossing: an event when a reading goes over its threshold, and none again until the reading
 * has come back below (threshold - rearm margin), so a gauge hovering at 80 % is one event, not sixty.
 */

export interface Thresholds {
  cpuPercent: number;
  memoryPercent: number;
  diskPercent: number;
  /** processes_spawned fires when the process count rises by at least this much over the baseline. */
  processRise: number;
  /** Points (or processes) a reading must fall below its threshold before it can fire again. Default 5 (percent), processRise / 2 (processes). */
  rearmMarginPercent?: number;
}

/** The thresholds of the config's monitor section; `processRise` is the drills' business (see processRiseFor). */
export function thresholdsFromConfig(monitor: MonitorConfig, processRise: number): Thresholds {
  return {
    cpuPercent: monitor.cpu_percent,
    memoryPercent: monitor.memory_percent,
    diskPercent: monitor.disk_percent,
    processRise,
  };
}

/**
 * How big a rise in the process count means "processes were spawned": half of what the
 * process_spawn drill starts (at least one). On a busy machine other processes come and go by
 * the handful every second; half leaves room for that without mistaking it for the drill.
 */
export function processRiseFor(spawnCount: number): number {
  return Math.max(1, Math.ceil(spawnCount / 2));
}

type PercentMetric = 'cpu_high' | 'memory_high' | 'disk_high';

const PERCENT_METRICS: ReadonlyArray<{ type: PercentMetric; read: (sample: SystemSample) => number; label: string }> = [
  { type: 'cpu_high', read: (sample) => sample.cpuPercent, label: 'CPU' },
  { type: 'memory_high', read: (sample) => sample.memPercent, label: 'memory' },
  { type: 'disk_high', read: (sample) => sample.diskPercent, label: 'disk' },
];

export class ThresholdWatcher {
  private readonly fired = new Set<MonitorEventType>();
  private processBaseline: number | undefined;

  constructor(private readonly thresholds: Thresholds) {}

  /**
   * The process count to measure rises against (the runner sets it as each drill starts).
   * Re-arms processes_spawned, since the old crossing was measured against another baseline.
   */
  setProcessBaseline(count: number): void {
    this.processBaseline = count;
    this.fired.delete('processes_spawned');
  }

  /** The events this sample causes (usually none). */
  observe(sample: SystemSample): MonitorEvent[] {
    const events: MonitorEvent[] = [];
    const at = new Date(sample.at).toISOString();
    const margin = this.thresholds.rearmMarginPercent ?? 5;
    for (const metric of PERCENT_METRICS) {
      const value = metric.read(sample);
      const threshold = this.thresholdOf(metric.type);
      if (this.cross(metric.type, value > threshold, value < threshold - margin)) {
        events.push({ type: metric.type, at, value, threshold, detail: `${metric.label} at ${value.toFixed(1)} % (threshold ${threshold} %)` });
      }
    }
    if (this.processBaseline === undefined) this.processBaseline = sample.processCount;
    const rise = sample.processCount - this.processBaseline;
    const needed = this.thresholds.processRise;
    if (this.cross('processes_spawned', rise >= needed, rise < needed / 2)) {
      events.push({
        type: 'processes_spawned',
        at,
        value: rise,
        threshold: needed,
        detail: `${rise} more processes than the ${this.processBaseline} before (threshold ${needed})`,
      });
    }
    return events;
  }

  private thresholdOf(type: PercentMetric): number {
    if (type === 'cpu_high') return this.thresholds.cpuPercent;
    if (type === 'memory_high') return this.thresholds.memoryPercent;
    return this.thresholds.diskPercent;
  }

  /** True exactly when a reading goes over while armed; re-arms once it is clearly back below. */
  private cross(type: MonitorEventType, over: boolean, clearlyBelow: boolean): boolean {
    if (this.fired.has(type)) {
      if (clearlyBelow) this.fired.delete(type);
      return false;
    }
    if (!over) return false;
    this.fired.add(type);
    return true;
  }
}
