import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
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
}

export interface LoadedScenarios {
  scenarios: Scenario[];
  errors: ScenarioLoadError[];
}

/**
 * The scenarios/ folder shipped with firedrill. The module runs from src/ (tsx, vitest) or from the
 * bundled dist/firedrill.js, so walk up to the package root rather than assume a depth.
 */
export function defaultScenariosDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.FIREDRILL_SCENARIOS_DIR;
  if (override) return path.resolve(override);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && readPackageName(manifest) === 'firedrill') return path.join(dir, 'scenarios');
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the firedrill package folder holding scenarios/');
    dir = parent;
  }
}

function readPackageName(manifest: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/** Every *.yaml / *.yml file of the folder, in name order; a bad file becomes an error, never a throw. */
export function loadScenarios(dir: string = defaultScenariosDir()): LoadedScenarios {
  const scenarios: Scenario[] = [];
  const errors: ScenarioLoadError[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /\.ya?ml$/i.test(name)).sort();
  } catch (error) {
    errors.push({ file: dir, message: `${dir}: cannot read the scenarios folder (${(error as Error).message})` });
    return { scenarios, errors };
  }
  const seenIn = new Map<string, string>();
  for (const name of names) {
    const file = path.join(dir, name);
    const result = loadScenarioFile(file);
    if ('error' in result) {
      errors.push(result.error);
      continue;
    }
    const earlier = seenIn.get(result.scenario.id);
    if (earlier !== undefined) {
      errors.push({ file, field: 'id', message: `${file}: id: "${result.scenario.id}" is already used by ${earlier}` });
      continue;
    }
    seenIn.set(result.scenario.id, file);
    scenarios.push(result.scenario);
  }
  return { scenarios, errors };
}

export function loadScenarioFile(file: string): { scenario: Scenario } | { error: ScenarioLoadError } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { error: { file, message: `${file}: cannot read the file (${(error as Error).message})` } };
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    const detail = (error as Error).message.split('\n')[0];
    return { error: { file, message: `${file}: not valid YAML: ${detail}` } };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { error: { file, message: `${file}: expected a mapping of scenario fields at the top level` } };
  }
  const parsed = scenarioFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    let field = issue.path.map(String).join('.');
    let detail = issue.message;
    if (issue.code === 'unrecognized_keys') {
      field = [...issue.path.map(String), issue.keys[0]].join('.');
      detail = 'unknown key';
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      detail = 'missing';
    }
    return { error: { file, ...(field ? { field } : {}), message: `${file}: ${field || '(top level)'}: ${detail}` } };
  }
  return { scenario: scenarioFromFile(parsed.data, file) };
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
