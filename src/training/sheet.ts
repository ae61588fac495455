/**
 * An exercise sheet from a scenario: the four questions with their candidates, the right answers,
 * the hints and the explanation. Candidates come from what the trainee can see (the metrics, the
 * context) and from plausible distractors: the analyzer's own runner-up hypotheses, causes of the
 * same kind, the remedies of those causes; a scenario file names its own where generated ones
 * would be poor (scenario-notes.ts). The order is shuffled with the attempt's seed, so that the
 * same seed gives the same sheet (an attempt can be replayed) and the right answer is not always
 * in the same place.
 */
import { actionsForCategory, categoriesWithActions } from '../analysis/actions.js';
import { rankHypotheses } from '../analysis/builtin.js';
import { isAnomalousMetric } from '../analysis/confidence.js';
import { isRootCause, NAMED_ROOT_CAUSES, ROOT_CAUSES } from '../analysis/root-causes.js';
import { coLocatedWorkloads, dependencies, isRecord, recentAlerts } from '../incidents/context.js';
import { patternProgress, seededRandom } from '../incidents/metric-series.js';
import type { RecommendedAction, Scenario, ScenarioMetric } from '../incidents/types.js';
import { STAGE_QUESTIONS, STAGES, type Candidate, type ExerciseSheet, type Level, type Stage, type StageQuestion } from './types.js';

/** How many candidates a stage offers at most (the right ones included). */
export const CANDIDATES_PER_STAGE = 5;
/** Detection offers the metrics shown; a scenario has a handful, at most this many are offered. */
const DETECTION_CANDIDATES = 8;
const ANOMALY_SIGMA = 3;

export interface SheetOptions {
  seed: number;
  parSeconds: Record<Level, number>;
  /** Every root-cause category the shipped scenarios use (with the analyzer's vocabulary: the pool of root-cause distractors). */
  knownRootCauses: readonly string[];
  /** Services of the other scenarios: the pool of localisation distractors. */
  services: readonly string[];
}

/** Said when a scenario file has no hint for a stage. */
export const GENERIC_HINTS: Record<Stage, string> = {
  detection: 'Look for the signal that left its baseline first, not the one that moved the most.',
  localisation: 'Read the context: recent deployments, changes, dependencies and alerts name the suspects.',
  root_cause: 'Which metrics moved together, in which direction and with which shape (a climb, a step, spikes)?',
  mitigation: 'Choose the smallest, safest action that stops the harm; a high-risk action needs a reason.',
};

export function buildSheet(scenario: Scenario, options: SheetOptions): ExerciseSheet {
  const random = seededRandom(options.seed);
  const notes = scenario.training;
  const rootCause = rootCauseQuestion(scenario, options, random);
  const questions: StageQuestion[] = [
    detectionQuestion(scenario, random),
    localisationQuestion(scenario, options, random),
    rootCause,
    mitigationQuestion(scenario, rootCause.candidates.map((candidate) => candidate.id), random),
  ];
  const hints = Object.fromEntries(STAGES.map((stage) => [stage, notes?.hints[stage] ?? [GENERIC_HINTS[stage]]])) as Record<Stage, string[]>;
  return {
    exerciseId: scenario.id,
    title: scenario.name,
    kind: 'scenario',
    level: scenario.difficulty,
    service: scenario.service,
    severity: scenario.severity,
    parSeconds: notes?.parSeconds ?? options.parSeconds[scenario.difficulty],
    seed: options.seed,
    questions,
    hints,
    debrief: notes?.debrief ?? scenario.description,
  };
}

/** A new attempt's seed. */
export function newSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}

// --- detection -------------------------------------------------------------------------------

/**
 * When a metric first crosses three sigmas, as a share of the scenario's duration (noise left out),
 * or undefined when it never does. Scanned on the pattern itself, so any pattern is covered.
 */
export function firstCrossing(metric: ScenarioMetric): number | undefined {
  if (!isAnomalousMetric(metric)) return undefined;
  const needed = ANOMALY_SIGMA / Math.abs(metric.deviationSigma);
  for (let step = 0; step <= 2000; step += 1) {
    const fraction = step / 2000;
    if (patternProgress(metric.pattern, fraction) >= needed - 1e-9) return fraction;
  }
  return undefined;
}

