import type { Detection } from '../drills/types.js';

/**
 * The user's own monitoring (Prometheus, Alertmanager) asked whether it noticed a drill (or an
 * experiment's fault). The runner calls `watch` just before a drill starts and `finish` when it ends.
 */
export interface Detector {
  readonly source: Detection['source'];
  /**
   * Starts polling. Alerts already firing now are remembered and never counted as detection.
   * `onUpdate` is called whenever what was seen changes (an alert fired, resolved), for the console.
   */
  /** `subject`: the drill name or the experiment id, which the expectations are keyed by. */
  watch(subject: string, startedAt: number, signal: AbortSignal, onUpdate: (detection: Detection) => void): Promise<DetectionWatch>;
}

export interface DetectionWatch {
  /**
   * The drill ended at `endedAt`: keep polling for at most the configured window (or until the
   * expected alert has fired and resolved), then resolve with the verdict. Never rejects:
   * monitoring that is down or answers garbage gives a Detection with `error` set.
   */
  finish(endedAt: number): Promise<Detection>;
}
