import { describeIssues, describeValue, formatProblems } from '../files/describe-issue.js';
import { loadYamlFolder } from '../files/load-folder.js';
import { readYamlFile, YamlFileError, type YamlDocument } from '../files/read-yaml.js';
import { shippedFolder } from '../paths.js';
import { referencesIn } from './kinds/common.js';
import { ACTION_KINDS, FAULT_KINDS, PROBE_KINDS, SERVICE_KINDS } from './kinds/index.js';
import { riskRank, type Risk } from './kinds/types.js';
import { experimentFileSchema, type Experiment } from './schema.js';

/** An experiment file that could not be used; the other files still load. */
export interface ExperimentLoadError {
  file: string;
  /** The offending key, dotted as in the file ("method.2.fault.drill"); absent when the file itself is the problem. */
  field?: string;
  /** One sentence naming the file, the field, what was expected and what was found. */
  message: string;
}

export interface LoadedExperiments {
  experiments: Experiment[];
  errors: ExperimentLoadError[];
}

/** Larger files are not experiments (the biggest shipped one is under 4 KiB). */
export const MAX_EXPERIMENT_FILE_BYTES = 64 * 1024;

export function defaultExperimentsDir(env: NodeJS.ProcessEnv = process.env): string {
  return shippedFolder('experiments', 'FIREDRILL_EXPERIMENTS_DIR', env);
}

/** Every *.yaml / *.yml of the folder, in name order; a bad file becomes an error, never a throw. */
export function loadExperiments(dir: string): LoadedExperiments {
  const { items, errors } = loadYamlFolder(dir, 'experiments', (file) => {
    const result = loadExperimentFile(file);
    return 'error' in result ? result : { item: result.experiment };
  });
  return { experiments: items, errors };
}

export function loadExperimentFile(file: string): { experiment: Experiment } | { error: ExperimentLoadError } {
  let document: YamlDocument;
  try {
    document = readYamlFile(file, { what: 'experiment file', maxBytes: MAX_EXPERIMENT_FILE_BYTES });
  } catch (error) {
    if (error instanceof YamlFileError) return { error: { file, message: error.message } };
    throw error;
  }
  return parseExperiment(document.value, file, (at) => document.lineOf(at));
}

/** Validates already-parsed YAML (also used by tests and by experiments built in code). */
export function parseExperiment(
  raw: unknown,
  file: string,
  lineOf?: (path: readonly PropertyKey[]) => number | undefined,
): { experiment: Experiment } | { error: ExperimentLoadError } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { error: { file, message: `${file}: expected a mapping of experiment fields at the top level, found ${describeValue(raw)}` } };
  }
  const parsed = experimentFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error, raw);
    const field = problems[0]?.field;
    return { error: { file, ...(field ? { field } : {}), message: formatProblems(file, problems, 3, lineOf) } };
  }
  const experiment = { ...(parsed.data as unknown as Experiment), file };
  const problem = crossCheck(experiment);
  if (problem) {
    const path = problem.field.split('.').map((key) => (/^\d+$/.test(key) ? Number(key) : key));
    return { error: { file, field: problem.field, message: formatProblems(file, [{ field: problem.field, detail: problem.message, path }], 1, lineOf) } };
  }
  return { experiment };
}

interface Problem {
  field: string;
  message: string;
}

/** Every kinds-list item of the experiment, with where it sits in the file and its registry entry. */
function* items(experiment: Experiment) {
  for (const [index, spec] of experiment.services.entries()) {
    yield { field: `services.${index}`, spec, kind: SERVICE_KINDS.find((kind) => kind.kind === spec.kind)! };
  }
  for (const [index, spec] of experiment.steady_state.probes.entries()) {
    yield { field: `steady_state.probes.${index}`, spec, kind: PROBE_KINDS.find((kind) => kind.kind === spec.kind)! };
  }
  for (const [index, step] of experiment.method.entries()) {
    if (step.fault) yield { field: `method.${index}.fault`, spec: step.fault, kind: FAULT_KINDS.find((kind) => kind.kind === step.fault!.kind)! };
  }
  for (const [index, spec] of experiment.rollbacks.entries()) {
    yield { field: `rollbacks.${index}`, spec, kind: ACTION_KINDS.find((kind) => kind.kind === spec.kind)! };
  }
}

/** Strings anywhere in a spec, with their dotted path. */
function* strings(value: unknown, field: string): Generator<{ field: string; text: string }> {
  if (typeof value === 'string') yield { field, text: value };
  else if (Array.isArray(value)) for (const [index, item] of value.entries()) yield* strings(item, `${field}.${index}`);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) yield* strings(item, `${field}.${key}`);
  }
}

/** The checks a schema cannot make alone: unique names, references to services, the declared risk. */
function crossCheck(experiment: Experiment): Problem | null {
  const services = new Map<string, (typeof SERVICE_KINDS)[number]>();
  for (const [index, spec] of experiment.services.entries()) {
    if (services.has(spec.id)) return { field: `services.${index}.id`, message: `"${spec.id}" is used by another service` };
    services.set(spec.id, SERVICE_KINDS.find((kind) => kind.kind === spec.kind)!);
  }
  const known = services.size > 0 ? `the services are ${[...services.keys()].join(', ')}` : 'this experiment declares no services';
  const names = new Set<string>();
  for (const [index, probe] of experiment.steady_state.probes.entries()) {
    const name = probe.name ?? `${probe.kind} ${index + 1}`;
    if (names.has(name)) return { field: `steady_state.probes.${index}.name`, message: `"${name}" names another probe too` };
    names.add(name);
  }
  let highest: { risk: Risk; field: string; what: string } | undefined;
  for (const { field, spec, kind } of items(experiment)) {
    for (const id of kind.serviceRefs?.(spec as never) ?? []) {
      if (!services.has(id)) return { field, message: `refers to the service "${id}", which is not declared (${known})` };
    }
    for (const { field: at, text } of strings(spec, field)) {
      for (const ref of referencesIn(text)) {
        const service = services.get(ref.id);
        if (!service) return { field: at, message: `\${${ref.id}.${ref.key}} refers to no declared service (${known})` };
        if (!service.endpointKeys.includes(ref.key)) {
          return { field: at, message: `\${${ref.id}.${ref.key}}: a ${service.kind} service has ${service.endpointKeys.join(', ')}, not ${ref.key}` };
        }
      }
    }
    if ('risk' in kind) {
      const risk = kind.risk(spec as never);
      if (!highest || riskRank(risk) > riskRank(highest.risk)) highest = { risk, field, what: kind.describe(spec as never) };
    }
  }
  if (highest && riskRank(highest.risk) > riskRank(experiment.risk)) {
    return {
      field: 'risk',
      message: `declared ${experiment.risk}, but ${highest.field} (${highest.what}) is ${highest.risk} risk: declare risk ${highest.risk} or higher`,
    };
  }
  return null;
}
