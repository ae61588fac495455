import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadNarratives } from '../../src/narratives/load.js';
import { parseUntil } from '../../src/narratives/schema.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'firedrill-narratives-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HEAD = `id: x
title: "A title"
audience: "People"
summary: "What it shows"
planned_minutes: 5
`;

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('narrative files', () => {
  it('loads every shipped narrative, six at least, each with a scene that makes something happen', () => {
    const { narratives, errors } = loadNarratives(path.resolve('narratives'));
    expect(errors).toEqual([]);
    expect(narratives.length).toBeGreaterThanOrEqual(6);
    for (const id of ['memory-leak-story', 'cpu-spike-traffic-surge', 'slow-database', 'monitoring-catch-it', 'live-incident', 'lightning-tour']) {
      const narrative = narratives.find((entry) => entry.id === id);
      expect(narrative, id).toBeDefined();
      expect(narrative!.scenes.some((scene) => scene.run !== undefined), id).toBe(true);
    }
    expect(narratives.find((entry) => entry.id === 'lightning-tour')?.planned_minutes).toBe(5);
  });

  it('names the file, the field, what was expected, what was found and the line; one bad file does not hide the others', async () => {
    await write('a-good.yaml', `${HEAD}scenes:\n  - title: One\n    say: Hello\n`);
    const bad = await write(
      'b-bad.yaml',
      `${HEAD.replace('id: x', 'id: y')}scenes:\n  - title: One\n    say: Hello\n    until: hypothesis 9\n    timeout_seconds: 99999\n`,
    );
    const { narratives, errors } = loadNarratives(dir);
    expect(narratives.map((narrative) => narrative.id)).toEqual(['x']);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(bad);
    expect(errors[0]!.message).toMatch(/scenes\.0\.until: expected "drill passed".*found "hypothesis 9" \(line 9\)/);
    expect(errors[0]!.message).toMatch(/scenes\.0\.timeout_seconds: expected a number at most 3600, found 99999 \(line 10\)/);
  });

  it('checks that what a scene waits for fits what it runs, or what the scene before kept running', async () => {
    await write('a.yaml', `${HEAD}requires: { drills: true }\nscenes:\n  - title: One\n    say: Hello\n    run: { drills: cpu_spike }\n    until: hypothesis 1\n`);
    await write(
      'b.yaml',
      `${HEAD.replace('id: x', 'id: kept')}scenes:\n  - title: One\n    say: Hello\n    run: { incident: memory_leak_gradual }\n    keep: true\n  - title: Two\n    say: Then\n    until: actions shown\n`,
    );
    const { narratives, errors } = loadNarratives(dir);
    expect(narratives.map((narrative) => narrative.id)).toEqual(['kept']);
    expect(errors[0]!.message).toMatch(/scenes\.0\.until: "hypothesis 1" needs an incident \(a scenario or a live incident\), but this scene runs drills \(line 11\)/);
  });

  it('refuses a scene that loads the machine without saying so, and drill settings the config would refuse', async () => {
    await write('a.yaml', `${HEAD}scenes:\n  - title: One\n    say: Hello\n    run: { live: { fault: runaway_cpu } }\n`);
    await write(
      'b.yaml',
      `${HEAD.replace('id: x', 'id: b')}requires: { drills: true }\nscenes:\n  - title: One\n    say: Hello\n    run: { drills: [disk_fill], settings: { disk_fill: { size_mb: -5 } } }\n`,
    );
    await write('c.yaml', `${HEAD.replace('id: x', 'id: c')}requires: { drills: true }\nscenes:\n  - title: One\n    say: Hello\n    run: { live: { fault: runaway_cpu, process_name: "Bad Name" } }\n`);
    const { errors } = loadNarratives(dir);
    const messages = errors.map((error) => error.message).join('\n');
    expect(messages).toMatch(/a\.yaml: scenes\.0\.run: this scene loads the machine: declare "requires: \{ drills: true \}"/);
    expect(messages).toMatch(/b\.yaml: scenes\.0\.run\.settings\.disk_fill\.size_mb: expected a number more than 0, found -5/);
    expect(messages).toMatch(/c\.yaml: scenes\.0\.run\.live\.process_name: .*found "Bad Name"/);
  });

  it('says when two files use one id, naming both', async () => {
    const first = await write('a.yaml', `${HEAD}scenes:\n  - title: One\n    say: Hello\n`);
    const second = await write('b.yaml', `${HEAD}scenes:\n  - title: One\n    say: Hello\n`);
    const { errors } = loadNarratives(dir);
    expect(errors).toEqual([{ file: second, field: 'id', message: `${second}: id: "x" is already used by ${first}` }]);
  });

  it('reads the phrases a scene can wait for', () => {
    expect(parseUntil('drill passed')).toEqual({ kind: 'drill', outcome: 'passed' });
    expect(parseUntil('event cpu_high')).toEqual({ kind: 'event', event: 'cpu_high' });
    expect(parseUntil('alert NodeCpuBusy')).toEqual({ kind: 'alert', name: 'NodeCpuBusy' });
    expect(parseUntil('  20 s ')).toEqual({ kind: 'time', seconds: 20 });
    expect(parseUntil('event cpu_melting')).toBeNull();
    expect(parseUntil('0 s')).toBeNull();
  });
});
