/**
 * The training desk: what the console's screens and `firedrill train` ask of the training mode.
 * It knows the exercises (one per scenario, plus the live ones), builds a ladder from the store,
 * starts an exercise (refusing a locked or unknown one) and keeps each finished attempt.
 */
import os from 'node:os';
import type { FiredrillConfig } from '../config/config.js';
import { UsageError } from '../errors.js';
import type { HistoryTarget } from '../history/record.js';
import type { Analyzer, Scenario } from '../incidents/types.js';
import type { FiredrillPaths } from '../paths.js';
import type { ExerciseController, KeepAttempt } from './exercise.js';
import { buildLadder, type ExerciseInfo, type Ladder } from './ladder.js';
import type { LiveExerciseOptions } from './live.js';
import { LIVE_EXERCISES, type LiveExerciseDefinition } from './live-exercises.js';
import { rosterOf, scorecardFromStore, type RosterRow, type Scorecard } from './report.js';
import { DEFAULT_RULES, type ScoringRules } from './scoring.js';
import type { SheetOptions } from './sheet.js';
import { SqliteTrainingStore, type TrainingStore } from './store.js';
import type { Level } from './types.js';

// What only starting an exercise needs (the simulation, the analyzer, the fault machinery, Neo4j) is
// imported then: `train --roster` and `--report` start in a third of the time without it.

export interface TrainingSettings {
  passScore: number;
  parSeconds: Record<Level, number>;
  /** Scenario seconds per real second while exercising. */
  speed: number;
}

export interface DeskOptions {
  scenarios: readonly Scenario[];
  /** The scenario exercises when only their list is needed (roster, report: catalogue.ts); else from `scenarios`. */
  catalogue?: readonly ExerciseInfo[];
  /** An open store to use (else the data dir's is opened when first needed). */
  store?: TrainingStore;
  settings: TrainingSettings;
  dataDir: string;
  /** The analyzer of the debriefs (built-in or LLM), made per exercise; the built-in one by default. */
  analyzer?(): Analyzer;
  machine?: string;
  /**
   * Where Neo4j replication is configured: each attempt is queued with its SQLite commit and pushed
   * right after (src/history/open-history.ts does the pushing, as for runs and sessions).
   */
  history?: HistoryTarget;
  /** Live exercises (real faults on this machine) are offered when this is given. */
  live?: LiveSetup;
}

export interface LiveSetup {
  config: FiredrillConfig;
  paths: FiredrillPaths;
  /** Shorter readings and smaller faults, for tests. */
  timing?: LiveExerciseOptions['timing'];
  faultOverrides?: LiveExerciseOptions['faultOverrides'];
}

export class TrainingDesk {
  private store: TrainingStore | undefined;
  private readonly byId: Map<string, Scenario>;
  readonly rules: ScoringRules;

  constructor(private readonly options: DeskOptions) {
    this.store = options.store;
    this.byId = new Map(options.scenarios.map((scenario) => [scenario.id, scenario]));
    this.rules = { ...DEFAULT_RULES, passScore: options.settings.passScore };
  }

  exercises(): ExerciseInfo[] {
    const live = this.options.live ? LIVE_EXERCISES.map(liveExerciseInfo) : [];
    return [...(this.options.catalogue ?? this.options.scenarios.map(exerciseInfoOf)), ...live];
  }

  ladder(trainee: string): Ladder {
    return buildLadder(trainee, this.exercises(), this.records().exerciseStats(trainee), this.rules.passScore);
  }

  scorecard(trainee: string): Scorecard {
    return scorecardFromStore(this.records(), trainee, this.exercises(), this.rules.passScore);
  }

  roster(): RosterRow[] {
    const exercises = this.exercises();
    return rosterOf(this.records().roster(exercises, this.rules.passScore), exercises);
  }

  /** A new attempt at an exercise; refused when the exercise is unknown or its level still locked. */
  async startExercise(exerciseId: string, trainee: string, seed?: number): Promise<ExerciseController> {
    const [{ ScenarioExercise }, { buildSheet, newSeed }] = await Promise.all([import('./exercise.js'), import('./sheet.js')]);
    const info = this.exercises().find((exercise) => exercise.id === exerciseId);
    if (!info) throw new UsageError(`no exercise "${exerciseId}": ${this.exercises().map((exercise) => exercise.id).join(', ')}`);
    const level = this.ladder(trainee).levels.find((entry) => entry.level === info.level);
    if (level && !level.unlocked) throw new UsageError(`"${exerciseId}" is ${info.level}, still locked: ${level.lockedReason}`);
    const definition = LIVE_EXERCISES.find((entry) => entry.id === exerciseId);
    if (definition && this.options.live) return this.startLive(definition, this.options.live, info, trainee, seed ?? newSeed());
    const scenario = this.byId.get(exerciseId)!;
    const sheet = buildSheet(scenario, { ...(await this.sheetOptions()), seed: seed ?? newSeed() });
    return new ScenarioExercise({
      scenario,
      sheet,
      trainee,
      analyzer: await this.analyzer(),
      knownRootCauses: await this.knownRootCauses(),
      speed: this.options.settings.speed,
      rules: this.rules,
      keep: this.keeper(exerciseInfoOf(scenario)),
      machine: this.options.machine ?? os.hostname(),
    });
  }