/**
 * The signals that show the problem first: the metrics over three sigmas earliest; when several
 * cross together (a step), those within one sigma of the largest deviation among them, since the
 * biggest jump is what a dashboard shows first.
 */
export function firstSignals(scenario: Scenario): string[] {
  const crossings = scenario.metrics
    .map((metric) => ({ metric, at: firstCrossing(metric) }))
    .filter((entry): entry is { metric: ScenarioMetric; at: number } => entry.at !== undefined);
  if (crossings.length === 0) return [];
  const earliest = Math.min(...crossings.map((entry) => entry.at));
  const first = crossings.filter((entry) => entry.at <= earliest + 0.005);
  const largest = Math.max(...first.map((entry) => Math.abs(entry.metric.deviationSigma)));
  return first.filter((entry) => Math.abs(entry.metric.deviationSigma) >= largest - 1).map((entry) => entry.metric.name);
}

function detectionQuestion(scenario: Scenario, random: () => number): StageQuestion {
  const answers = scenario.training?.detection ?? firstSignals(scenario);
  const right = scenario.metrics.filter((metric) => answers.includes(metric.name));
  // Anomalous metrics first among the others: "the one that looks normal" is not a plausible trap.
  const others = shuffle(
    scenario.metrics.filter((metric) => !answers.includes(metric.name)),
    random,
  ).sort((a, b) => Number(isAnomalousMetric(b)) - Number(isAnomalousMetric(a)));
  const offered = [...right, ...others].slice(0, Math.max(DETECTION_CANDIDATES, right.length));
  const why = scenario.training?.detection
    ? `the scenario names ${right.map((metric) => metric.name).join(', ')} as the first sign`
    : right.length > 0
      ? `${right.map((metric) => `${metric.name} crossed 3σ after ${Math.round((firstCrossing(metric) ?? 0) * scenario.durationSeconds)} s`).join('; ')}`
      : 'no metric crossed three standard deviations';
  return {
    stage: 'detection',
    question: STAGE_QUESTIONS.detection,
    candidates: shuffle(offered, random).map((metric) => ({ id: metric.name, label: metric.name, detail: `${metric.unit}, baseline ${metric.baseline}` })),
    answers: right.map((metric) => metric.name),
    why,
  };
}

// --- localisation ----------------------------------------------------------------------------

/** The components the scenario's context names, as a trainee would read them. */
export function contextComponents(scenario: Scenario): string[] {
  const context = scenario.context;
  const found = [
    scenario.service,
    ...dependencies(context).map((dependency) => dependency.name),
    ...coLocatedWorkloads(context).map((workload) => workload.name),
    ...recentAlerts(context).map((alert) => alert.source),
  ];
  if (isRecord(context.node) && typeof context.node.name === 'string') found.push(`node ${context.node.name}`);
  if (isRecord(context.cluster_dns) && typeof context.cluster_dns.service === 'string') found.push(context.cluster_dns.service);
  if (isRecord(context.database)) found.push(`${scenario.service} database`);
  if (isRecord(context.cache)) found.push(`${scenario.service} cache`);
  return unique(found.filter((name) => name.length > 0 && name.length <= 64));
}

function localisationQuestion(scenario: Scenario, options: SheetOptions, random: () => number): StageQuestion {
  const notes = scenario.training?.localisation;
  const answers = notes?.answers ?? [scenario.service];
  const distractors = unique([
    ...(notes?.distractors ?? []),
    ...shuffle(contextComponents(scenario), random),
    ...shuffle([...options.services], random),
  ]).filter((name) => !answers.includes(name));
  const offered = [...answers, ...distractors.slice(0, Math.max(1, CANDIDATES_PER_STAGE - answers.length))];
  return {
    stage: 'localisation',
    question: STAGE_QUESTIONS.localisation,
    candidates: shuffle(offered, random).map((name) => ({ id: name, label: name })),
    answers,
    why: notes ? `the fault is in ${answers.join(' / ')}` : `the symptoms and the change are in ${scenario.service} itself`,
  };
}

// --- root cause ------------------------------------------------------------------------------

const ACRONYMS: Record<string, string> = { dns: 'DNS', tls: 'TLS', cpu: 'CPU', jvm: 'JVM', gc: 'GC', oom: 'OOM', io: 'I/O' };

