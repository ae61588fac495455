import type { DrillName, RunEvent } from '../drills/types.js';
import { EventQueue } from '../drills/runner.js';
import type { IncidentEvent } from '../incidents/types.js';
import type { LiveIncidentEvent } from '../live/incident.js';
import { describeUntil } from './load.js';
import { DEFAULT_SCENE_TIMEOUT_SECONDS, drillsOf, isDrillRun, isIncidentRun, isLiveRun, type Narrative, type Scene, type SceneRun, type Until } from './schema.js';

/**
 * The narrative engine: a controller over a narrative's scenes that a presenter drives with next,
 * back, pause, restart and quit (from the console, a clicker, or the notes terminal). It starts each
 * scene's effects (drills, an incident scenario, a live incident), watches their events for what
 * the scene waits for (`until`), says in one line when that is not coming, and ends a scene's
 * effects before the next scene starts unless the scene says `keep`. It knows nothing of Ink: it
 * yields typed events that the presenter screen, the notes listeners and the headless commands read.
 */

/** An effect's events, as its engine yields them. */
export type EffectEvent =
  | { source: 'drills'; event: RunEvent }
  | { source: 'incident'; event: IncidentEvent }
  | { source: 'live'; event: LiveIncidentEvent };

export interface RunningEffect {
  events: AsyncIterable<EffectEvent>;
  /** Holds the effect's load where it can (a live fault's processes are stopped); drills run on. */
  pause?(): void;
  resume?(): void;
}

/** How scenes' runs are carried out: for real, or simulated in a rehearsal. */
export interface SceneEffects {
  readonly rehearsal: boolean;
  start(run: SceneRun, signal: AbortSignal): RunningEffect;
}

export type NarrativeCommand = 'next' | 'back' | 'pause' | 'restart' | 'quit';

export interface SceneTiming {
  index: number;
  title: string;
  plannedSeconds: number;
  /** Time the scene was on (pauses not counted). */
  actualSeconds: number;
  /** Whether what it waited for came: null when it waited for nothing. */
  satisfied: boolean | null;
  /** What its effects measured, one line each ("cpu_spike passed: CPU reached 97 %", "top hypothesis: ..."). */
  measured: string[];
}

export interface SceneView {
  index: number;
  count: number;
  title: string;
  say: string;
  notes: string | null;
  ask: string | null;
  /** What the scene waits for, in the file's words, or null. */
  until: string | null;
  plannedSeconds: number;
  nextTitle: string | null;
  runs: 'drills' | 'incident' | 'live' | null;
  /** The drills it runs, in order; the incident scenario's id; the live fault's kind. */
  drills: DrillName[];
  incident: string | null;
  live: string | null;
  rehearsal: boolean;
}

export type NarrativeEvent =
  | { type: 'narrative-started'; id: string; title: string; scenes: number; plannedSeconds: number; rehearsal: boolean; at: string }
  /** A scene starts (its effects with it). */
  | { type: 'scene-started'; scene: SceneView; at: string }
  /** Back (or forward again) to a scene's caption, without touching any effect. */
  | { type: 'scene-shown'; scene: SceneView; live: boolean }
  | { type: 'effect'; index: number; effect: EffectEvent }
  | { type: 'satisfied'; index: number; what: string; afterSeconds: number }
  /** One line: what the scene waited for is not coming (a drill failed, the LLM is down, a timeout). */
  | { type: 'not-coming'; index: number; reason: string }
  | { type: 'reveal'; index: number; text: string }
  | { type: 'paused'; paused: boolean }
  | { type: 'effects-ended'; index: number }
  /** Once a second while not paused. */
  | { type: 'clock'; sceneSeconds: number; totalSeconds: number }
  | { type: 'notice'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'narrative-finished'; reason: 'completed' | 'quit' | 'aborted'; timings: SceneTiming[]; totalSeconds: number; plannedSeconds: number };

export interface NarrativeOptions {
  narrative: Narrative;
  effects: SceneEffects;
  signal: AbortSignal;
  /** Lines said at the start (fallbacks for missing optional services). */
  notices?: { level: 'info' | 'warn'; message: string }[];
  /** Time factor for waits and timeouts ("20 s" lasts 20 x pace seconds): below 1 in quick rehearsals. Default 1. */
  pace?: number;
}

/** How often timed waits are checked; a clock event goes out every full second. */
const CHECK_MS = 100;