  private async startLive(definition: LiveExerciseDefinition, live: LiveSetup, info: ExerciseInfo, trainee: string, seed: number): Promise<ExerciseController> {
    const [{ LiveExercise }, { openLedger }, { prepareRun }] = await Promise.all([import('./live.js'), import('../drills/ledger.js'), import('../drills/prepare.js')]);
    return new LiveExercise({
      definition,
      trainee,
      seed,
      parSeconds: this.options.settings.parSeconds.advanced,
      analyzer: await this.analyzer(),
      knownRootCauses: await this.knownRootCauses(),
      ledger: openLedger(live.paths),
      drills: live.config.drills,
      // The drill lock (one real fault at a time on this data dir) and an interrupted run's leftovers removed.
      prepare: async () => prepareRun({ config: live.config, paths: live.paths }),
      rules: this.rules,
      keep: this.keeper(info),
      machine: this.options.machine ?? os.hostname(),
      ...(live.timing ? { timing: live.timing } : {}),
      ...(live.faultOverrides ? { faultOverrides: live.faultOverrides } : {}),
    });
  }

  async sheetOptions(): Promise<Omit<SheetOptions, 'seed'>> {
    return {
      parSeconds: this.options.settings.parSeconds,
      knownRootCauses: await this.knownRootCauses(),
      services: [...new Set(this.options.scenarios.map((scenario) => scenario.service))].sort(),
    };
  }

  private async knownRootCauses(): Promise<string[]> {
    const { knownRootCauses } = await import('../incidents/load.js');
    return knownRootCauses([...this.options.scenarios]);
  }

  private async analyzer(): Promise<Analyzer> {
    if (this.options.analyzer) return this.options.analyzer();
    const { BuiltinAnalyzer } = await import('../analysis/builtin.js');
    return new BuiltinAnalyzer();
  }

  close(): void {
    this.store?.close();
    this.store = undefined;
  }

  private records(): TrainingStore {
    this.store ??= SqliteTrainingStore.open(this.options.dataDir);
    return this.store;
  }

  private keeper(exercise: ExerciseInfo): KeepAttempt {
    return async (attempt) => {
      const target = this.options.history;
      const replicated = target !== undefined && (await import('../history/open-history.js')).resolveNeo4jSettings(target.config, target.env) !== null;
      try {
        this.records().saveAttempt(attempt, exercise, { enqueue: replicated });
      } catch (error) {
        return `could not save the attempt: ${(error as Error).message}`;
      }
      return replicated ? pushToNeo4j(target) : undefined;
    };
  }
}

/** Pushes what the outbox holds (the attempt just queued among it); a sentence when some of it is still pending. */
async function pushToNeo4j(target: HistoryTarget): Promise<string | undefined> {
  let history;
  try {
    history = await (await import('../history/open-history.js')).openHistory(target);
  } catch (error) {
    return `saved on this machine; Neo4j could not be used (${(error as Error).message})`;
  }
  try {
    const outcome = await history.sync();
    return outcome.pending > 0 ? `saved on this machine; ${outcome.pending} item(s) still pending for Neo4j (run "firedrill sync")` : undefined;
  } finally {
    await history.close().catch(() => undefined);
  }
}

function liveExerciseInfo(definition: LiveExerciseDefinition): ExerciseInfo {
  return { id: definition.id, kind: 'live', level: 'advanced', title: definition.title, service: 'this machine', severity: 'high' };
}

export function exerciseInfoOf(scenario: Scenario): ExerciseInfo {
  return { id: scenario.id, kind: 'scenario', level: scenario.difficulty, title: scenario.name, service: scenario.service, severity: scenario.severity };
}

export function trainingSettings(config: { pass_score: number; par_seconds: Record<Level, number>; speed: number }, speed?: number): TrainingSettings {
  return { passScore: config.pass_score, parSeconds: config.par_seconds, speed: speed ?? config.speed };
}
