import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { MAX_PROFILE_BYTES, profileFileSchema, profileFromFile } from './schema.js';
import type { WorkloadProfile } from './types.js';

/** A profile file that could not be used; the others still load. */
export interface ProfileLoadError {
  file: string;
  /** Dotted as in the file ("kinds.2.cpu.percent"); absent when the file itself is the problem. */
  field?: string;
  message: string;
}

/** The workloads/ folder shipped with firedrill (or FIREDRILL_WORKLOADS_DIR). */
export function defaultWorkloadsDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.FIREDRILL_WORKLOADS_DIR;
  if (override) return path.resolve(override);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && isFiredrillManifest(manifest)) return path.join(dir, 'workloads');
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the firedrill package folder holding workloads/');
    dir = parent;
  }
}

function isFiredrillManifest(manifest: string): boolean {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'firedrill';
  } catch {
    return false;
  }
}

/** Every *.yaml / *.yml file of the folder, in name order; a bad file becomes an error, never a throw. */
export function loadProfiles(dir: string = defaultWorkloadsDir()): { profiles: WorkloadProfile[]; errors: ProfileLoadError[] } {
  const profiles: WorkloadProfile[] = [];
  const errors: ProfileLoadError[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /\.ya?ml$/i.test(name)).sort();
  } catch (error) {
    errors.push({ file: dir, message: `${dir}: cannot read the workloads folder (${(error as Error).message})` });
    return { profiles, errors };
  }
  const seenIn = new Map<string, string>();
  for (const name of names) {
    const file = path.join(dir, name);
    const result = loadProfileFile(file);
    if ('error' in result) {
      errors.push(result.error);
      continue;
    }
    const earlier = seenIn.get(result.profile.id);
    if (earlier !== undefined) {
      errors.push({ file, field: 'id', message: `${file}: id: "${result.profile.id}" is already used by ${earlier}` });
      continue;
    }
    seenIn.set(result.profile.id, file);
    profiles.push(result.profile);
  }
  return { profiles, errors };
}

/** Reads a regular file of at most `maxBytes` (a FIFO or a device would block or never end). */
function readBoundedFile(file: string, maxBytes: number): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new Error('not a regular file');
    if (stats.size > maxBytes) throw new Error(`larger than ${maxBytes / 1024} KiB (${Math.ceil(stats.size / 1024)} KiB)`);
    const buffer = Buffer.alloc(stats.size);
    let read = 0;
    while (read < stats.size) {
      const got = readSync(fd, buffer, read, stats.size - read, read);
      if (got === 0) break;
      read += got;
    }
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function loadProfileFile(file: string): { profile: WorkloadProfile } | { error: ProfileLoadError } {
  let text: string;
  try {
    text = readBoundedFile(file, MAX_PROFILE_BYTES);
  } catch (error) {
    return { error: { file, message: `${file}: cannot read the file (${(error as Error).message})` } };
  }
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) {
    const line = text.slice(0, problem.pos[0]).split('\n').length;
    return { error: { file, message: `${file}:${line}: not valid YAML: ${problem.message.split('\n')[0]}` } };
  }
  const raw: unknown = document.toJS({ maxAliasCount: 100 });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { error: { file, message: `${file}: expected a mapping of profile fields at the top level` } };
  }
  const parsed = profileFileSchema.safeParse(raw);
  if (!parsed.success) return { error: describeIssue(file, raw, parsed.error.issues[0]!) };
  return { profile: profileFromFile(parsed.data, file) };
}

function valueAt(raw: unknown, keys: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of keys) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** "FILE: kinds.2.cpu.percent: expected a number <= 100, found 150". */
function describeIssue(file: string, raw: unknown, issue: z.core.$ZodIssue): ProfileLoadError {
  const keys = issue.path;
  let field = keys.map(String).join('.');
  let detail: string;
  if (issue.code === 'unrecognized_keys') {
    field = [...keys.map(String), issue.keys[0]].join('.');
    detail = 'unknown key';
  } else if (issue.code === 'invalid_type') {
    const found = valueAt(raw, keys);
    detail = found === undefined ? `missing (expected ${issue.expected})` : `expected ${issue.expected}, found ${shown(found)}`;
  } else if (issue.code === 'too_big' || issue.code === 'too_small') {
    const bound = issue.code === 'too_big' ? `${issue.inclusive === false ? '<' : '<='} ${issue.maximum}` : `${issue.inclusive === false ? '>' : '>='} ${issue.minimum}`;
    const what = issue.origin === 'string' ? 'a length' : issue.origin === 'array' ? 'a number of items' : 'a value';
    detail = `expected ${what} ${bound}, found ${shown(valueAt(raw, keys))}`;
  } else if (issue.code === 'invalid_value') {
    detail = `expected one of ${issue.values.map((value) => String(value)).join(', ')}, found ${shown(valueAt(raw, keys))}`;
  } else {
    const found = valueAt(raw, keys);
    detail = `${issue.message}${found === undefined || typeof found === 'object' ? '' : `, found ${shown(found)}`}`;
  }
  return { file, ...(field ? { field } : {}), message: `${file}: ${field || '(top level)'}: ${detail}` };
}

/** A profile by id, or an Error listing the ids there are. */
export function findProfile(id: string, dir?: string): WorkloadProfile {
  const { profiles, errors } = loadProfiles(dir);
  const profile = profiles.find((candidate) => candidate.id === id);
  if (profile) return profile;
  const broken = errors.find((error) => path.basename(error.file).replace(/\.ya?ml$/i, '') === id);
  if (broken) throw new Error(broken.message);
  throw new Error(`no workload profile "${id}"; the profiles are ${profiles.map((candidate) => candidate.id).join(', ') || '(none)'}`);
}
