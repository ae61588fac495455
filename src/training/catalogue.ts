/**
 * The scenario exercises of a folder for the roster and the report, which need each exercise's id,
 * level and labels but not the scenarios themselves: parsing and validating every scenario file was
 * the largest part of `train --roster`'s time. The list is cached in the store with the folder's
 * signature (each *.yaml file's name, size and modification time: a stat each, no read); when the
 * signature matches, the cache answers, with the warnings the files gave when they were read;
 * otherwise the files are loaded as everywhere else and the cache is refreshed.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ExerciseInfo } from './ladder.js';
import type { SqliteTrainingStore } from './store.js';

export interface Catalogue {
  exercises: ExerciseInfo[];
  /** The load errors of the folder's files, as warning lines. */
  warnings: string[];
}

export function folderSignature(dir: string): string {
  const entries = readdirSync(dir)
    .filter((name) => /\.ya?ml$/i.test(name))
    .sort()
    .map((name) => {
      const stats = statSync(path.join(dir, name));
      return `${name}:${stats.size}:${stats.mtimeMs}`;
    });
  return entries.join('|');
}

export async function scenarioCatalogue(dir: string, store: SqliteTrainingStore): Promise<Catalogue> {
  let signature: string | undefined;
  try {
    signature = folderSignature(dir);
  } catch {
    // A folder that cannot be listed: loading it says why.
  }
  const cached = signature === undefined ? undefined : store.catalogue(dir);
  if (cached && cached.signature === signature) return JSON.parse(cached.content) as Catalogue;
  const [{ filterScenarios, loadScenarios, scenarioWarning }, { exerciseInfoOf }] = await Promise.all([import('../incidents/load.js'), import('./desk.js')]);
  const loaded = loadScenarios(dir);
  const catalogue: Catalogue = { exercises: filterScenarios(loaded.scenarios).map(exerciseInfoOf), warnings: loaded.errors.map(scenarioWarning) };
  if (signature !== undefined) store.saveCatalogue(dir, signature, JSON.stringify(catalogue));
  return catalogue;
}
