import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe } from 'vitest';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { historyContract } from './contract.js';

describe('HistoryStore contract: SQLite', () => {
  historyContract(async (prefix) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-contract-'));
    const store = SqliteHistoryStore.open(dir);
    return {
      store,
      prefix,
      async dispose() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});
