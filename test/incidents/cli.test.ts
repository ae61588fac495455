import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, runCli, startCli, waitFor } from '../helpers/cli.js';

let home: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'firedrill-incident-cli-'));
  // No user config and no LLM from the environment: the built-in analyzer answers.
  env = {
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_DATA_HOME: path.join(home, 'data'),
    FIREDRILL_LLM_URL: '',
    OPENAI_BASE_URL: '',
    FIREDRILL_SCENARIOS_DIR: '',
  };
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('firedrill scenarios', () => {
  it('--json lists every scenario in the API list shape, beginner first', async () => {
    const result = await runCli(['scenarios', '--json'], { env });
    expect(result.code).toBe(0);
    const list = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(list.length).toBeGreaterThanOrEqual(11);
    expect(Object.keys(list[0]!).sort()).toEqual(['description', 'difficulty', 'duration_seconds', 'id', 'metric_count', 'name', 'service', 'severity', 'tags']);
    const leak = list.find((item) => item.id === 'memory_leak_gradual')!;
    expect(leak).toMatchObject({ severity: 'critical', difficulty: 'beginner', duration_seconds: 300, metric_count: 4, tags: ['resource', 'availability'] });
    const order = ['beginner', 'intermediate', 'advanced'];
    const ranks = list.map((item) => order.indexOf(item.difficulty as string));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('prints a table grouped by difficulty and filters by tag', async () => {
    const all = await runCli(['scenarios'], { env });
    expect(all.code).toBe(0);
    const beginner = all.stdout.indexOf('BEGINNER');
    const intermediate = all.stdout.indexOf('INTERMEDIATE');
    const advanced = all.stdout.indexOf('ADVANCED');
    expect(beginner).toBeGreaterThanOrEqual(0);
    expect(beginner).toBeLessThan(intermediate);
    expect(intermediate).toBeLessThan(advanced);
    expect(all.stdout).toMatch(/memory_leak_gradual\s+critical\s+payment-service/);

    const tagged = await runCli(['scenarios', '--tag', 'external', '--json'], { env });
    const ids = (JSON.parse(tagged.stdout) as Array<{ id: string; tags: string[] }>).map((item) => item.id);
    expect(ids).toEqual(expect.arrayContaining(['latency_spike_database', 'dependency_failure_timeout']));
    expect(ids).not.toContain('memory_leak_gradual');
  });

  it('rejects an unknown difficulty with exit 2', async () => {
    const result = await runCli(['scenarios', '--difficulty', 'expert'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--difficulty must be one of beginner, intermediate, advanced');
  });

  it('warns about a bad file in FIREDRILL_SCENARIOS_DIR, naming it, and lists the rest', async () => {
    const dir = path.join(home, 'scenarios');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'good.yaml'), readFileSync(path.resolve('scenarios/pod_crash_loop.yaml')));
    writeFileSync(path.join(dir, 'bad.yaml'), readFileSync(path.resolve('scenarios/cache_stampede.yaml'), 'utf8').replace('difficulty: advanced', 'difficulty: legendary'));
    const result = await runCli(['scenarios', '--json'], { env: { ...env, FIREDRILL_SCENARIOS_DIR: dir } });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as Array<{ id: string }>).map((item) => item.id)).toEqual(['pod_crash_loop']);
    expect(result.stderr).toContain(`${path.join(dir, 'bad.yaml')}: difficulty:`);
  });
});

describe('firedrill incident', () => {
  it('--json prints one report object: the expected cause first, its actions, hypotheses by confidence', async () => {
    const result = await runCli(['incident', 'memory_leak_gradual', '--json', '--speed', '1000'], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      scenario: string;
      source: string;
      severity: string;
      hypotheses: Array<{ description: string; category: string; confidence: number; evidence: unknown[]; reasoning: string }>;
      actions: Array<{ type: string }>;
    };
    expect(Object.keys(report).sort()).toEqual(['actions', 'hypotheses', 'scenario', 'severity', 'source']);
    expect(report).toMatchObject({ scenario: 'memory_leak_gradual', source: 'built-in', severity: 'critical' });
    expect(report.hypotheses[0]).toMatchObject({ category: 'memory_leak' });
    expect(Object.keys(report.hypotheses[0]!).sort()).toEqual(['category', 'confidence', 'description', 'evidence', 'reasoning']);
    const confidences = report.hypotheses.map((hypothesis) => hypothesis.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    expect(report.actions.map((action) => action.type)).toEqual(expect.arrayContaining(['restart', 'scale']));
  });

  it('prints the timeline, hypotheses and actions as text', async () => {
    const result = await runCli(['incident', 'dependency_failure_timeout', '--speed', '1000'], { env });
    expect(result.code).toBe(0);
    const lines = ['simulation started', 'anomaly detected', 'analysis started', 'hypothesis 1:', 'action circuit_breaker', 'resolved: root cause external_dependency_failure'];
    const positions = lines.map((line) => result.stdout.indexOf(line));
    expect(positions.every((position) => position >= 0), result.stdout).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('exits 2 on an unknown scenario, listing the valid ids', async () => {
    const result = await runCli(['incident', 'no_such_thing'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown scenario "no_such_thing"');
    expect(result.stderr).toContain('memory_leak_gradual');
    expect(result.stderr).toContain('cache_stampede');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('stops on Ctrl-C with exit 130', async () => {
    const child = startCli(['incident', 'memory_leak_gradual', '--speed', '10'], { env });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await waitFor(() => stdout.includes('metrics:'), 20_000, 'the first metrics');
    child.kill('SIGINT');
    const result = await collect(child, 20_000);
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('stopped');
    expect(stdout).not.toContain('resolved');
  });

  it('--api runs the scenario on an incident API and prints the same report', async () => {
    const server = startCli(['serve', '--port', '0', '--speed', '1000'], { env: { ...env, FIREDRILL_API_KEY: 'drill-key' } });
    let out = '';
    server.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = collect(server, 60_000);
    try {
      const url = await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1], 30_000, 'the API server');
      const result = await runCli(['incident', 'pod_crash_loop', '--api', url, '--json'], { env: { ...env, FIREDRILL_API_KEY: 'drill-key' } });
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as { scenario: string; hypotheses: Array<{ category: string }>; actions: Array<{ type: string }> };
      expect(report.scenario).toBe('pod_crash_loop');
      expect(report.hypotheses[0]!.category).toBe('deployment_issue');
      expect(report.actions.map((action) => action.type)).toEqual(expect.arrayContaining(['rollback', 'restart']));

      const wrongKey = await runCli(['incident', 'pod_crash_loop', '--api', url, '--api-key', 'not-it'], { env });
      expect(wrongKey.code).not.toBe(0);
      expect(wrongKey.stderr).toContain('API key');
    } finally {
      server.kill('SIGTERM');
      await exited;
    }
  });
});
