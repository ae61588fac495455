import type { SystemSample } from '../../src/drills/types.js';
import type { MetricsSource, SampleListener } from '../../src/monitor/sampler.js';

/** A quiet machine: what every synthetic sample starts from. */
export const QUIET: Omit<SystemSample, 'at'> = {
  cpuPercent: 10,
  memUsedBytes: 4e9,
  memTotalBytes: 16e9,
  memPercent: 25,
  diskUsedBytes: 50e9,
  diskTotalBytes: 100e9,
  diskPercent: 50,
  processCount: 200,
};

/**
 * A synthetic monitor: takes a "reading" every `intervalMs` from `reading()`, which a test changes
 * to play the machine's reaction to its drills.
 */
export class ScriptedSource implements MetricsSource {
  readonly samples: SystemSample[] = [];
  private readonly listeners = new Set<SampleListener>();
  private timer: NodeJS.Timeout | undefined;
  reading: () => Partial<SystemSample> = () => ({});

  constructor(private readonly intervalMs = 40) {}

  start(): this {
    this.timer = setInterval(() => this.emit(this.reading()), this.intervalMs);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  emit(values: Partial<SystemSample>): SystemSample {
    const sample: SystemSample = { ...QUIET, at: Date.now(), ...values };
    this.samples.push(sample);
    for (const listener of [...this.listeners]) listener(sample);
    return sample;
  }

  latest(): SystemSample | undefined {
    return this.samples.at(-1);
  }

  history(seconds: number): SystemSample[] {
    const since = Date.now() - seconds * 1000;
    return this.samples.filter((sample) => sample.at > since);
  }

  subscribe(listener: SampleListener): () => void {
    this.listeners.add(listener);
    return () => this.unsubscribe(listener);
  }

  unsubscribe(listener: SampleListener): void {
    this.listeners.delete(listener);
  }
}
