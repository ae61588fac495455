import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupLeftovers, openLedger, readLedger } from '../../src/drills/ledger.js';
import { tempData, type TempData } from './helpers.js';

let data: TempData | undefined;
afterEach(() => data?.remove());

/** An owner that cannot be alive: pid 2^22 + 1 is above the kernel's pid_max on Linux. */
const DEAD_OWNER = { pid: 4_194_305, startTime: 1 };

describe('undo entries of the cleanup ledger', () => {
  it('are run by cleanup once their owner is dead, and kept when they fail', async () => {
    data = tempData();
    const marker = path.join(data.paths.dataDir, 'started-again');
    const createdAt = new Date().toISOString();
    await mkdir(data.paths.dataDir, { recursive: true });
    const failing = { kind: 'undo', id: 'bbbbbbbbbbbb', argv: ['/bin/sh', '-c', 'exit 3'], description: 'start the broken one again', owner: DEAD_OWNER, createdAt };
    await writeFile(
      data.paths.ledgerFile,
      JSON.stringify({
        version: 1,
        entries: [
          { kind: 'undo', id: 'aaaaaaaaaaaa', argv: ['/bin/sh', '-c', `touch '${marker}'`], description: 'start the service again', owner: DEAD_OWNER, createdAt },
          failing,
        ],
      }),
    );
    expect(await cleanupLeftovers(data.paths)).toEqual({ filesRemoved: [], directoriesRemoved: [], processesEnded: [], undone: ['start the service again'] });
    expect(existsSync(marker)).toBe(true);
    expect(await readLedger(data.paths)).toEqual([failing]);
  });

  it('of a live owner are left alone, and removed by their owner once undone', async () => {
    data = tempData();
    const ledger = openLedger(data.paths);
    const id = await ledger.addUndo(['/bin/true'], 'nothing');
    expect(await cleanupLeftovers(data.paths)).toMatchObject({ undone: [] });
    expect((await readLedger(data.paths)).map((entry) => entry.kind)).toEqual(['undo']);
    await ledger.removeUndo(id);
    expect(await readLedger(data.paths)).toEqual([]);
  });
});
