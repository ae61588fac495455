import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { Neo4jHistoryStore } from '../../src/history/neo4j-store.js';
import { openHistory, resolveNeo4jSettings } from '../../src/history/open-history.js';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { resolvePaths } from '../../src/paths.js';
import { historyContract } from './contract.js';
import { makeReport } from './fixtures/reports.js';

// No Neo4j server can run on the CI machines (see stack.md): this suite runs where NEO4J_URI points at one.
const settings = resolveNeo4jSettings(defaultConfig(), process.env);
const title = settings
  ? `HistoryStore contract: Neo4j at ${settings.uri}`
  : 'HistoryStore contract: Neo4j (skipped: NEO4J_URI is not set, and no Neo4j server can run on this machine)';

if (settings === null) console.info(`skipped: ${title}`);

/** Removes what one test wrote: its machines and everything hanging off them. */
const DELETE_TEST_MACHINES = `
MATCH (machine:TestMachine) WHERE machine.hostname STARTS WITH $prefix
OPTIONAL MATCH (machine)-[:HAD_TEST_RUN|RAN_SIMULATION]->(item)
OPTIONAL MATCH (item)-[:HAS_RESULT]->(drill)
OPTIONAL MATCH (drill)-[:TRIGGERED]->(event)
DETACH DELETE machine, item, drill, event
`;

async function deleteTestMachines(prefix: string): Promise<void> {
  const auth = settings!.password === undefined ? undefined : neo4j.auth.basic(settings!.username, settings!.password);
  const driver = neo4j.driver(settings!.uri, auth);
  try {
    await driver.executeQuery(DELETE_TEST_MACHINES, { prefix }, { database: settings!.database });
  } finally {
    await driver.close();
  }
}

describe.skipIf(settings === null)(`${title}: replication`, () => {
  it('a run saved while Neo4j was down arrives with sync, and reads then come from Neo4j', async () => {
    const prefix = `replication-${process.pid}-${Date.now()}`;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-neo4j-replication-'));
    try {
      const offline = SqliteHistoryStore.open(dataDir);
      offline.saveRunSync(makeReport(0, `${prefix}-host`), true);
      await offline.close();
      const history = await openHistory({ paths: resolvePaths({ dataDir }, {}), config: defaultConfig(), env: process.env });
      try {
        expect(history.readsFrom).toBe('neo4j');
        expect(await history.pendingCount()).toBe(1);
        expect(await history.sync()).toMatchObject({ pushed: 1, pushedRuns: 1, pending: 0 });
        await history.saveRun(makeReport(1, `${prefix}-host`));
        expect(await history.pendingCount()).toBe(0);
        expect((await history.listRuns({ machine: `${prefix}-host`, limit: 5 })).map((run) => run.id)).toEqual([
          makeReport(1, `${prefix}-host`).runId,
          makeReport(0, `${prefix}-host`).runId,
        ]);
      } finally {
        await history.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await deleteTestMachines(prefix);
    }
  });
});

describe.skipIf(settings === null)(title, () => {
  historyContract(async (prefix) => {
    const store = new Neo4jHistoryStore(settings!);
    await store.ensureSchema();
    return {
      store,
      prefix,
      async dispose() {
        await store.close();
        await deleteTestMachines(prefix);
      },
    };
  });
});
