import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { keepInHistory } from '../../src/history/record.js';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { resolvePaths } from '../../src/paths.js';
import { makeSession } from './fixtures/reports.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-keep-session-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const target = () => ({ paths: resolvePaths({ dataDir }, {}), config: defaultConfig(), env: {} });

async function stored(id: string) {
  const store = SqliteHistoryStore.open(dataDir);
  try {
    return await store.getSession(id);
  } finally {
    await store.close();
  }
}

describe('keepInHistory({ session })', () => {
  it('keeps a session whole and says nothing when all went well', async () => {
    const session = makeSession(3, 'laptop', 'demo');
    expect(await keepInHistory(target(), { session })).toBeUndefined();
    expect(await stored(session.id)).toEqual(session);
  });

  it('keeps a session whose detail is above 256 KiB, with a note in place of the detail, and says so', async () => {
    const session = { ...makeSession(1, 'laptop'), detail: { samples: Array.from({ length: 40_000 }, (_, index) => index * 1.5) } };
    const notice = await keepInHistory(target(), { session });
    expect(notice).toMatch(/^session laptop-experiment-1: detail not kept \(\d+\.\d KiB, above the 256\.0 KiB limit\); summary and figures kept$/);
    const kept = await stored(session.id);
    expect(kept?.figures).toEqual(session.figures);
    expect(kept?.detail).toEqual({ omitted: expect.stringMatching(/^the detail \(\d+\.\d KiB\) was above the 256\.0 KiB history keeps$/) });
  });

  it('makes a multi-line summary one line and cuts a long title, saying so', async () => {
    const session = { ...makeSession(2, 'laptop'), summary: 'line one\nline two\u001b[2J', title: 'T'.repeat(500) };
    const notice = await keepInHistory(target(), { session });
    expect(notice).toBe('session laptop-experiment-2: title cut to 200 characters');
    const kept = await stored(session.id);
    expect(kept?.summary).toBe('line one line two');
    expect(kept?.title).toHaveLength(200);
    expect(kept?.title.endsWith('…')).toBe(true);
  });

  it('refuses what cannot be fitted with a sentence naming the field, and never throws', async () => {
    const session = { ...makeSession(4, 'laptop'), startedAt: 'last Tuesday' };
    expect(await keepInHistory(target(), { session })).toBe(
      'could not save to the history store: session "laptop-experiment-4": startedAt: expected an ISO 8601 date and time, found "last Tuesday"',
    );
    expect(await stored(session.id)).toBeNull();
  });
});
