import type { DrillName, RunEvent, RunReport, SystemSample } from '../drills/types.js';
import type { HistoryStore } from '../history/store.js';
import type { GamedayEvent } from '../experiments/gameday.js';
import type { Experiment } from '../experiments/schema.js';
import type { ExperimentEvent } from '../experiments/types.js';
import type { IncidentEvent, Scenario } from '../incidents/types.js';
import type { ExerciseController } from '../training/exercise.js';
import type { Ladder } from '../training/ladder.js';
import type { NarrativeController, NarrativeEvent } from '../narratives/engine.js';
import type { Narrative } from '../narratives/schema.js';
import type { WorkloadEvent, WorkloadProfile } from '../workloads/types.js';
import type { Workload } from '../workloads/workload.js';

/**
 * Everything the console needs from the engine, injected into <App> so that tests can hand in
 * real local parts (a temp data dir, a loopback server) or small scripted ones.
 */
export interface ConsoleServices {
  machine: string;
  drills: DrillInfo[];
  samples: SampleFeed;
  runDrills(drills: DrillName[], signal: AbortSignal): AsyncGenerator<RunEvent, RunReport | undefined>;
  /** Read once and kept: the scenario files with the errors of those that did not load. */
  loadScenarios(): Promise<{ scenarios: Scenario[]; errors: { file: string; message: string }[] }>;
  incidentEvents(scenario: Scenario, signal: AbortSignal): AsyncIterable<IncidentEvent>;
  /** Where incidents run: "in-process" or the incident API's URL. */
  incidentEngine: string;
  /** Opens the history browser's store (lazily: the console starts without touching it). */
  openHistory?(): Promise<ConsoleHistory>;
  /** Chaos experiments and gamedays (absent: the home menu leads to a screen that says so). */
  experiments?: ExperimentServices;
  /** The training ladder (its engine loads when first used). */
  training?: TrainingServices;
  /** Presenter demos: the narratives, and a presentation of one. */
  demos?: DemoServices;
  /** Process workloads (absent: the console cannot run them here). */
  workloads?: WorkloadServices;
}

export interface ExperimentServices {
  /** The experiment files, with the errors of those that did not load. */
  load(): Promise<{ experiments: Experiment[]; errors: { file: string; message: string }[] }>;
  /** Why an experiment cannot run on this machine with this setup ([] when it can). */
  problems(experiment: Experiment): Promise<string[]>;
  run(experiment: Experiment, signal: AbortSignal): AsyncIterable<ExperimentEvent>;
  gameday(plan: GamedayPlan, signal: AbortSignal): AsyncIterable<GamedayEvent>;
}

export interface GamedayPlan {
  experiments: Experiment[];
  durationMs: number;
  intervalMs: number;
  severity: { min: number; max: number };
}

/** What the training screens ask of the training mode (src/training/desk.ts). */
export interface TrainingServices {
  /** Who trains: --trainee, else the OS user name. */
  trainee: string;
  ladder(trainee: string): Promise<Ladder>;
  /** A new attempt; rejects for an unknown exercise or a locked level. */
  startExercise(exerciseId: string, trainee: string): Promise<ExerciseController>;
}

export interface DemoServices {
  /** Read once and kept: the narrative files with the errors of those that did not load. */
  loadNarratives(): Promise<{ narratives: Narrative[]; errors: { file: string; message: string }[] }>;
  /** Plays a narrative (real effects, or a rehearsal's); `onController` gets what the keys drive. */
  present(
    narrative: Narrative,
    options: { rehearse: boolean; pace: number; signal: AbortSignal; onController(controller: NarrativeController): void; onNotesUnavailable(reason: string): void },
  ): AsyncIterable<NarrativeEvent>;
  /** Lines printed once the console has closed (a rehearsal's time per scene). */
  sayAfterExit(lines: string[]): void;
}

export interface DrillInfo {
  name: DrillName;
  title: string;
  description: string;
  /** Why this drill needs confirmation with the current config, or null. */
  riskWarning: string | null;
}

/** The live readings behind the gauges. */
export interface SampleFeed {
  /** The readings of the last minute, oldest first. */
  recent(): SystemSample[];
  subscribe(listener: (sample: SystemSample) => void): () => void;
}

/** The history store as the console sees it: the store, and what replication to Neo4j is waiting on. */
export type ConsoleHistory = HistoryStore & {
  readonly neo4jUri: string | undefined;
  /** A sentence for the user when reads do not come from where they might expect (Neo4j down). */
  readonly notice: string | undefined;
  pendingCount(): Promise<number>;
};

export interface WorkloadServices {
  /** The profiles of workloads/ (or FIREDRILL_WORKLOADS_DIR), with the files that did not load. */
  profiles(): Promise<{ profiles: WorkloadProfile[]; errors: { file: string; message: string }[] }>;
  /**
   * Runs a workload of the profile until the signal aborts: its events, the workload handed to
   * `attach` first (the chaos keys act on it). Kept in history when it ends. Fails when this
   * machine cannot carry it.
   */
  run(profile: WorkloadProfile, signal: AbortSignal, attach: (workload: Workload) => void): AsyncIterable<WorkloadEvent>;
}
