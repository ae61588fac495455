import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedPort } from '../api/fake-servers.js';
import { defaultConfig, parseConfig } from '../../src/config/config.js';
import { openHistory, resolveNeo4jSettings } from '../../src/history/open-history.js';
import { resolvePaths } from '../../src/paths.js';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { syncMessage } from '../../src/commands/sync.js';
import { makeIncident, makeReport, makeSession } from './fixtures/reports.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-replication-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Neo4j settings', () => {
  it('take flags over NEO4J_* variables over the config file, and accept NEO4J_USER as well as NEO4J_USERNAME', () => {
    const config = parseConfig({ neo4j: { uri: 'bolt://config:7687', username: 'from-config', password: 'config-secret' } });
    expect(resolveNeo4jSettings(config, {})).toEqual({ uri: 'bolt://config:7687', username: 'from-config', password: 'config-secret' });
    expect(resolveNeo4jSettings(config, { NEO4J_URI: 'bolt://env:7687', NEO4J_USER: 'env-user', NEO4J_PASSWORD: 'env-secret' })).toEqual({
      uri: 'bolt://env:7687',
      username: 'env-user',
      password: 'env-secret',
    });
    expect(resolveNeo4jSettings(defaultConfig(), { NEO4J_URI: 'bolt://env:7687', NEO4J_USERNAME: 'u1', NEO4J_USER: 'u2' })?.username).toBe('u1');
    expect(resolveNeo4jSettings(config, { NEO4J_URI: 'bolt://env:7687' }, { uri: 'bolt://flag:7687' })?.uri).toBe('bolt://flag:7687');
    expect(resolveNeo4jSettings(defaultConfig(), {})).toBeNull();
  });
});

describe('replication to a Neo4j that is down', () => {
  it('commits the run locally, keeps it pending, reads locally and says why; sync reports the failure', async () => {
    const uri = `bolt://127.0.0.1:${await closedPort()}`;
    const paths = resolvePaths({ dataDir }, {});
    const history = await openHistory({
      paths,
      config: defaultConfig(),
      env: { NEO4J_URI: uri, NEO4J_PASSWORD: 'secret' },
      retry: { attempts: 2, baseDelayMs: 10 },
    });
    try {
      expect(history.readsFrom).toBe('sqlite');
      expect(history.notice).toContain(`Neo4j at ${uri} is not reachable`);
      const report = makeReport(0, 'laptop');
      await history.saveRun(report);
      expect(await history.pendingCount()).toBe(1);
      expect((await history.getRun(report.runId))?.results).toEqual(report.results);
      await history.saveIncident(makeIncident(0, 'laptop'));
      const session = makeSession(0, 'laptop', 'workload');
      await history.saveSession(session);
      expect(await history.pendingCount()).toBe(3);
      expect((await history.getSession(session.id))?.detail).toEqual(session.detail);

      const outcome = await history.sync();
      expect(outcome).toMatchObject({ pushed: 0, pending: 3, pendingRuns: 1, pendingIncidents: 1, pendingSessions: 1, unreachable: true });
      expect(outcome.error).toMatch(/ECONNREFUSED|connect|reach/i);
      expect(syncMessage(uri, outcome)).toMatch(/is not reachable \(.*\): 1 run, 1 incident and 1 session still pending$/);
    } finally {
      await history.close();
    }
    // Committed for real: another process opening the file sees the run and its outbox entry.
    const local = SqliteHistoryStore.open(dataDir);
    expect(await local.countRuns('laptop')).toBe(1);
    expect(await local.countSessions({ machine: 'laptop', kind: 'workload' })).toBe(1);
    expect(local.outboxCount()).toBe(3);
    await local.close();
  });

  it('queues nothing when Neo4j is not configured', async () => {
    const history = await openHistory({ paths: resolvePaths({ dataDir }, {}), config: defaultConfig(), env: {} });
    try {
      await history.saveRun(makeReport(0, 'laptop'));
      expect(history.neo4jUri).toBeUndefined();
      expect(history.readsFrom).toBe('sqlite');
      expect(await history.pendingCount()).toBe(0);
      expect(await history.countRuns('laptop')).toBe(1);
    } finally {
      await history.close();
    }
  });

  it('queues the runs and sessions saved before Neo4j was configured when asked (sync --all)', async () => {
    const paths = resolvePaths({ dataDir }, {});
    const before = await openHistory({ paths, config: defaultConfig(), env: {} });
    await before.saveRun(makeReport(0, 'laptop'));
    await before.saveRun(makeReport(1, 'laptop'));
    await before.saveSession(makeSession(1, 'laptop', 'demo'));
    await before.close();
    const uri = `bolt://127.0.0.1:${await closedPort()}`;
    const after = await openHistory({ paths, config: defaultConfig(), env: { NEO4J_URI: uri }, retry: { attempts: 1, baseDelayMs: 1 } });
    try {
      expect(await after.pendingCount()).toBe(0);
      expect(await after.queueEverything()).toBe(3);
      expect(await after.queueEverything()).toBe(0);
      expect(await after.pendingCount()).toBe(3);
    } finally {
      await after.close();
    }
  });
});
