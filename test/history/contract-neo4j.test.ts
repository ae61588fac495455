import neo4j from 'neo4j-driver';
import { describe } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { Neo4jHistoryStore } from '../../src/history/neo4j-store.js';
import { resolveNeo4jSettings } from '../../src/history/open-history.js';
import { historyContract } from './contract.js';

// No Neo4j server can run on the CI machines (see stack.md): this suite runs where NEO4J_URI points at one.
const settings = resolveNeo4jSettings(defaultConfig(), process.env);
const title = settings
  ? `HistoryStore contract: Neo4j at ${settings.uri}`
  : 'HistoryStore contract: Neo4j (skipped: NEO4J_URI is not set, and no Neo4j server can run on this machine)';

/** Removes what one test wrote: its machines and everything hanging off them. */
const DELETE_TEST_MACHINES = `
MATCH (machine:TestMachine) WHERE machine.hostname STARTS WITH $prefix
OPTIONAL MATCH (machine)-[:HAD_TEST_RUN|RAN_SIMULATION]->(item)
OPTIONAL MATCH (item)-[:HAS_RESULT]->(drill)
OPTIONAL MATCH (drill)-[:TRIGGERED]->(event)
DETACH DELETE machine, item, drill, event
`;

describe.skipIf(settings === null)(title, () => {
  historyContract(async (prefix) => {
    const store = new Neo4jHistoryStore(settings!);
    await store.ensureSchema();
    return {
      store,
      prefix,
      async dispose() {
        await store.close();
        const auth = settings!.password === undefined ? undefined : neo4j.auth.basic(settings!.username, settings!.password);
        const driver = neo4j.driver(settings!.uri, auth);
        try {
          await driver.executeQuery(DELETE_TEST_MACHINES, { prefix }, { database: settings!.database });
        } finally {
          await driver.close();
        }
      },
    };
  });
});
