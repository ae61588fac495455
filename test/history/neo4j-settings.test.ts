import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../api/fake-servers.js';
import { ConfigError, defaultConfig, parseConfig } from '../../src/config/config.js';
import { neo4jUriProblem } from '../../src/history/neo4j-settings.js';
import { keepInHistory } from '../../src/history/record.js';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { resolvePaths } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';
import { makeSession } from './fixtures/reports.js';

const BAD = '::::not a uri';

let home: string;
let dataDir: string;
let badConfig: string;
let env: NodeJS.ProcessEnv;
beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'firedrill-neo4j-settings-'));
  dataDir = path.join(home, 'data');
  badConfig = path.join(home, 'bad.yaml');
  writeFileSync(badConfig, `neo4j:\n  uri: "${BAD}"\n`);
  env = {
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_DATA_HOME: path.join(home, 'xdg-data'),
    FIREDRILL_DATA_DIR: '',
    FIREDRILL_LLM_URL: '',
    FIREDRILL_SCENARIOS_DIR: '',
    NEO4J_URI: '',
    NEO4J_PASSWORD: '',
  };
});
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('Neo4j URI check', () => {
  it.each([
    [BAD, 'which holds a space'],
    ['::::not-a-uri', 'which is not a URI'],
    ['localhost:7687', 'which has no bolt:// or neo4j:// in front'],
    ['http://db:7474', 'found the scheme "http:"'],
    ['bolt://', 'which names no host'],
    ['bolt://neo4j:secret@db:7687', 'found credentials in the URI'],
    ['neo4j://db:7687/history', 'found the path "/history"'],
    ['', 'found an empty value'],
  ])('refuses %j: %s', (uri, problem) => {
    expect(neo4jUriProblem(uri)).toContain(problem);
  });

  it.each(['bolt://localhost:7687', 'neo4j+s://db.example.com', 'neo4j://10.0.0.5:7687?policy=eu', 'bolt+ssc://[::1]:7687'])('accepts %s', (uri) => {
    expect(neo4jUriProblem(uri)).toBeUndefined();
  });

  it('is a config error naming the file and the key', () => {
    expect(() => parseConfig({ neo4j: { uri: BAD } }, '/etc/firedrill.yaml')).toThrow(ConfigError);
    expect(() => parseConfig({ neo4j: { uri: BAD } }, '/etc/firedrill.yaml')).toThrow(/\/etc\/firedrill\.yaml.*neo4j\.uri.*expected a Neo4j URI such as bolt:\/\/localhost:7687/s);
  });
});

describe('a bad Neo4j setting (built CLI)', () => {
  it('history, failures, run and incident refuse a bad neo4j.uri in the config file with exit 2, naming file and key', async () => {
    for (const args of [['history'], ['failures'], ['run', '--only', 'process_spawn', '--duration', '1'], ['incident', 'memory_leak_gradual', '--speed', '1000']]) {
      const result = await runCli([...args, '--config', badConfig, '--data-dir', dataDir], { env });
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(`firedrill ${args[0]}: ${badConfig}`);
      expect(result.stderr).toContain('neo4j.uri');
    }
  });

  it('history and run refuse a bad NEO4J_URI with exit 2 naming it, before any drill runs', async () => {
    const history = await runCli(['history', '--data-dir', dataDir], { env: { ...env, NEO4J_URI: BAD } });
    expect(history.code).toBe(2);
    expect(history.stderr).toContain(`firedrill history: NEO4J_URI: expected a Neo4j URI such as bolt://localhost:7687`);
    const run = await runCli(['run', '--only', 'process_spawn', '--duration', '1', '--data-dir', dataDir], { env: { ...env, NEO4J_URI: BAD } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('firedrill run: NEO4J_URI: expected a Neo4j URI');
    expect(run.stdout).not.toContain('process_spawn');
    const flag = await runCli(['history', '--neo4j-uri', 'localhost:7687', '--data-dir', dataDir], { env });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain(
      'firedrill history: --neo4j-uri: expected a Neo4j URI such as bolt://localhost:7687 or neo4j+s://db.example.com, found "localhost:7687", which has no bolt:// or neo4j:// in front',
    );
    // An empty --neo4j-uri turns Neo4j off for one command, even with a bad NEO4J_URI.
    const off = await runCli(['history', '--neo4j-uri', '', '--data-dir', dataDir], { env: { ...env, NEO4J_URI: BAD } });
    expect(off.code, off.stderr).toBe(0);
  });

  it('an unreachable Neo4j is a warning: the incident is saved here and kept for sync', async () => {
    const uri = `bolt://127.0.0.1:${await closedPort()}`;
    const own = path.join(home, 'unreachable');
    const result = await runCli(['incident', 'memory_leak_gradual', '--speed', '1000', '--data-dir', own], { env: { ...env, NEO4J_URI: uri, NEO4J_PASSWORD: 'x' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('saved on this machine; 1 item(s) still pending for Neo4j (run "firedrill sync")');
    const store = SqliteHistoryStore.open(own);
    try {
      expect(await store.countIncidents()).toBe(1);
      expect(store.outboxCountByKind()).toEqual({ runs: 0, incidents: 1, sessions: 0, attempts: 0 });
    } finally {
      await store.close();
    }
  });
});

describe('keepInHistory with a bad Neo4j setting', () => {
  it('keeps the session on this machine and says why it went no further', async () => {
    const own = path.join(home, 'keep');
    const session = makeSession(1, 'laptop', 'demo');
    const notice = await keepInHistory({ paths: resolvePaths({ dataDir: own }, {}), config: defaultConfig(), env: { NEO4J_URI: BAD } }, { session });
    expect(notice).toMatch(/^kept on this machine only \(NEO4J_URI: expected a Neo4j URI .*\); fix it, then "firedrill sync --all" replicates it$/);
    const store = SqliteHistoryStore.open(own);
    try {
      expect((await store.getSession(session.id))?.summary).toBe(session.summary);
    } finally {
      await store.close();
    }
  });
});
