import { readdirSync } from 'node:fs';
import path from 'node:path';

/** A file of a folder that could not be used; the others still load. */
export interface FolderFileError {
  file: string;
  /** Dotted as in the file ("kinds.2.cpu.percent"); absent when the file itself is the problem. */
  field?: string;
  message: string;
}

/**
 * Every *.yaml / *.yml file of a folder of definitions (scenarios, experiments, workload profiles),
 * in name order, each through `loadFile`: a bad file becomes an error naming it, never a throw, and
 * a second file with an id already taken is refused, naming the first.
 */
export function loadYamlFolder<T extends { id: string }>(
  dir: string,
  what: string,
  loadFile: (file: string) => { item: T } | { error: FolderFileError },
): { items: T[]; errors: FolderFileError[] } {
  const items: T[] = [];
  const errors: FolderFileError[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /\.ya?ml$/i.test(name)).sort();
  } catch (error) {
    return { items, errors: [{ file: dir, message: `${dir}: cannot read the ${what} folder (${(error as Error).message})` }] };
  }
  const seenIn = new Map<string, string>();
  for (const name of names) {
    const file = path.join(dir, name);
    const result = loadFile(file);
    if ('error' in result) {
      errors.push(result.error);
      continue;
    }
    const earlier = seenIn.get(result.item.id);
    if (earlier !== undefined) {
      errors.push({ file, field: 'id', message: `${file}: id: "${result.item.id}" is already used by ${earlier}` });
      continue;
    }
    seenIn.set(result.item.id, file);
    items.push(result.item);
  }
  return { items, errors };
}
