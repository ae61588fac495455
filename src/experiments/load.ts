import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { constants } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { z } from 'zod';
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
  const experiments: Experiment[] = [];
  const errors: ExperimentLoadError[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /\.ya?ml$/i.test(name)).sort();
  } catch (error) {
    return { experiments, errors: [{ file: dir, message: `${dir}: cannot read the experiments folder (${(error as Error).message})` }] };
  }
  const seenIn = new Map<string, string>();
  for (const name of names) {
    const file = path.join(dir, name);
    const result = loadExperimentFile(file);
    if ('error' in result) {
      errors.push(result.error);
      continue;
    }
    const earlier = seenIn.get(result.experiment.id);
    if (earlier !== undefined) {
      errors.push({ file, field: 'id', message: `${file}: id: "${result.experiment.id}" is already used by ${earlier}` });
      continue;
    }
    seenIn.set(result.experiment.id, file);
    experiments.push(result.experiment);
  }
  return { experiments, errors };
}

/**
 * Reads a bounded regular file (not a FIFO, a device or a directory) as text. Opened with
 * O_NONBLOCK so that a FIFO named *.yaml cannot hang the read, and checked through the same
 * descriptor so that nothing can be swapped in between.
 */
function readBoundedText(file: string): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new Error('not a regular file');
    if (stats.size > MAX_EXPERIMENT_FILE_BYTES) {
      throw new Error(`${stats.size} bytes, more than an experiment file may hold (${MAX_EXPERIMENT_FILE_BYTES})`);
    }
    const buffer = Buffer.alloc(MAX_EXPERIMENT_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > MAX_EXPERIMENT_FILE_BYTES) throw new Error(`more than ${MAX_EXPERIMENT_FILE_BYTES} bytes`);
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** YAML to a plain value: core schema only (no custom tags), aliases bounded, duplicate keys refused. */
function parseYamlText(text: string): unknown {
  // Loaded when a file is read: the YAML parser is a tenth of the console's start-up otherwise.
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const document = yaml.parseDocument(text, { schema: 'core', uniqueKeys: true, prettyErrors: false });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) throw new Error(problem.message.split('\n')[0]);
  return document.toJS({ maxAliasCount: 100 });
}

export function loadExperimentFile(file: string): { experiment: Experiment } | { error: ExperimentLoadError } {
  let text: string;
  try {
    text = readBoundedText(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return { error: { file, message: `${file}: cannot read the experiment file (${reason})` } };
  }
  let raw: unknown;
  try {
    raw = parseYamlText(text);
  } catch (error) {
    return { error: { file, message: `${file}: not valid YAML: ${(error as Error).message}` } };
  }
  return parseExperiment(raw, file);
}

/** Validates already-parsed YAML (also used by tests and by experiments built in code). */
export function parseExperiment(raw: unknown, file: string): { experiment: Experiment } | { error: ExperimentLoadError } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { error: { file, message: `${file}: expected a mapping of experiment fields at the top level, found ${describeFound(raw)}` } };
  }
  const parsed = experimentFileSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) return { error: fromIssue(file, parsed.error.issues[0]!, raw) };
  const experiment = { ...(parsed.data as unknown as Experiment), file };
  const problem = crossCheck(experiment);
  if (problem) return { error: { file, field: problem.field, message: `${file}: ${problem.field}: ${problem.message}` } };
  return { experiment };
}

/** The value at a dotted path of the raw file, as the user wrote it. */
function valueAt(raw: unknown, at: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of at) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function fromIssue(file: string, issue: z.core.$ZodIssue, raw: unknown): ExperimentLoadError {
  let field = issue.path.map(String).join('.');
  let detail = issue.message;
  if (issue.code === 'unrecognized_keys') {
    field = [...issue.path.map(String), issue.keys[0]].join('.');
    detail = 'unknown key';
  } else if (issue.code === 'invalid_type' && issue.input === undefined) {
    detail = `missing (${issue.message.replace(/^Invalid input: /, '').replace(/, received undefined$/, '')})`;
  } else if (!/received/.test(detail)) {
    const found = issue.code === 'custom' ? valueAt(raw, issue.path) : issue.input;
    if (found !== undefined) detail = `${detail}, found ${describeFound(found)}`;
  }
  return { file, ...(field ? { field } : {}), message: `${file}: ${field || '(top level)'}: ${detail}` };
}

function describeFound(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
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
