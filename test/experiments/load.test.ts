import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultExperimentsDir, loadExperimentFile, loadExperiments, parseExperiment } from '../../src/experiments/load.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-experiments-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A valid experiment; tests change one field at a time. */
function base(): Record<string, unknown> {
  return {
    id: 'sample',
    title: 'Sample',
    description: 'A sample experiment',
    risk: 'low',
    severity: 1,
    services: [{ id: 'canary', kind: 'canary', restart: 'always' }],
    probe_interval_seconds: 0.1,
    steady_state: { title: 'canary answers', probes: [{ kind: 'http', url: '${canary.url}/health' }] },
    recovery: { within_seconds: 5 },
    method: [{ fault: { kind: 'process_kill', service: 'canary' } }],
  };
}

function problem(raw: unknown): string {
  const result = parseExperiment(raw, 'x.yaml');
  if (!('error' in result)) throw new Error('expected an error');
  return result.error.message;
}

describe('experiment files', () => {
  it('loads every shipped experiment without an error', () => {
    const { experiments, errors } = loadExperiments(defaultExperimentsDir());
    expect(errors).toEqual([]);
    expect(experiments.length).toBeGreaterThanOrEqual(1);
  });

  it('names the file, the field, what was expected and what was found', () => {
    expect(problem({ ...base(), severity: 9 })).toBe('x.yaml: severity: Too big: expected number to be <=5, found 9');
    expect(problem({ ...base(), probe_interval_seconds: 'fast' })).toBe('x.yaml: probe_interval_seconds: Invalid input: expected number, received string');
    expect(problem({ ...base(), colour: 'red' })).toBe('x.yaml: colour: unknown key');
    const { recovery: _recovery, ...noRecovery } = base();
    expect(problem(noRecovery)).toBe('x.yaml: recovery: missing (expected object)');
    expect(problem({ ...base(), method: [{ fault: { kind: 'meteor' } }] })).toMatch(/^x\.yaml: method\.0\.fault\.kind: Invalid discriminator value\. Expected 'drill' \| 'process_kill' \| 'service_stop'/);
    expect(problem({ ...base(), method: [{ fault: { kind: 'drill', drill: 'cpu_spike', count: 3 } , duration_seconds: 2}] })).toBe(
      'x.yaml: method.0.fault.count: cpu_spike does not take count (it takes workers), found 3',
    );
    expect(problem({ ...base(), method: [{ fault: { kind: 'drill', drill: 'cpu_spike' } }] })).toMatch(/method\.0\.duration_seconds: a drill fault is held: give its duration_seconds/);
    expect(problem({ ...base(), method: [{ fault: { kind: 'process_kill', service: 'canary' }, duration_seconds: 3 }] })).toMatch(/takes no duration_seconds/);
  });

  it('checks references to services and the declared risk', () => {
    expect(problem({ ...base(), method: [{ fault: { kind: 'process_kill', service: 'db' } }] })).toBe(
      'x.yaml: method.0.fault: refers to the service "db", which is not declared (the services are canary)',
    );
    expect(problem({ ...base(), steady_state: { title: 't', probes: [{ kind: 'http', url: '${canary.uri}/x' }] } })).toBe(
      'x.yaml: steady_state.probes.0.url: ${canary.uri}: a canary service has url, host, port, pid, not uri',
    );
    expect(problem({ ...base(), method: [{ fault: { kind: 'drill', drill: 'cpu_spike' }, duration_seconds: 2 }] })).toBe(
      'x.yaml: risk: declared low, but method.0.fault (the cpu_spike drill) is medium risk: declare risk medium or higher',
    );
    expect('experiment' in parseExperiment({ ...base(), risk: 'medium', method: [{ fault: { kind: 'drill', drill: 'cpu_spike' }, duration_seconds: 2 }] }, 'x')).toBe(true);
  });

  it('refuses files that are not bounded regular YAML files', () => {
    const big = path.join(dir, 'big.yaml');
    writeFileSync(big, `description: "${'x'.repeat(70 * 1024)}"\n`);
    expect(loadExperimentFile(big)).toMatchObject({ error: { message: expect.stringMatching(/big\.yaml: cannot read the experiment file \(\d+ bytes, more than/) } });
    const fifo = path.join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(loadExperimentFile(fifo)).toMatchObject({ error: { message: `${fifo}: cannot read the experiment file (not a regular file)` } });
    const tagged = path.join(dir, 'tagged.yaml');
    writeFileSync(tagged, 'id: !!js/function "x"\n');
    expect(loadExperimentFile(tagged)).toMatchObject({ error: { message: expect.stringMatching(/tagged\.yaml: not valid YAML: .*js\/function/) } });
    const twice = path.join(dir, 'twice.yaml');
    writeFileSync(twice, 'id: a\nid: b\n');
    expect(loadExperimentFile(twice)).toMatchObject({ error: { message: expect.stringMatching(/twice\.yaml: not valid YAML: Map keys must be unique/) } });
  });
});