export function plannedSecondsOf(narrative: Narrative, scene: Scene): number {
  return scene.planned_seconds ?? Math.round((narrative.planned_minutes * 60) / narrative.scenes.length);
}

export function sceneView(narrative: Narrative, index: number, rehearsal = false): SceneView {
  const scene = narrative.scenes[index]!;
  const run = scene.run;
  return {
    index,
    count: narrative.scenes.length,
    title: scene.title,
    say: scene.say,
    notes: scene.notes ?? null,
    ask: scene.ask ?? null,
    until: scene.until ? describeUntil(scene.until) : null,
    plannedSeconds: plannedSecondsOf(narrative, scene),
    nextTitle: narrative.scenes[index + 1]?.title ?? null,
    runs: !run ? null : isDrillRun(run) ? 'drills' : isIncidentRun(run) ? 'incident' : 'live',
    drills: run && isDrillRun(run) ? drillsOf(run) : [],
    incident: run && isIncidentRun(run) ? run.incident : null,
    live: run && isLiveRun(run) ? run.live.fault : null,
    rehearsal,
  };
}

/** What an effect has shown so far: what `until` is judged on. */
interface EffectProgress {
  drillResults: { test: string; success: boolean; summary: string }[];
  monitorEvents: Set<string>;
  alerts: string[];
  detections: number;
  detectionErrors: string[];
  runFinished: boolean;
  hypotheses: number;
  actions: boolean;
  analysis: { hypotheses: number; actions: number } | null;
  verdict: boolean;
  resolved: boolean;
  incidentEnded: string | null;
  ended: boolean;
}

function newProgress(): EffectProgress {
  return {
    drillResults: [],
    monitorEvents: new Set(),
    alerts: [],
    detections: 0,
    detectionErrors: [],
    runFinished: false,
    hypotheses: 0,
    actions: false,
    analysis: null,
    verdict: false,
    resolved: false,
    incidentEnded: null,
    ended: false,
  };
}

interface ActiveEffect {
  index: number;
  controller: AbortController;
  effect: RunningEffect;
  done: Promise<void>;
  progress: EffectProgress;
}

/** True when what the effect showed meets `until`; a sentence when it shows that it never will; else false. */
export function judgeUntil(until: Until, progress: EffectProgress): boolean | string {
  switch (until.kind) {
    case 'drill': {
      const result = progress.drillResults[0];
      if (!result) return progress.ended ? 'the drills ended before any finished' : false;
      if (until.outcome === 'finished' || (until.outcome === 'passed') === result.success) return true;
      return `${result.test} ${result.success ? 'passed' : 'failed'} (${result.summary}), not ${until.outcome}`;
    }
    case 'drills-finished':
      return progress.runFinished || (progress.ended ? 'the drills were stopped before the end' : false);
    case 'event':
      if (progress.monitorEvents.has(until.event)) return true;
      return progress.runFinished || progress.ended ? `no ${until.event} event came during the drills` : false;
    case 'alert': {
      if (progress.alerts.some((name) => until.name === null || name === until.name)) return true;
      if (!(progress.runFinished || progress.ended)) return false;
      if (progress.detections === 0) return 'no Prometheus or Alertmanager is configured, so no alert was timed';
      if (progress.detectionErrors.length > 0) return `the monitoring could not be asked: ${progress.detectionErrors[0]}`;
      return `no ${until.name ?? 'alert'} was detected by the monitoring`;
    }
    case 'hypothesis':
      if (progress.hypotheses >= until.index) return true;
      if (progress.analysis) return `the analysis gave ${progress.analysis.hypotheses} hypothes${progress.analysis.hypotheses === 1 ? 'is' : 'es'}, not ${until.index}`;
      return progress.ended ? 'the incident ended before the analysis' : false;
    case 'actions':
      if (progress.actions) return true;
      if (progress.analysis) return 'the analysis recommended no action';
      return progress.ended ? 'the incident ended before the analysis' : false;
    case 'resolved':
      if (progress.resolved) return true;
      if (progress.incidentEnded !== null) return `the incident ended ${progress.incidentEnded}`;
      return progress.ended ? 'the incident ended unresolved' : false;
    case 'verdict':
      if (progress.verdict) return true;
      return progress.incidentEnded !== null || progress.ended ? 'the analysis gave no verdict' : false;
    case 'time':
      return false;
  }
}

/** Accumulates pause-free time. */
class Stopwatch {
  private startedAt: number;
  private heldAt: number | null = null;
  private held = 0;

  constructor(now = Date.now()) {
    this.startedAt = now;
  }

