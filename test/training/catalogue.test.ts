import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { folderSignature, scenarioCatalogue } from '../../src/training/catalogue.js';
import { SqliteTrainingStore } from '../../src/training/store.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-training-catalogue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the exercise catalogue of a scenarios folder', () => {
  it('is read from the files once, then from the store until a file changes; a broken file\'s warning comes back each time', async () => {
    const folder = path.join(dir, 'scenarios');
    mkdirSync(folder);
    for (const id of ['memory_leak_gradual', 'pod_crash_loop']) copyFileSync(path.resolve(`scenarios/${id}.yaml`), path.join(folder, `${id}.yaml`));
    writeFileSync(path.join(folder, 'broken.yaml'), 'id: [');
    const store = SqliteTrainingStore.open(path.join(dir, 'data'));

    const first = await scenarioCatalogue(folder, store);
    expect(first.exercises.map((exercise) => [exercise.id, exercise.level])).toEqual([['memory_leak_gradual', 'beginner'], ['pod_crash_loop', 'intermediate']]);
    expect(first.warnings).toHaveLength(1);
    expect(first.warnings[0]).toContain('broken.yaml');
    expect(store.catalogue(folder)?.signature).toBe(folderSignature(folder));

    // The cache answers: a cached entry that differs from the files shows it is what was read.
    store.saveCatalogue(folder, folderSignature(folder), JSON.stringify({ ...first, exercises: first.exercises.slice(0, 1) }));
    const cached = await scenarioCatalogue(folder, store);
    expect(cached.exercises.map((exercise) => exercise.id)).toEqual(['memory_leak_gradual']);
    expect(cached.warnings).toEqual(first.warnings);

    // A file touched: the folder is read again.
    utimesSync(path.join(folder, 'pod_crash_loop.yaml'), new Date(), new Date(Date.now() + 5000));
    expect((await scenarioCatalogue(folder, store)).exercises.map((exercise) => exercise.id)).toEqual(['memory_leak_gradual', 'pod_crash_loop']);
    store.close();
  });
});