/** "external_dependency_failure" -> "External dependency failure", "dns_failure" -> "DNS failure". */
export function categoryLabel(category: string): string {
  const words = category.split('_').map((word) => ACRONYMS[word] ?? word);
  const [first = '', ...rest] = words;
  return [first === first.toLowerCase() ? first.charAt(0).toUpperCase() + first.slice(1) : first, ...rest].join(' ');
}

function rootCauseQuestion(scenario: Scenario, options: SheetOptions, random: () => number): StageQuestion {
  const right = scenario.expectedRootCause;
  const pool = unique([...NAMED_ROOT_CAUSES, ...options.knownRootCauses]);
  // The analyzer's runner-ups are what the same evidence also suggests: the most plausible traps;
  // then causes of the same family (a disk filling up for a memory leak), then any other.
  const runnersUp = rankHypotheses(scenario)
    .map((hypothesis) => hypothesis.category)
    .filter((category) => pool.includes(category));
  const family = isRootCause(right) ? ROOT_CAUSES[right].family : undefined;
  const kin = shuffle(
    pool.filter((category) => isRootCause(category) && ROOT_CAUSES[category].family === family),
    random,
  );
  const distractors = unique([...(scenario.training?.rootCauseDistractors ?? []), ...runnersUp, ...kin, ...shuffle(pool, random)]).filter((category) => category !== right);
  const offered = [right, ...distractors.slice(0, CANDIDATES_PER_STAGE - 1)];
  return {
    stage: 'root_cause',
    question: STAGE_QUESTIONS.root_cause,
    candidates: shuffle(offered, random).map((category) => ({ id: category, label: categoryLabel(category) })),
    answers: [right],
    why: scenario.description.split(/(?<=\.)\s/)[0] ?? scenario.description,
  };
}

// --- mitigation ------------------------------------------------------------------------------

/** Every action the playbook knows for this scenario, by type (the first category that has it wins). */
function playbook(scenario: Scenario, first: string): Map<string, RecommendedAction> {
  const byType = new Map<string, RecommendedAction>();
  for (const category of [first, ...categoriesWithActions()]) {
    for (const action of actionsForCategory(category, scenario)) if (!byType.has(action.type)) byType.set(action.type, action);
  }
  return byType;
}

function mitigationQuestion(scenario: Scenario, rootCauseCandidates: readonly string[], random: () => number): StageQuestion {
  const notes = scenario.training?.mitigation;
  const actions = playbook(scenario, scenario.expectedRootCause);
  const answers = (notes?.answers ?? scenario.expectedActionTypes).filter((type) => actions.has(type));
  // The remedies of the wrong causes on offer: what someone who took the wrong turn would do.
  const ofDistractors = rootCauseCandidates
    .filter((category) => category !== scenario.expectedRootCause)
    .flatMap((category) => actionsForCategory(category, scenario).slice(0, 1).map((action) => action.type));
  const distractors = unique([...(notes?.distractors ?? []), ...ofDistractors, ...shuffle([...actions.keys()], random)]).filter(
    (type) => !answers.includes(type) && type !== 'investigate',
  );
  const offered = [...answers, ...distractors.slice(0, Math.max(2, CANDIDATES_PER_STAGE - answers.length))];
  const safest = [...answers].sort((a, b) => riskRank(actions.get(a)!) - riskRank(actions.get(b)!))[0];
  return {
    stage: 'mitigation',
    question: STAGE_QUESTIONS.mitigation,
    candidates: shuffle(offered, random).map((type) => actionCandidate(actions.get(type)!)),
    answers,
    why: safest ? `${safest} on ${actions.get(safest)!.target}: ${actions.get(safest)!.rationale}` : 'no remedy in the playbook',
  };
}

export function actionCandidate(action: RecommendedAction): Candidate {
  return {
    id: action.type,
    label: action.type.replaceAll('_', ' '),
    detail: `${action.riskLevel} risk · on ${action.target} · ${action.blastRadius}`,
    riskLevel: action.riskLevel,
    blastRadius: action.blastRadius,
  };
}

const RISK_ORDER = { low: 0, medium: 1, high: 2 } as const;
function riskRank(action: RecommendedAction): number {
  return RISK_ORDER[action.riskLevel];
}

// --- helpers ---------------------------------------------------------------------------------

/** Fisher-Yates with the given random source: a copy, the input is left as it is. */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
