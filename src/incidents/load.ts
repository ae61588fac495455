import { showControls } from '../text/sanitize.js';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describeIssues, formatProblems } from '../files/describe-issue.js';
import { readYamlFile, YamlFileError, type YamlDocument } from '../files/read-yaml.js';
import { shippedFolder } from '../paths.js';
import { scenarioFileSchema, scenarioFromFile } from './schema.js';
import { DIFFICULTIES, type Difficulty, type Scenario } from './types.js';

export { severityFromSigma } from './schema.js';

/** A scenario file that could not be used; the other files still load. */
export interface ScenarioLoadError {
  file: string;
  /** The offending key, dotted as in the file ("metrics.2.pattern"); absent when the file itself is the problem. */
  field?: string;
  /** One sentence naming the file and the field. */
  message: string;
  /** 'folder' when the folder itself could not be used (missing, empty, too many files). */
  scope?: 'folder';
}



export interface LoadedScenarios {
  scenarios: Scenario[];
  errors: ScenarioLoadError[];
}

/** The scenarios/ folder shipped with firedrill, or FIREDRILL_SCENARIOS_DIR. */
export function defaultScenariosDir(env: NodeJS.ProcessEnv = process.env): string {
  return shippedFolder('scenarios', 'FIREDRILL_SCENARIOS_DIR', env);
}

/** More files than this in one folder is not a scenarios folder: refuse the rest rather than read them all. */
export const MAX_SCENARIO_FILES = 500;

/**
 * Every *.yaml / *.yml file of the folder, in name order; a bad file becomes an error, never a
 * throw. Two files with the same id are both left out, with one error naming both: which one
 * should win is the user's call, not the file names' order.
 */
export function loadScenarios(dir: string = defaultScenariosDir()): LoadedScenarios {
  const errors: ScenarioLoadError[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /\.ya?ml$/i.test(name)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : (error as Error).message;
    errors.push({ file: dir, scope: 'folder', message: `${showControls(dir)}: cannot read the scenarios folder (${reason})` });
    return { scenarios: [], errors };
  }
  if (names.length === 0) {
    errors.push({ file: dir, scope: 'folder', message: `${showControls(dir)}: the scenarios folder holds no *.yaml files` });
  }
  if (names.length > MAX_SCENARIO_FILES) {
    errors.push({ file: dir, scope: 'folder', message: `${showControls(dir)}: ${names.length} scenario files; only the first ${MAX_SCENARIO_FILES} by name are read` });
    names = names.slice(0, MAX_SCENARIO_FILES);
  }
  const byId = new Map<string, Scenario[]>();
  for (const name of names) {
    const result = loadScenarioFile(path.join(dir, name));
    if ('error' in result) {
      errors.push(result.error);
      continue;
    }
    const same = byId.get(result.scenario.id) ?? [];
    same.push(result.scenario);
    byId.set(result.scenario.id, same);
  }
  const scenarios: Scenario[] = [];
  for (const [id, same] of byId) {
    if (same.length === 1) {
      scenarios.push(same[0]!);
      continue;
    }
    const files = same.map((scenario) => scenario.file!);
    const message = `id "${id}" is used by ${files.slice(0, -1).map(showControls).join(', ')} and ${showControls(files.at(-1)!)}: rename all but one (none of them is loaded)`;
    for (const file of files) errors.push({ file, field: 'id', message: `${showControls(file)}: ${message}` });
  }
  return { scenarios, errors };
}

export function loadScenarioFile(file: string): { scenario: Scenario } | { error: ScenarioLoadError } {
  let document: YamlDocument;
  try {
    document = readYamlFile(file, { what: 'scenario file' });
  } catch (error) {
    if (error instanceof YamlFileError) return { error: { file, message: error.message } };
    throw error;
  }
  const parsed = scenarioFileSchema.safeParse(document.value);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error, document.value);
    const field = problems[0]?.field;
    return { error: { file, ...(field ? { field } : {}), message: formatProblems(file, problems, 3, (at) => document.lineOf(at)) } };
  }
  return { scenario: scenarioFromFile(parsed.data, file) };
}

/** The warning line for a load error: a skipped file, or the folder itself. */
export function scenarioWarning(error: ScenarioLoadError): string {
  return error.scope === 'folder' ? error.message : `scenario skipped: ${error.message}`;
}

/** A scenario by id from the default folder (or the given list). */
export function findScenario(id: string, scenarios: Scenario[]): Scenario | undefined {
  return scenarios.find((scenario) => scenario.id === id);
}

/** Every distinct expected root cause, sorted: the categories an analyzer may choose among. */
export function knownRootCauses(scenarios: Scenario[]): string[] {
  return [...new Set(scenarios.map((scenario) => scenario.expectedRootCause))].sort();
}

export interface ScenarioFilter {
  difficulty?: Difficulty;
  tag?: string;
}

/** Scenarios matching the filter, beginner first, then by id. */
export function filterScenarios(scenarios: Scenario[], filter: ScenarioFilter = {}): Scenario[] {
  return scenarios
    .filter((scenario) => filter.difficulty === undefined || scenario.difficulty === filter.difficulty)
    .filter((scenario) => filter.tag === undefined || scenario.tags.includes(filter.tag))
    .sort((a, b) => DIFFICULTIES.indexOf(a.difficulty) - DIFFICULTIES.indexOf(b.difficulty) || a.id.localeCompare(b.id));
}