  hold(now = Date.now()): void {
    this.heldAt ??= now;
  }

  release(now = Date.now()): void {
    if (this.heldAt === null) return;
    this.held += now - this.heldAt;
    this.heldAt = null;
  }

  seconds(now = Date.now()): number {
    const heldNow = this.heldAt === null ? 0 : now - this.heldAt;
    return Math.max(0, (now - this.startedAt - this.held - heldNow) / 1000);
  }
}

export class NarrativeController {
  private readonly output = new EventQueue<NarrativeEvent>();
  private readonly narrative: Narrative;
  private readonly effects: SceneEffects;
  private readonly signal: AbortSignal;
  private readonly active: ActiveEffect[] = [];
  private readonly timings: SceneTiming[];
  private current = -1;
  private shown = -1;
  private revealed = false;
  private paused = false;
  private finished = false;
  private sceneWatch = new Stopwatch();
  private readonly totalWatch = new Stopwatch();
  private satisfied = false;
  private notComing = false;
  private clock: NodeJS.Timeout | undefined;
  private lastClock = -1;
  /** Commands run one at a time, in the order they came: a burst of clicker keys is never lost or reordered. */
  private commands: Promise<void> = Promise.resolve();

  constructor(private readonly options: NarrativeOptions) {
    this.narrative = options.narrative;
    this.effects = options.effects;
    this.signal = options.signal;
    this.timings = this.narrative.scenes.map((scene, index) => ({
      index,
      title: scene.title,
      plannedSeconds: plannedSecondsOf(this.narrative, scene),
      actualSeconds: 0,
      satisfied: scene.until ? false : null,
      measured: [],
    }));
  }

  /** The events, from the narrative's start to its end; starts the first scene. */
  events(): AsyncIterable<NarrativeEvent> {
    if (this.current === -1 && !this.finished) this.begin();
    return this.output;
  }

  /** Where the presenter is: for a notes listener that joins late. */
  snapshot(): { current: SceneView | null; shown: SceneView | null; paused: boolean; sceneSeconds: number; totalSeconds: number; finished: boolean } {
    return {
      current: this.current >= 0 ? sceneView(this.narrative, this.current, this.effects.rehearsal) : null,
      shown: this.shown >= 0 ? sceneView(this.narrative, this.shown, this.effects.rehearsal) : null,
      paused: this.paused,
      sceneSeconds: this.sceneWatch.seconds(),
      totalSeconds: this.totalWatch.seconds(),
      finished: this.finished,
    };
  }

  command(command: NarrativeCommand): Promise<void> {
    this.commands = this.commands.then(() => this.apply(command)).catch((error: unknown) => this.emitError(error));
    return this.commands;
  }

  next(): Promise<void> {
    return this.command('next');
  }

  back(): Promise<void> {
    return this.command('back');
  }

  pause(): Promise<void> {
    return this.command('pause');
  }

  restart(): Promise<void> {
    return this.command('restart');
  }

  quit(): Promise<void> {
    return this.command('quit');
  }

  private begin(): void {
    const planned = this.timings.reduce((sum, timing) => sum + timing.plannedSeconds, 0);
    this.emit({
      type: 'narrative-started',
      id: this.narrative.id,
      title: this.narrative.title,
      scenes: this.narrative.scenes.length,
      plannedSeconds: planned,
      rehearsal: this.effects.rehearsal,
      at: new Date().toISOString(),
    });
    for (const notice of this.options.notices ?? []) this.emit({ type: 'notice', ...notice });
    this.signal.addEventListener('abort', () => void this.command('quit'), { once: true });
    this.clock = setInterval(() => this.onClock(), CHECK_MS);
    this.commands = this.commands.then(() => this.startScene(0));
  }

  private async apply(command: NarrativeCommand): Promise<void> {
    // Keys before the first scene (the events not read yet) have nothing to act on; quit still ends it.
    if (this.finished || (this.current < 0 && command !== 'quit')) return;
    switch (command) {
      case 'next':
        if (this.shown < this.current) {
          this.shown += 1;
          this.emit({ type: 'scene-shown', scene: sceneView(this.narrative, this.shown, this.effects.rehearsal), live: this.shown === this.current });
          return;
        }
        {
          const scene = this.narrative.scenes[this.current]!;
          if (scene.reveal !== undefined && !this.revealed) {
            this.revealed = true;
            this.emit({ type: 'reveal', index: this.current, text: scene.reveal });
            return;
          }
        }
        if (this.current + 1 >= this.narrative.scenes.length) {
          await this.finish('completed');
          return;
        }
        await this.leaveScene(this.narrative.scenes[this.current]!.keep);
        await this.startScene(this.current + 1);
        return;
      case 'back':
        if (this.shown <= 0) return;
        this.shown -= 1;
        this.emit({ type: 'scene-shown', scene: sceneView(this.narrative, this.shown, this.effects.rehearsal), live: false });
        return;
      case 'pause':
        this.setPaused(!this.paused);
        return;
      case 'restart': {
        const index = this.current;
        await this.leaveScene(false);
        await this.startScene(index);
        return;
      }
      case 'quit':
        await this.finish(this.signal.aborted ? 'aborted' : 'quit');
        return;
    }
  }

