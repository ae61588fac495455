import type { DetectionConfig, Expectation } from '../../config/config.js';
import type { DetectedAlert, Detection } from '../../drills/types.js';
import { pickUrl, sameOrigin } from '../../http/url.js';
import type { Detector, DetectionWatch } from '../detector.js';
import { AlertmanagerAlerts } from './alertmanager.js';
import { formatDuration } from '../../format.js';
import { MonitoringError, type MonitoringEndpoint } from './http.js';
import { PrometheusAlerts } from './prometheus.js';
import { alertKey, type ActiveAlert, type AlertSource } from './types.js';

/** The `firedrill run` flags that point at the user's monitoring; spread into parseFlags' options. */
export const detectionFlagOptions = {
  prometheus: { type: 'string' },
  alertmanager: { type: 'string' },
} as const;

export interface AlertDetectorOptions {
  pollIntervalMs: number;
  /** After the drill ends, keep watching this long at most. */
  windowMs: number;
  /** By drill name or experiment id. */
  expectations: Readonly<Record<string, Expectation | undefined>>;
}

/**
 * The shipped rule that marks a running drill (examples/prometheus/firedrill-rules.yml). It fires
 * because firedrill says so, not because monitoring noticed anything: never counted as detection.
 */
export const DRILL_MARKER_ALERT = 'FiredrillDrillActive';

/** A poll slower than this is a monitoring problem worth reporting, not something to wait out. */
function requestTimeoutFor(pollIntervalMs: number): number {
  return Math.min(10_000, Math.max(3_000, 2 * pollIntervalMs));
}

/**
 * One Detector per monitoring system the user pointed us at: Prometheus first, then
 * Alertmanager. None configured gives an empty list. Flags win over the environment, which wins
 * over the config file. A flag or variable that is not an http(s) URL is a UsageError naming it.
 */
export function createDetectors(
  config: DetectionConfig,
  env: NodeJS.ProcessEnv,
  flags: { prometheusUrl?: string; alertmanagerUrl?: string } = {},
  /** Replaces the config's per-drill expectations (an experiment's own, keyed by its id). */
  expectations: AlertDetectorOptions['expectations'] = config.expect,
): Detector[] {
  const options: AlertDetectorOptions = {
    pollIntervalMs: config.poll_interval_seconds * 1000,
    windowMs: config.window_seconds * 1000,
    expectations,
  };
  const timeout = { timeoutMs: requestTimeoutFor(options.pollIntervalMs) };
  const detectors: Detector[] = [];
  const prometheus = resolveEndpoint('PROMETHEUS', '--prometheus', flags.prometheusUrl, env, config.prometheus);
  if (prometheus) detectors.push(new AlertDetector('prometheus', () => new PrometheusAlerts(prometheus, timeout), options));
  const alertmanager = resolveEndpoint('ALERTMANAGER', '--alertmanager', flags.alertmanagerUrl, env, config.alertmanager);
  if (alertmanager) detectors.push(new AlertDetector('alertmanager', () => new AlertmanagerAlerts(alertmanager, timeout), options));
  return detectors;
}

interface ConfiguredEndpoint {
  url: string;
  bearer_token?: string;
  username?: string;
  password?: string;
}

export function resolveEndpoint(
  service: 'PROMETHEUS' | 'ALERTMANAGER',
  flag: string,
  flagUrl: string | undefined,
  env: NodeJS.ProcessEnv,
  configured: ConfiguredEndpoint | undefined,
): MonitoringEndpoint | undefined {
  const envName = `FIREDRILL_${service}_URL`;
  const kind = service === 'PROMETHEUS' ? 'prometheus' : 'alertmanager';
  const url = pickUrl(kind, [[flag, flagUrl], [envName, env[envName]], [`detection.${kind}.url`, configured?.url]]);
  if (url === undefined) return undefined;

  const token = env[`FIREDRILL_${service}_TOKEN`] || undefined;
  const username = env[`FIREDRILL_${service}_USERNAME`] || undefined;
  if (token) return { url, bearerToken: token };
  if (username) return { url, username, password: env[`FIREDRILL_${service}_PASSWORD`] ?? '' };
  // The config's credentials belong to the config's server: never send them to another one.
  if (configured && sameOrigin(configured.url, url)) {
    if (configured.bearer_token) return { url, bearerToken: configured.bearer_token };
    if (configured.username) return { url, username: configured.username, password: configured.password ?? '' };
  }
  return { url };
}

/** Polls one monitoring system around each drill. A fresh connection pool per drill, closed after it. */
export class AlertDetector implements Detector {
  constructor(
    readonly source: Detection['source'],
    private readonly openSource: () => AlertSource,
    private readonly options: AlertDetectorOptions,
  ) {}

  async watch(
    subject: string,
    startedAt: number,
    signal: AbortSignal,
    onUpdate: (detection: Detection) => void,
  ): Promise<DetectionWatch> {
    const watch = new AlertWatch(this.openSource(), this.options, this.options.expectations[subject], startedAt, signal, onUpdate);
    await watch.start();
    return watch;
  }
}

