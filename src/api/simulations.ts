import { incidentRecordFrom } from '../history/record.js';
import type { IncidentRecord } from '../history/store.js';
import { newSimulationId, runSimulation } from '../incidents/simulation.js';
import type { AnalysisEvent, Analyzer, IncidentEvent, Scenario } from '../incidents/types.js';
import type { ApiMetrics } from './metrics.js';
import type { SimulationStatusValue, WireSimulation } from './wire.js';

/** Events kept per simulation for the replay of its event stream; later metric ticks are only streamed live. */
const MAX_KEPT_EVENTS = 5000;
/** How long start waits for the engine's first event (it carries the incident id). */
const OPEN_WAIT_MS = 1000;
/** How long stop and shutdown wait for a simulation to wind down before marking it stopped themselves. */
const STOP_WAIT_MS = 2000;

/** An event and its number in the simulation's stream (1, 2, ...), the SSE `id` that Last-Event-ID names. */
export interface NumberedEvent {
  id: number;
  event: IncidentEvent;
}

export type SimulationListener = (numbered: NumberedEvent) => void;

export interface SimulationRecord {
  readonly id: string;
  readonly scenarioId: string;
  readonly autoAnalyze: boolean;
  readonly executionMode: string;
  readonly startedAt: string;
  incidentId: string | null;
  status: SimulationStatusValue;
  completedAt: string | null;
  error: string | null;
  hypothesesCount: number;
  actionsCount: number;
  metricsInjected: boolean;
  /** What happened so far, for the replay of the event stream. */
  readonly events: NumberedEvent[];
  /** Events numbered so far, kept or not. */
  eventCount: number;
}

interface LiveSimulation {
  record: SimulationRecord;
  controller: AbortController;
  listeners: Set<SimulationListener>;
  /** What the history keeps of it (no metric ticks, no text pieces): never capped like `record.events`. */
  kept: IncidentEvent[];
  stopRequested: boolean;
  opened: Promise<void>;
  done: Promise<void>;
}

export class CapacityError extends Error {
  override name = 'CapacityError';
}

/** Stands in for the analyzer when a start asks for `auto_analyze: false`. */
class NoAnalysis implements Analyzer {
  readonly source = 'none (auto_analyze is false)';
  async *analyze(): AsyncIterable<AnalysisEvent> {
    yield { type: 'analysis-finished', source: this.source, hypotheses: [], actions: [] };
  }
}

export interface SimulationManagerOptions {
  analyzerFactory: () => Analyzer;
  knownRootCauses: string[];
  metrics: ApiMetrics;
  speed?: number;
  /** Simulations running at once; a start beyond this is refused. */
  maxActive: number;
  /** Finished simulations kept for GET and replay; the oldest are forgotten first. */
  maxFinished: number;
  /** Keeps each finished simulation in the server's history (firedrill serve: keepInHistory). */
  keepIncident?: (record: IncidentRecord) => Promise<void>;
}

/** The events a history record is made of. */
const KEPT_FOR_HISTORY: ReadonlySet<IncidentEvent['type']> = new Set(['incident-opened', 'source', 'hypothesis', 'action', 'analysis-finished']);

/**
 * Runs simulations in the background, one engine generator each, and keeps what they yield so
 * that status requests and event streams (replay, then live) can be answered at any time.
 */
export class SimulationManager {
  private readonly simulations = new Map<string, LiveSimulation>();
  private running = 0;
  /** History saves under way: a shutdown waits for them. */
  private readonly saving = new Set<Promise<void>>();

  constructor(private readonly options: SimulationManagerOptions) {}

  get activeCount(): number {
    return this.running;
  }

  list(): SimulationRecord[] {
    return [...this.simulations.values()].map((simulation) => simulation.record);
  }

  get(id: string): SimulationRecord | undefined {
    return this.simulations.get(id)?.record;
  }

