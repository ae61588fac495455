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
    expect(problem({ ...base(), severity: 9 })).toBe('x.yaml: severity: expected a number at most 5, found 9');
    expect(problem({ ...base(), probe_interval_seconds: 'fast' })).toBe('x.yaml: probe_interval_seconds: expected a number, found "fast" (a string)');
    expect(problem({ ...base(), colour: 'red' })).toBe('x.yaml: colour: unknown key "colour"');
    const { recovery: _recovery, ...noRecovery } = base();
    expect(problem(noRecovery)).toBe('x.yaml: recovery: missing (expected a mapping)');
    expect(problem({ ...base(), method: [{ fault: { kind: 'meteor' } }] })).toBe(
      'x.yaml: method.0.fault.kind: expected one of drill, process_kill, service_stop, network, postgres_connections, postgres_crash, sandbox_kill, stack_restart, found "meteor" (a string)',
    );
    expect(problem({ ...base(), method: [{ fault: { kind: 'drill', drill: 'cpu_spike', count: 3 }, duration_seconds: 2 }] })).toBe(
      'x.yaml: method.0.fault.count: expected no count for cpu_spike (it takes workers), found 3',
    );
    expect(problem({ ...base(), method: [{ fault: { kind: 'drill', drill: 'cpu_spike' } }] })).toMatch(
      /^x\.yaml: method\.0\.fault: expected a duration_seconds beside this fault \(a drill fault is held\)/,
    );
    expect(problem({ ...base(), method: [{ fault: { kind: 'process_kill', service: 'canary' }, duration_seconds: 3 }] })).toBe(
      'x.yaml: method.0.duration_seconds: expected no duration_seconds (a process_kill fault is done at once), found 3',
    );
  });

  it('checks references to services and the declared risk', () => {
    expect(problem({ ...base(), method: [{ fault: { kind: 'process_kill', service: 'db' } }] })).toBe(
      'x.yaml: method.0.fault: refers to the service "db", which is not declared (the services are canary)',
    );
    expect(problem({ ...base(), steady_state: { title: 't', probes: [{ kind: 'tcp', address: '${canary.hst}:${canary.port}' }] } })).toBe(
      'x.yaml: steady_state.probes.0.address: ${canary.hst}: a canary service has url, host, port, pid, not hst',
    );
    expect(problem({ ...base(), method: [{ fault: { kind: 'drill', drill: 'cpu_spike' }, duration_seconds: 2 }] })).toBe(
      'x.yaml: risk: declared low, but method.0.fault (the cpu_spike drill) is medium risk: declare risk medium or higher',
    );
    expect('experiment' in parseExperiment({ ...base(), risk: 'medium', method: [{ fault: { kind: 'drill', drill: 'cpu_spike' }, duration_seconds: 2 }] }, 'x')).toBe(true);
  });

  it('refuses files that are not bounded regular YAML files, and gives the line of a problem', () => {
    const big = path.join(dir, 'big.yaml');
    writeFileSync(big, `description: "${'x'.repeat(70 * 1024)}"\n`);
    expect(loadExperimentFile(big)).toEqual({ error: { file: big, message: `${big}: 71,696 bytes is too large for an experiment file (at most 64 KiB)` } });
    const fifo = path.join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(loadExperimentFile(fifo)).toMatchObject({ error: { message: expect.stringMatching(/fifo\.yaml: not a regular file \(it is a named pipe/) } });
    const tagged = path.join(dir, 'tagged.yaml');
    writeFileSync(tagged, 'id: !!js/function "x"\n');
    expect(loadExperimentFile(tagged)).toMatchObject({ error: { message: expect.stringMatching(/tagged\.yaml: not valid YAML at line 1, column 5: unknown tag !!js\/function/) } });
    const reference = path.join(dir, 'reference.yaml');
    writeFileSync(
      reference,
      'id: x\ntitle: t\ndescription: d\nrisk: low\nseverity: 1\nsteady_state:\n  title: t\n  probes:\n    - kind: http\n      url: ${db.url}\nrecovery: {within_seconds: 1}\nmethod:\n  - pause_seconds: 1\n',
    );
    expect(loadExperimentFile(reference)).toEqual({
      error: {
        file: reference,
        field: 'steady_state.probes.0',
        message: `${reference}: steady_state.probes.0: refers to the service "db", which is not declared (this experiment declares no services) (line 9)`,
      },
    });
  });
});