interface SeenAlert {
  alert: ActiveAlert;
  firedAt: number;
  resolvedAt?: number;
}

class AlertWatch implements DetectionWatch {
  /** Alerts firing before the drill: not the drill's doing while they stay firing. */
  private readonly alreadyFiring = new Set<string>();
  private readonly seen = new Map<string, SeenAlert>();
  private endedAt: number | undefined;
  private lastPollAt = 0;
  private baselineError: string | undefined;
  private pollError: string | undefined;
  private successfulPolls = 0;
  private wake: (() => void) | undefined;
  private verdict: Promise<Detection> | undefined;

  constructor(
    private readonly source: AlertSource,
    private readonly options: AlertDetectorOptions,
    private readonly expectation: Expectation | undefined,
    private readonly startedAt: number,
    private readonly signal: AbortSignal,
    private readonly onUpdate: (detection: Detection) => void,
  ) {}

  /** Takes the baseline, then polls in the background until finish() and the stop rules end it. */
  async start(): Promise<void> {
    try {
      const alerts = await this.source.activeAlerts(this.signal);
      for (const alert of alerts) if (alert.firing) this.alreadyFiring.add(alertKey(alert));
      this.lastPollAt = Date.now();
    } catch (error) {
      this.baselineError = messageOf(error);
      await this.source.close();
      this.verdict = Promise.resolve(this.detection());
      this.safeUpdate();
      return;
    }
    this.verdict = this.pollUntilDone();
  }

  finish(endedAt: number): Promise<Detection> {
    this.endedAt = endedAt;
    this.wake?.();
    return this.verdict ?? Promise.resolve(this.detection());
  }

  private async pollUntilDone(): Promise<Detection> {
    try {
      let nextPollAt = this.lastPollAt + this.options.pollIntervalMs;
      while (!this.shouldStop()) {
        const wait = nextPollAt - Date.now();
        if (wait > 0) {
          await this.sleep(Math.min(wait, this.untilWindowEnds()));
          continue;
        }
        nextPollAt = Date.now() + this.options.pollIntervalMs;
        await this.poll();
      }
    } finally {
      await this.source.close();
    }
    return this.detection();
  }

  private async poll(): Promise<void> {
    let alerts: ActiveAlert[];
    try {
      alerts = await this.source.activeAlerts(this.signal);
    } catch (error) {
      if (this.signal.aborted) return;
      // One failed poll does not undo what was seen; it is reported only if nothing ever answered.
      this.pollError = messageOf(error);
      return;
    }
    const now = Date.now();
    this.lastPollAt = now;
    this.successfulPolls += 1;
    let changed = false;
    const firingNow = new Set<string>();
    for (const alert of alerts) {
      if (!alert.firing || alert.name === DRILL_MARKER_ALERT) continue;
      const key = alertKey(alert);
      firingNow.add(key);
      if (this.alreadyFiring.has(key)) continue;
      const known = this.seen.get(key);
      if (!known) {
        this.seen.set(key, { alert, firedAt: now });
        changed = true;
      } else if (known.resolvedAt !== undefined) {
        // It flapped: it is firing again, so it has not resolved yet.
        known.resolvedAt = undefined;
        changed = true;
      }
    }
    for (const key of this.alreadyFiring) {
      // Once an old alert clears, firing again during the drill is news.
      if (!firingNow.has(key)) this.alreadyFiring.delete(key);
    }
    for (const [key, known] of this.seen) {
      if (known.resolvedAt === undefined && !firingNow.has(key)) {
        known.resolvedAt = now;
        changed = true;
      }
    }
    if (changed) this.safeUpdate();
  }

  private untilWindowEnds(): number {
    if (this.endedAt === undefined) return Number.POSITIVE_INFINITY;
    return Math.max(0, this.endedAt + this.options.windowMs - Date.now());
  }

  private shouldStop(): boolean {
    if (this.signal.aborted) return true;
    if (this.endedAt === undefined) return false;
    const now = Date.now();
    if (now >= this.endedAt + this.options.windowMs) return true;
    const relevant = this.relevantAlerts();
    if (this.expectation) {
      const inTime = relevant.filter((seen) => seen.firedAt - this.startedAt <= this.withinMs());
      if (inTime.length === 0) return now > this.startedAt + this.withinMs();
      return relevant.every((seen) => seen.resolvedAt !== undefined);
    }
    return relevant.length > 0 && relevant.every((seen) => seen.resolvedAt !== undefined);
  }

  private withinMs(): number {
    return (this.expectation?.within_seconds ?? 0) * 1000;
  }

  /** The alerts the verdict is about: those matching the expectation, or every new one. */
  private relevantAlerts(): SeenAlert[] {
    const all = [...this.seen.values()].sort((a, b) => a.firedAt - b.firedAt);
    const expectation = this.expectation;
    if (!expectation) return all;
    return all.filter(({ alert }) => matchesExpectation(alert, expectation));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms === Number.POSITIVE_INFINITY ? 2 ** 31 - 1 : ms);
      this.signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  private safeUpdate(): void {
    try {
      this.onUpdate(this.detection());
    } catch {
      // The console's troubles must not stop the watch.
    }
  }

