import { mkdir, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/commands/workload.js';
import { loadProfileFile, loadProfiles } from '../../src/workloads/load.js';
import { commFromName, planCounts } from '../../src/workloads/schema.js';
import { scratch, writeProfile } from './helpers.js';

let dirs: Awaited<ReturnType<typeof scratch>>;
beforeEach(async () => {
  dirs = await scratch();
});
afterEach(async () => {
  await dirs.dispose();
});

const VALID = `id: small
title: Small
description: Two kinds.
processes: 10
kinds:
  - { id: web, name: "nginx: worker process", priority: high, weight: 3 }
  - { id: db, name: "postgres: checkpointer", priority: critical, count: 1, memory: { pattern: steady, mb: 8 } }
`;

async function errorOf(yaml: string): Promise<string> {
  const file = path.join(dirs.profilesDir, 'bad.yaml');
  await writeFile(file, yaml);
  const result = loadProfileFile(file);
  if (!('error' in result)) throw new Error('expected the profile to be refused');
  return result.error.message;
}

describe('workload profiles', () => {
  it('loads the four shipped profiles with every kind named as ps would show it', () => {
    const { profiles, errors } = loadProfiles(path.resolve('workloads'));
    expect(errors).toEqual([]);
    expect(profiles.map((profile) => profile.id)).toEqual(['chaos', 'high-cardinality', 'high-churn', 'realistic']);
    for (const profile of profiles) {
      for (const kind of profile.kinds) expect(kind.comm.length).toBeLessThanOrEqual(15);
      // Every count adds up, at the default size and at the largest.
      for (const total of [profile.processes, 1000]) {
        const counts = planCounts(profile, total);
        expect([...counts.values()].reduce((sum, count) => sum + count, 0)).toBe(total);
      }
    }
    const realistic = profiles.find((profile) => profile.id === 'realistic')!;
    // Critical processes exist and churn never takes them (checked in the engine tests).
    expect(realistic.kinds.filter((kind) => kind.priority === 'critical').length).toBeGreaterThan(3);
  });

  it('shares processes by weight after the fixed counts', async () => {
    const profile = await writeProfile(dirs.profilesDir, 'small', VALID);
    expect(Object.fromEntries(planCounts(profile, 10))).toEqual({ web: 9, db: 1 });
    expect(() => planCounts(profile, 0)).toThrow(/needs at least 1 processes/);
    expect(profile.kinds[0]!.comm).toBe('nginx');
    expect(commFromName('/usr/bin/python3 /srv/job_{n}.py')).toBe('python3');
  });

  it('names the file, the field, what was expected, what was found and the line', async () => {
    expect(await errorOf(VALID.replace('weight: 3 }', 'weight: 3, cpu: { pattern: steady, percent: 150 } }'))).toMatch(
      /bad\.yaml: kinds\.0\.cpu\.percent: expected a number at most 100, found 150 \(line 6\)$/,
    );
    expect(await errorOf(VALID.replace('processes: 10', 'processes: "many"'))).toMatch(/bad\.yaml: processes: expected a number, found "many" \(a string\) \(line 4\)$/);
    expect(await errorOf(VALID.replace('processes: 10', 'processes: 5000'))).toMatch(/processes: expected a number at most 1000, found 5000/);
    expect(await errorOf(VALID.replace('priority: high', 'priority: urgent'))).toMatch(/kinds\.0\.priority: expected one of critical, high, medium, low, found "urgent"/);
    expect(await errorOf(VALID.replace('weight: 3 }', 'weight: 3, colour: red }'))).toMatch(/kinds\.0\.colour: unknown key "colour"/);
    expect(await errorOf(VALID.replace('weight: 3 }', 'weight: 3, count: 2 }'))).toMatch(/kinds\.0: expected exactly one of count .* or weight/);
    expect(await errorOf(VALID.replace('id: db', 'id: web'))).toMatch(/kinds\.1\.id: expected an id no other kind of this profile has, found "web" .*\(line 7\)/);
    expect(await errorOf(VALID.replace('"nginx: worker process"', '"nginx\\u001b[2J"'))).toMatch(/kinds\.0\.name: expected printable text/);
    expect(await errorOf(VALID.replace('title: Small', 'title: [unclosed'))).toMatch(/bad\.yaml: not valid YAML at line 3, column 1: Flow sequence/);
    expect(await errorOf(`${VALID}kinds: []\n`)).toMatch(/not valid YAML at line 8, column 1: the key "kinds" appears twice/);
    expect(await errorOf('- a list\n')).toMatch(/\(top level\): expected a mapping, found a list/);
  });

  it('refuses a FIFO and an oversized file without reading them', async () => {
    const fifo = path.join(dirs.profilesDir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    const fromFifo = loadProfileFile(fifo);
    expect('error' in fromFifo && fromFifo.error.message).toMatch(/fifo\.yaml: not a regular file \(it is a named pipe \(FIFO\)\)/);
    const big = path.join(dirs.profilesDir, 'big.yaml');
    await writeFile(big, `${VALID}# ${'x'.repeat(300 * 1024)}\n`);
    const fromBig = loadProfileFile(big);
    expect('error' in fromBig && fromBig.error.message).toMatch(/big\.yaml: .*256 KiB/);
    await mkdir(path.join(dirs.profilesDir, 'folder.yaml'));
    const { errors } = loadProfiles(dirs.profilesDir);
    expect(errors.map((error) => path.basename(error.file)).sort()).toEqual(['big.yaml', 'fifo.yaml', 'folder.yaml']);
  });

  it('reads durations as seconds, minutes or hours, up to a day', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(() => parseDuration('2d')).toThrow(/--duration must be like 90, 90s, 5m or 1h, got "2d"/);
    expect(() => parseDuration('25h')).toThrow(/at most a day/);
    expect(() => parseDuration('0')).toThrow(/--duration/);
  });
});
