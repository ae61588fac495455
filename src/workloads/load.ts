import path from 'node:path';
import { loadYamlFolder, type FolderFileError } from '../files/load-folder.js';
import { parseYamlFile, YamlFileError } from '../files/read-yaml.js';
import { shippedFolder } from '../paths.js';
import { MAX_PROFILE_BYTES, profileFileSchema, profileFromFile } from './schema.js';
import type { WorkloadProfile } from './types.js';

export type ProfileLoadError = FolderFileError;

/** The workloads/ folder shipped with firedrill (or FIREDRILL_WORKLOADS_DIR). */
export function defaultWorkloadsDir(env: NodeJS.ProcessEnv = process.env): string {
  return shippedFolder('workloads', 'FIREDRILL_WORKLOADS_DIR', env);
}

/** Every profile of the folder; a bad file becomes an error naming it, the others still load. */
export function loadProfiles(dir: string = defaultWorkloadsDir()): { profiles: WorkloadProfile[]; errors: ProfileLoadError[] } {
  const { items, errors } = loadYamlFolder(dir, 'workloads', (file) => {
    const result = loadProfileFile(file);
    return 'error' in result ? result : { item: result.profile };
  });
  return { profiles: items, errors };
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