  private setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    if (paused) {
      this.sceneWatch.hold();
      this.totalWatch.hold();
      for (const active of this.active) active.effect.pause?.();
    } else {
      this.sceneWatch.release();
      this.totalWatch.release();
      for (const active of this.active) active.effect.resume?.();
    }
    this.emit({ type: 'paused', paused });
  }

  private async startScene(index: number): Promise<void> {
    if (this.paused) this.setPaused(false);
    this.current = index;
    this.shown = index;
    this.revealed = false;
    this.satisfied = false;
    this.notComing = false;
    this.sceneWatch = new Stopwatch();
    this.lastClock = -1;
    this.timings[index]!.measured = [];
    this.emit({ type: 'scene-started', scene: sceneView(this.narrative, index, this.effects.rehearsal), at: new Date().toISOString() });
    const run = this.narrative.scenes[index]!.run;
    if (run) this.startEffect(index, run);
    else this.check();
  }

  /** The effect the current scene's `until` is about: its own, or the one kept from the scene before. */
  private watched(): ActiveEffect | undefined {
    const own = this.active.find((active) => active.index === this.current);
    if (own || this.narrative.scenes[this.current]?.run) return own;
    return this.active.filter((active) => active.index < this.current).at(-1);
  }

  /** Judges the current scene's `until` on what its watched effect has shown. */
  private check(progress = this.watched()?.progress): void {
    const until = this.narrative.scenes[this.current]?.until;
    if (!until || !progress || this.satisfied || this.notComing) return;
    const met = judgeUntil(until, progress);
    if (met === true) this.satisfy(describeUntil(until));
    else if (typeof met === 'string') this.sayNotComing(this.current, met);
  }

  private startEffect(index: number, run: SceneRun): void {
    const controller = new AbortController();
    let effect: RunningEffect;
    try {
      effect = this.effects.start(run, controller.signal);
    } catch (error) {
      this.sayNotComing(index, `the scene's effect could not start: ${errorMessage(error)}`);
      return;
    }
    const active: ActiveEffect = { index, controller, effect, done: Promise.resolve(), progress: newProgress() };
    this.active.push(active);
    active.done = (async () => {
      try {
        for await (const event of effect.events) {
          this.emit({ type: 'effect', index, effect: event });
          this.observe(active, event);
        }
      } catch (error) {
        if (!controller.signal.aborted) {
          this.emit({ type: 'notice', level: 'error', message: `scene ${index + 1}: ${errorMessage(error)}` });
          if (this.watched() === active) this.sayNotComing(this.current, `the scene's effect failed: ${errorMessage(error)}`);
        }
      } finally {
        active.progress.ended = true;
        if (!controller.signal.aborted && this.watched() === active) this.check(active.progress);
        const at = this.active.indexOf(active);
        if (at >= 0) this.active.splice(at, 1);
      }
    })();
  }

  /** Ends the scene's effects (unless kept) and books its time. */
  private async leaveScene(keep: boolean): Promise<void> {
    const index = this.current;
    const timing = this.timings[index];
    if (timing) timing.actualSeconds = Math.round(this.sceneWatch.seconds() * 10) / 10;
    if (keep) return;
    await this.endEffects();
    this.emit({ type: 'effects-ended', index });
  }

  private async endEffects(): Promise<void> {
    const ending = this.active.splice(0);
    for (const active of ending) {
      active.effect.resume?.();
      active.controller.abort(new Error('scene ended'));
    }
    await Promise.all(ending.map((active) => active.done));
  }

  private async finish(reason: 'completed' | 'quit' | 'aborted'): Promise<void> {
    if (this.finished) return;
    if (this.current >= 0) await this.leaveScene(false);
    this.finished = true;
    if (this.clock) clearInterval(this.clock);
    const planned = this.timings.reduce((sum, timing) => sum + timing.plannedSeconds, 0);
    this.emit({
      type: 'narrative-finished',
      reason,
      timings: this.timings.map((timing) => ({ ...timing, measured: [...timing.measured] })),
      totalSeconds: Math.round(this.totalWatch.seconds() * 10) / 10,
      plannedSeconds: planned,
    });
    this.output.close();
  }

  private onClock(): void {
    if (this.paused || this.finished || this.current < 0) return;
    const sceneSeconds = this.sceneWatch.seconds();
    const whole = Math.floor(sceneSeconds);
    if (whole !== this.lastClock) {
      this.lastClock = whole;
      this.emit({ type: 'clock', sceneSeconds: whole, totalSeconds: Math.floor(this.totalWatch.seconds()) });
    }
    const scene = this.narrative.scenes[this.current]!;
    const until = scene.until;
    if (!until || this.satisfied || this.notComing) return;
    const pace = this.options.pace ?? 1;
    if (until.kind === 'time' && sceneSeconds >= until.seconds * pace) {
      this.satisfy(`${until.seconds} s`);
      return;
    }
    const timeout = scene.timeout_seconds ?? DEFAULT_SCENE_TIMEOUT_SECONDS;
    if (until.kind !== 'time' && sceneSeconds >= timeout * pace) {
      this.sayNotComing(this.current, `"${describeUntil(until)}" did not come within ${timeout} s: go on when ready`);
    }
  }

  /** Reads an effect's events for what the scene waits for, and for what it measured. */
  private observe(active: ActiveEffect, effect: EffectEvent): void {
    const timing = this.timings[active.index]!;
    const progress = active.progress;
    const event = effect.event;
    switch (event.type) {
      case 'drill-finished':
        progress.drillResults.push({ test: event.result.test, success: event.result.success, summary: event.result.summary });
        timing.measured.push(`${event.result.test} ${event.result.success ? 'passed' : 'failed'}: ${event.result.summary}`);
        break;
      case 'monitor-event':
        progress.monitorEvents.add(event.event.type);
        break;
      case 'detection':
        progress.detections += 1;
        progress.alerts.push(...event.detection.alerts.map((alert) => alert.name));
        if (event.detection.error) progress.detectionErrors.push(event.detection.error);
        timing.measured.push(`${event.drill}: ${event.detection.summary}`);
        break;
      case 'run-finished':
        progress.runFinished = true;
        break;
      case 'hypothesis':
        progress.hypotheses += 1;
        break;
      case 'action':
        progress.actions = true;
        break;
      case 'analysis-finished': {
        const top = event.hypotheses[0];
        if (top) timing.measured.push(`top hypothesis (${event.source}): ${top.description} (${Math.round(top.confidence * 100)} %)`);
        progress.hypotheses = Math.max(progress.hypotheses, event.hypotheses.length);
        progress.actions ||= event.actions.length > 0;
        progress.analysis = { hypotheses: event.hypotheses.length, actions: event.actions.length };
        break;
      }
      case 'verdict':
        progress.verdict = true;
        timing.measured.push(
          event.verdict.matched ? `the analyzer found the cause (${event.verdict.expected.culprit})` : `the analyzer missed the cause (${event.verdict.expected.culprit})`,
        );
        break;
      case 'detected':
        timing.measured.push(`anomaly detected after ${event.afterSeconds} s (${event.metric})`);
        break;
      case 'fault':
        if (event.state === 'resolved') progress.resolved = true;
        break;
      case 'incident-finished':
        if (event.status === 'completed') progress.resolved = true;
        else progress.incidentEnded = `${event.status}${event.error ? `: ${event.error}` : ''}`;
        break;
      default:
        break;
    }
    if (this.watched() === active) this.check(progress);
  }

  private satisfy(what: string): void {
    this.satisfied = true;
    this.timings[this.current]!.satisfied = true;
    this.emit({ type: 'satisfied', index: this.current, what, afterSeconds: Math.round(this.sceneWatch.seconds() * 10) / 10 });
  }

  private sayNotComing(index: number, reason: string): void {
    if (index !== this.current || this.notComing || this.satisfied) return;
    this.notComing = true;
    this.emit({ type: 'not-coming', index, reason });
  }

  private emitError(error: unknown): void {
    this.emit({ type: 'notice', level: 'error', message: errorMessage(error) });
  }

  private emit(event: NarrativeEvent): void {
    this.output.push(event);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
