import type { Probe } from './kinds/types.js';
import type { ProbeSample, ProbeTick } from './types.js';

/** A round still waiting for answers beyond this many is not sent: the probes' own timeouts bound the rest. */
const MAX_ROUNDS_IN_FLIGHT = 20;

export interface NamedProbe {
  name: string;
  probe: Probe;
}

/**
 * Sends every probe every `intervalMs` on a fixed schedule (a slow answer does not delay the next
 * round, so detection stays within one interval), and hands completed rounds to `onTick` in the
 * order they were sent.
 */
export class ProbeLoop {
  private readonly controller = new AbortController();
  private readonly pending = new Map<number, Promise<void>>();
  private readonly done = new Map<number, ProbeTick | null>();
  private nextSeq = 0;
  private nextToDeliver = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  skipped = 0;

  constructor(
    private readonly probes: readonly NamedProbe[],
    private readonly intervalMs: number,
    private readonly onTick: (tick: ProbeTick) => void,
  ) {}

  start(): void {
    const origin = Date.now();
    const schedule = (round: number) => {
      if (this.stopped) return;
      const due = origin + round * this.intervalMs;
      this.timer = setTimeout(() => {
        this.send();
        // A timer that fired late skips the rounds it missed rather than sending them in a burst.
        schedule(Math.max(round + 1, Math.floor((Date.now() - origin) / this.intervalMs) + 1));
      }, Math.max(0, due - Date.now()));
    };
    schedule(0);
  }

  /** Stops sending; rounds still waiting are cancelled and not delivered. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.controller.abort();
    await Promise.allSettled([...this.pending.values()]);
  }

  private send(): void {
    if (this.pending.size >= MAX_ROUNDS_IN_FLIGHT) {
      this.skipped += 1;
      return;
    }
    const seq = this.nextSeq++;
    const at = Date.now();
    const round = Promise.all(
      this.probes.map(async ({ name, probe }): Promise<ProbeSample> => {
        const outcome = await probe.run(this.controller.signal).catch((error: Error) => ({ ok: false, latencyMs: 0, detail: error.message }));
        return { probe: name, ...outcome };
      }),
    ).then((results) => {
      this.pending.delete(seq);
      this.done.set(seq, this.controller.signal.aborted ? null : { seq, at, ok: results.every((sample) => sample.ok), results });
      this.deliver();
    });
    this.pending.set(seq, round);
  }

  private deliver(): void {
    while (this.done.has(this.nextToDeliver)) {
      const tick = this.done.get(this.nextToDeliver)!;
      this.done.delete(this.nextToDeliver);
      this.nextToDeliver += 1;
      if (tick !== null && !this.stopped) this.onTick(tick);
    }
  }
}