  private detection(): Detection {
    const expected = this.expectation ? describeExpectation(this.expectation) : undefined;
    const base = { source: this.source.kind, ...(expected !== undefined ? { expected } : {}) };
    const error = this.baselineError ?? (this.successfulPolls === 0 && this.endedAt !== undefined ? this.pollError : undefined);
    if (error !== undefined) {
      return { ...base, detected: false, alerts: [], summary: `not checked: ${error.replace(/\.$/, '')}`, error };
    }
    const alerts = [...this.seen.values()].sort((a, b) => a.firedAt - b.firedAt).map((seen) => this.toDetectedAlert(seen));
    const relevant = this.relevantAlerts();
    const first = relevant[0];
    const detected = first !== undefined && (!this.expectation || first.firedAt - this.startedAt <= this.withinMs());
    return { ...base, detected, alerts, summary: this.summary(first, detected) };
  }

  private toDetectedAlert(seen: SeenAlert): DetectedAlert {
    const detectedAlert: DetectedAlert = {
      name: seen.alert.name,
      labels: seen.alert.labels,
      firedAt: new Date(seen.firedAt).toISOString(),
      timeToDetectMs: seen.firedAt - this.startedAt,
    };
    if (seen.resolvedAt !== undefined && this.endedAt !== undefined) {
      detectedAlert.resolvedAt = new Date(seen.resolvedAt).toISOString();
      detectedAlert.timeToResolveMs = Math.max(0, seen.resolvedAt - this.endedAt);
    }
    return detectedAlert;
  }

  private summary(first: SeenAlert | undefined, detected: boolean): string {
    const cancelled = this.signal.aborted;
    const others = this.otherAlerts(first);
    if (!first) {
      if (cancelled) return `NOT detected: the watch was cancelled after ${formatDuration(Date.now() - this.startedAt)}${others}`;
      if (this.expectation) return `NOT detected within ${wholeSeconds(this.withinMs())}${others}`;
      if (this.endedAt === undefined) return 'watching: no new alert yet';
      return `NOT detected: no new alert fired during the drill or the ${wholeSeconds(this.options.windowMs)} after it`;
    }
    const after = formatDuration(first.firedAt - this.startedAt);
    if (!detected) {
      return `NOT detected within ${wholeSeconds(this.withinMs())} (${first.alert.name} fired after ${after})${others}`;
    }
    return `detected by ${first.alert.name} after ${after}, ${this.resolution(first, cancelled)}${others}`;
  }

  private resolution(seen: SeenAlert, cancelled: boolean): string {
    if (this.endedAt === undefined) return seen.resolvedAt === undefined ? 'still firing' : 'resolved while the drill runs';
    if (seen.resolvedAt !== undefined) {
      if (seen.resolvedAt <= this.endedAt) return 'resolved before the drill ended';
      return `resolved ${formatDuration(seen.resolvedAt - this.endedAt)} after the drill`;
    }
    if (cancelled) return 'still firing when the watch was cancelled';
    const watchedAfter = Math.min(this.options.windowMs, Math.max(0, Date.now() - this.endedAt));
    return `still firing ${wholeSeconds(Math.round(watchedAfter / 1000) * 1000)} after the drill`;
  }

  private otherAlerts(first: SeenAlert | undefined): string {
    const names = [...new Set([...this.seen.values()].filter((seen) => seen !== first).map((seen) => seen.alert.name))];
    if (names.length === 0) return '';
    const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
    return `; also fired: ${shown}`;
  }
}

export function matchesExpectation(alert: Pick<ActiveAlert, 'name' | 'labels'>, expectation: Expectation): boolean {
  if (expectation.alert !== undefined && alert.name !== expectation.alert) return false;
  for (const [label, value] of Object.entries(expectation.matchers ?? {})) {
    if (alert.labels[label] !== value) return false;
  }
  return true;
}

/** `NodeCpuBusy`, `{severity="page"}` or `NodeCpuBusy{severity="page"}`. */
export function describeExpectation(expectation: Expectation): string {
  const matchers = Object.entries(expectation.matchers ?? {}).map(([label, value]) => `${label}=${JSON.stringify(value)}`);
  return `${expectation.alert ?? ''}${matchers.length > 0 ? `{${matchers.join(', ')}}` : ''}` || '(any alert)';
}

function messageOf(error: unknown): string {
  if (error instanceof MonitoringError) return error.message;
  return `the monitoring request failed (${(error as Error).message ?? String(error)}).`;
}


/** 30 s, or 2.5 s for a bound that is not a whole number of seconds. */
function wholeSeconds(ms: number): string {
  const value = ms / 1000;
  return `${Number.isInteger(Math.round(value * 10) / 10) ? Math.round(value) : (Math.round(value * 10) / 10).toString()} s`;
}
