/**
 * The training desk: what the console's screens and `firedrill train` ask of the training mode.
 * It knows the exercises (one per scenario, plus the live ones), builds a ladder from the store,
 * starts an exercise (refusing a locked or unknown one) and keeps each finished attempt.
 */
import os from 'node:os';
import { knownRootCauses } from '../incidents/load.js';
import type { Analyzer, Scenario } from '../incidents/types.js';
import { UsageError } from '../errors.js';
import { openHistory, resolveNeo4jSettings } from '../history/open-history.js';
import type { HistoryTarget } from '../history/record.js';
import { ScenarioExercise, type ExerciseController, type KeepAttempt } from './exercise.js';
import { buildLadder, type ExerciseInfo, type Ladder } from './ladder.js';
import { rosterOf, scorecardFromStore, type RosterRow, type Scorecard } from './report.js';
import { DEFAULT_RULES, type ScoringRules } from './scoring.js';
import { buildSheet, newSeed, type SheetOptions } from './sheet.js';
import { SqliteTrainingStore, type TrainingStore } from './store.js';
import type { Level } from './types.js';

export interface TrainingSettings {
  passScore: number;
  parSeconds: Record<Level, number>;
  /** Scenario seconds per real second while exercising. */
  speed: number;
}

export interface DeskOptions {
  scenarios: readonly Scenario[];
  settings: TrainingSettings;
  dataDir: string;
  /** The analyzer of the debriefs (built-in or LLM), made per exercise. */
  analyzer(): Analyzer;
  machine?: string;
  /**
   * Where Neo4j replication is configured: each attempt is queued with its SQLite commit and pushed
   * right after (src/history/open-history.ts does the pushing, as for runs and sessions).
   */
  history?: HistoryTarget;
}

export class TrainingDesk {
  private store: TrainingStore | undefined;
  private readonly byId: Map<string, Scenario>;
  readonly rules: ScoringRules;

  constructor(private readonly options: DeskOptions) {
    this.byId = new Map(options.scenarios.map((scenario) => [scenario.id, scenario]));
    this.rules = { ...DEFAULT_RULES, passScore: options.settings.passScore };
  }

  exercises(): ExerciseInfo[] {
    return this.options.scenarios.map(exerciseInfoOf);
  }

  ladder(trainee: string): Ladder {
    return buildLadder(trainee, this.exercises(), this.records().exerciseStats(trainee), this.rules.passScore);
  }

  scorecard(trainee: string): Scorecard {
    return scorecardFromStore(this.records(), trainee, this.exercises(), this.rules.passScore);
  }

  roster(): RosterRow[] {
    return rosterOf(this.records().roster(), this.exercises(), this.rules.passScore);
  }

  /** A new attempt at an exercise; refused when the exercise is unknown or its level still locked. */
  startExercise(exerciseId: string, trainee: string, seed: number = newSeed()): ExerciseController {
    const scenario = this.byId.get(exerciseId);
    if (!scenario) throw new UsageError(`no exercise "${exerciseId}": ${[...this.byId.keys()].join(', ')}`);
    const level = this.ladder(trainee).levels.find((entry) => entry.level === scenario.difficulty);
    if (level && !level.unlocked) throw new UsageError(`"${exerciseId}" is ${scenario.difficulty}, still locked: ${level.lockedReason}`);
    const sheet = buildSheet(scenario, { ...this.sheetOptions(), seed });
    return new ScenarioExercise({
      scenario,
      sheet,
      trainee,
      analyzer: this.options.analyzer(),
      knownRootCauses: knownRootCauses([...this.options.scenarios]),
      speed: this.options.settings.speed,
      rules: this.rules,
      keep: this.keeper(exerciseInfoOf(scenario)),
      machine: this.options.machine ?? os.hostname(),
    });
  }

  sheetOptions(): Omit<SheetOptions, 'seed'> {
    return {
      parSeconds: this.options.settings.parSeconds,
      knownRootCauses: knownRootCauses([...this.options.scenarios]),
      services: [...new Set(this.options.scenarios.map((scenario) => scenario.service))].sort(),
    };
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
      const replicated = target !== undefined && resolveNeo4jSettings(target.config, target.env) !== null;
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
    history = await openHistory(target);
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

export function exerciseInfoOf(scenario: Scenario): ExerciseInfo {
  return { id: scenario.id, kind: 'scenario', level: scenario.difficulty, title: scenario.name, service: scenario.service, severity: scenario.severity };
}

export function trainingSettings(config: { pass_score: number; par_seconds: Record<Level, number>; speed: number }, speed?: number): TrainingSettings {
  return { passScore: config.pass_score, parSeconds: config.par_seconds, speed: speed ?? config.speed };
}
