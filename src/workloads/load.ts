import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYamlFile, YamlFileError } from '../files/read-yaml.js';
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

export function loadProfileFile(file: string): { profile: WorkloadProfile } | { error: ProfileLoadError } {
  try {
    const parsed = parseYamlFile(file, profileFileSchema, { what: 'workload file', maxBytes: MAX_PROFILE_BYTES });
    return { profile: profileFromFile(parsed, file) };
  } catch (error) {
    if (!(error instanceof YamlFileError)) throw error;
    return { error: { file, ...(error.field ? { field: error.field } : {}), message: error.message } };
  }
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