  /** Starts a simulation in the background; resolves once it has opened its incident (or after a short wait). */
  async start(scenario: Scenario, request: { autoAnalyze: boolean; executionMode: string }): Promise<SimulationRecord> {
    if (this.activeCount >= this.options.maxActive) {
      throw new CapacityError(
        `${this.options.maxActive} simulations are already running; stop one or wait for one to finish`,
      );
    }
    // Made before the simulation is registered: a factory that throws must not leave a phantom running one.
    const analyzer = request.autoAnalyze ? this.options.analyzerFactory() : new NoAnalysis();
    let id = newSimulationId();
    while (this.simulations.has(id)) id = newSimulationId();
    const record: SimulationRecord = {
      id,
      scenarioId: scenario.id,
      autoAnalyze: request.autoAnalyze,
      executionMode: request.executionMode,
      startedAt: new Date().toISOString(),
      incidentId: null,
      status: 'running',
      completedAt: null,
      error: null,
      hypothesesCount: 0,
      actionsCount: 0,
      metricsInjected: false,
      events: [],
      eventCount: 0,
    };
    const controller = new AbortController();
    let markOpened = () => {};
    const simulation: LiveSimulation = {
      record,
      controller,
      listeners: new Set(),
      kept: [],
      stopRequested: false,
      opened: new Promise<void>((resolve) => (markOpened = resolve)),
      done: Promise.resolve(),
    };
    // Registered before any await so that simultaneous starts all count against the cap.
    this.simulations.set(id, simulation);
    this.running += 1;
    this.options.metrics.simulationStarted(scenario.id);
    this.options.metrics.setActiveSimulations(this.activeCount);

    simulation.done = this.pump(simulation, scenario, analyzer, markOpened);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      simulation.opened,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, OPEN_WAIT_MS))),
    ]);
    clearTimeout(timer);
    return record;
  }

  /** Stops a running simulation; a finished one is left as it is. Returns its status before the stop. */
  async stop(id: string): Promise<{ record: SimulationRecord; previousStatus: SimulationStatusValue } | undefined> {
    const simulation = this.simulations.get(id);
    if (!simulation) return undefined;
    const previousStatus = simulation.record.status;
    if (previousStatus === 'running') await this.windDown(simulation);
    return { record: simulation.record, previousStatus };
  }

  /**
   * Calls `listener` with every event so far numbered above `afterId`, then with each new one until
   * the simulation ends. Returns an unsubscribe function, or undefined when the simulation had
   * already ended (the replay was then complete).
   */
  subscribe(id: string, listener: SimulationListener, afterId = 0): (() => void) | undefined {
    const simulation = this.simulations.get(id);
    if (!simulation) return undefined;
    for (const numbered of simulation.record.events) if (numbered.id > afterId) listener(numbered);
    if (simulation.record.status !== 'running') return undefined;
    simulation.listeners.add(listener);
    return () => simulation.listeners.delete(listener);
  }

  /** Stops every running simulation (server shutdown). */
  async stopAll(): Promise<void> {
    const running = [...this.simulations.values()].filter((simulation) => simulation.record.status === 'running');
    await Promise.all(running.map((simulation) => this.windDown(simulation)));
    await Promise.all(this.saving);
  }

  private async windDown(simulation: LiveSimulation): Promise<void> {
    simulation.stopRequested = true;
    simulation.controller.abort(new Error('stopped'));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([simulation.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
    // An engine that ignores its signal is left to finish on its own; the simulation is stopped for us.
    if (simulation.record.status === 'running') this.finish(simulation, 'stopped');
  }

  private async pump(simulation: LiveSimulation, scenario: Scenario, analyzer: Analyzer, markOpened: () => void): Promise<void> {
    const { record, controller } = simulation;
    try {
      const events = runSimulation({
        scenario,
        analyzer,
        knownRootCauses: this.options.knownRootCauses,
        speed: this.options.speed,
        signal: controller.signal,
        simulationId: record.id,
      });
      for await (const event of events) {
        this.apply(simulation, event);
        markOpened();
        if (record.status !== 'running') break;
      }
      if (record.status === 'running') {
        if (simulation.stopRequested) this.finish(simulation, 'stopped');
        else this.finish(simulation, 'failed', 'the simulation ended without reporting a result');
      }
    } catch (error) {
      if (record.status === 'running') {
        if (simulation.stopRequested) this.finish(simulation, 'stopped');
        else this.finish(simulation, 'failed', error instanceof Error ? error.message : String(error));
      }
    } finally {
      markOpened();
    }
  }

  private apply(simulation: LiveSimulation, event: IncidentEvent): void {
    const { record } = simulation;
    if (record.status !== 'running') return;
    switch (event.type) {
      case 'incident-opened':
        record.incidentId = event.incidentId;
        break;
      case 'metrics':
        record.metricsInjected = true;
        this.options.metrics.inject(record.scenarioId, record.id, event.points);
        break;
      case 'hypothesis':
        record.hypothesesCount += 1;
        break;
      case 'action':
        record.actionsCount += 1;
        break;
      case 'analysis-finished':
        record.hypothesesCount = event.hypotheses.length;
        record.actionsCount = event.actions.length;
        break;
      case 'incident-finished':
        // A stop that raced the engine's own end still reads as stopped, as the caller asked.
        this.finish(
          simulation,
          simulation.stopRequested ? 'stopped' : event.status,
          event.error,
          simulation.stopRequested ? undefined : event,
        );
        return;
      case 'source':
      case 'timeline':
      case 'hypothesis-text':
      case 'analysis-waiting':
      case 'notice':
        break;
      default: {
        const unknown: never = event;
        void unknown;
      }
    }
    this.publish(simulation, event);
  }

  private finish(
    simulation: LiveSimulation,
    status: Exclude<SimulationStatusValue, 'running'>,
    error?: string,
    engineEvent?: IncidentEvent,
  ): void {
    const { record } = simulation;
    const completedAt = new Date().toISOString();
    record.status = status;
    this.running -= 1;
    record.completedAt = completedAt;
    record.error = error ?? null;
    // The stream always ends with an incident-finished, whether the engine said it or not.
    const finished: IncidentEvent = engineEvent ?? {
      type: 'incident-finished',
      status,
      completedAt,
      ...(error === undefined ? {} : { error }),
    };
    this.publish(simulation, finished, true);
    simulation.listeners.clear();
    this.keep([...simulation.kept, finished]);
    this.options.metrics.removeSimulation(record.scenarioId, record.id);
    this.options.metrics.setActiveSimulations(this.activeCount);
    this.forgetOldFinished();
  }

  private keep(events: IncidentEvent[]): void {
    const save = this.options.keepIncident;
    const record = save ? incidentRecordFrom(events) : undefined;
    if (!save || !record) return;
    const saving: Promise<void> = save(record)
      .catch(() => undefined)
      .finally(() => this.saving.delete(saving));
    this.saving.add(saving);
  }

  private publish(simulation: LiveSimulation, event: IncidentEvent, always = false): void {
    if (KEPT_FOR_HISTORY.has(event.type)) simulation.kept.push(event);
    const { record } = simulation;
    record.eventCount += 1;
    const numbered = { id: record.eventCount, event };
    if (always || record.events.length < MAX_KEPT_EVENTS) record.events.push(numbered);
    for (const listener of simulation.listeners) listener(numbered);
  }

  private forgetOldFinished(): void {
    let finished = this.simulations.size - this.running;
    // A Map iterates in insertion order: the first finished ones met are the oldest started.
    for (const [id, simulation] of this.simulations) {
      if (finished <= this.options.maxFinished) break;
      if (simulation.record.status === 'running') continue;
      this.simulations.delete(id);
      finished -= 1;
    }
  }
}

export function toWireSimulation(record: SimulationRecord): WireSimulation {
  return {
    simulation_id: record.id,
    scenario_id: record.scenarioId,
    incident_id: record.incidentId,
    status: record.status,
    started_at: record.startedAt,
    completed_at: record.completedAt,
    error: record.error,
    hypotheses_count: record.hypothesesCount,
    actions_count: record.actionsCount,
    metrics_injected: record.metricsInjected,
  };
}
