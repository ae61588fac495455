import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile, loadScenarios } from '../../src/incidents/load.js';
import { runCli } from '../helpers/cli.js';

const good = readFileSync(path.resolve('scenarios/memory_leak_gradual.yaml'), 'utf8');
let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'firedrill-scenario-files-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
/** The message for one changed copy of a good scenario, the file's path replaced by FILE. */
function problem(change: (text: string) => string): string {
  const file = path.join(root, `s${(count += 1)}.yaml`);
  writeFileSync(file, change(good));
  const result = loadScenarioFile(file);
  if ('scenario' in result) throw new Error('expected the file to be refused');
  return result.error.message.replace(file, 'FILE');
}

const setField = (key: string, value: string) => (text: string) => text.replace(new RegExp(`^${key}: .*$`, 'm'), `${key}: ${value}`);
/** Replaces a key and the indented block under it. */
const setBlock = (key: string, value: string) => (text: string) => text.replace(new RegExp(`^${key}:.*\\n(?: {2}.*\\n)*`, 'm'), `${key}: ${value}\n`);
const firstMetric = (replace: string) => (text: string) => text.replace(/^ {2}- \{ name: memory_usage_bytes.*$/m, `  - ${replace}`);

describe('a scenario value of the wrong type says what was expected and what was found', () => {
  it('strings, NaN, infinities and lists where numbers and mappings belong', () => {
    expect(problem(setField('duration_seconds', '"300"'))).toBe('FILE: duration_seconds: expected a number, found "300" (a string) (line 11)');
    expect(problem(setField('duration_seconds', '.nan'))).toContain('duration_seconds: expected a number, found .nan (not a number)');
    expect(problem(setField('duration_seconds', '.inf'))).toContain('duration_seconds: expected a number, found infinity');
    expect(problem(setField('duration_seconds', '1e400'))).toContain('duration_seconds: expected a number, found infinity (.inf, or a number too large to hold)');
    expect(problem(setBlock('metrics', '5'))).toContain('metrics: expected a list, found 5');
    expect(problem(setBlock('context', '[1, 2]'))).toContain('context: expected a mapping, found a list of 2 items');
    expect(problem(firstMetric('{ name: m, value: "high", baseline: 1, deviation_sigma: 5, pattern: step, unit: count }'))).toContain(
      'metrics.0.value: expected a number, found "high" (a string)',
    );
    expect(problem(setField('difficulty', 'expert'))).toContain('difficulty: expected one of beginner, intermediate, advanced, found "expert" (a string)');
    expect(problem((text) => text.replace(/^service: .*\n/m, ''))).toContain('service: missing (expected a string)');
  });
});

describe('every number, string and list of a scenario is bounded', () => {
  it('durations, sigmas, magnitudes and the number of metrics', () => {
    expect(problem(setField('duration_seconds', '31536000'))).toContain('duration_seconds: expected a number at most 3600, found 31536000');
    expect(problem(firstMetric('{ name: m, value: 1e308, baseline: -1e308, deviation_sigma: 5, pattern: step, unit: count }'))).toContain(
      'metrics.0.value: expected a number at most 1000000000000000, found 1e+308',
    );
    expect(problem(firstMetric('{ name: m, value: 1, baseline: 0, deviation_sigma: 1e9, pattern: step, unit: count }'))).toContain(
      'metrics.0.deviation_sigma: expected a number at most 100',
    );
    const many = Array.from({ length: 51 }, (_, index) => `  - { name: m${index}, value: 5, baseline: 1, deviation_sigma: 5, pattern: step, unit: count }`).join('\n');
    expect(problem((text) => text.replace(/^metrics:\n(?: {2}- .*\n)+/m, `metrics:\n${many}\n`))).toContain('metrics: expected at most 50 items, found a list of 51 items');
  });

  it('ids, names and every string padded into a table', () => {
    const padded = setField('id', 'a'.repeat(1024 * 1024))(good);
    expect(problem(() => padded)).toBe(`FILE: ${Buffer.byteLength(padded).toLocaleString('en-US')} bytes is too large for a scenario file (at most 256 KiB)`);
    expect(problem(setField('id', 'a'.repeat(100_000)))).toMatch(/^FILE: id: expected at most 64 characters, found "a{39}…" \(a string of 100000 characters\) \(line 1\)$/);
    expect(problem(setField('name', 'x'.repeat(81)))).toContain('name: expected at most 80 characters');
    expect(problem(setField('service', '"pay\\nment"'))).toContain('service: expected one line');
    expect(problem(setField('tags', `[${Array(21).fill('t').join(', ')}]`))).toContain('tags: expected at most 20 items');
    expect(problem(setBlock('context', `{ notes: "${'n'.repeat(2001)}" }`))).toContain('context.notes: expected at most 2000 characters');
  });

  it('a percentage stays within 0..100 and a ratio within 0..1', () => {
    expect(problem(firstMetric('{ name: cpu, value: -522, baseline: 40, deviation_sigma: -5, pattern: step, unit: "%" }'))).toContain(
      'metrics.0.value: expected 0..100 for unit "%", found -522',
    );
    expect(problem(firstMetric('{ name: hits, value: 0.2, baseline: 1.5, deviation_sigma: -5, pattern: step, unit: ratio }'))).toContain(
      'metrics.0.baseline: expected 0..1 for unit "ratio", found 1.5',
    );
  });
});

describe('the scenarios folder', () => {
  it('refuses a FIFO named *.yaml at once, naming it, while the other files load', () => {
    const dir = path.join(root, 'with-fifo');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'good.yaml'), good);
    execFileSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
    const { scenarios, errors } = loadScenarios(dir);
    expect(scenarios.map((scenario) => scenario.id)).toEqual(['memory_leak_gradual']);
    expect(errors.map((error) => error.message)).toEqual([`${path.join(dir, 'pipe.yaml')}: not a regular file (it is a named pipe (FIFO)); firedrill reads a scenario file only from a regular file`]);
  });

  it('two files with one id: an error naming both, and neither replaces the other', () => {
    const dir = path.join(root, 'twice');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'aaa-mine.yaml'), good.replace(/^name: .*$/m, 'name: My copy'));
    writeFileSync(path.join(dir, 'memory_leak_gradual.yaml'), good);
    writeFileSync(path.join(dir, 'other.yaml'), good.replace(/^id: .*$/m, 'id: other_scenario'));
    const { scenarios, errors } = loadScenarios(dir);
    expect(scenarios.map((scenario) => scenario.id)).toEqual(['other_scenario']);
    const both = `id "memory_leak_gradual" is used by ${path.join(dir, 'aaa-mine.yaml')} and ${path.join(dir, 'memory_leak_gradual.yaml')}: rename all but one (none of them is loaded)`;
    expect(errors.map((error) => [path.basename(error.file), error.field, error.message])).toEqual([
      ['aaa-mine.yaml', 'id', `${path.join(dir, 'aaa-mine.yaml')}: ${both}`],
      ['memory_leak_gradual.yaml', 'id', `${path.join(dir, 'memory_leak_gradual.yaml')}: ${both}`],
    ]);
  });

  it('a missing or empty folder says so', async () => {
    const missing = path.join(root, 'absent');
    expect(loadScenarios(missing).errors).toEqual([{ file: missing, scope: 'folder', message: `${missing}: cannot read the scenarios folder (no such folder)` }]);
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    expect(loadScenarios(empty).errors.map((error) => error.message)).toEqual([`${empty}: the scenarios folder holds no *.yaml files`]);

    const env = { XDG_CONFIG_HOME: root, XDG_DATA_HOME: path.join(root, 'data'), FIREDRILL_LLM_URL: '', OPENAI_BASE_URL: '', FIREDRILL_SCENARIOS_DIR: missing };
    const result = await runCli(['incident', 'memory_leak_gradual'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `warning: ${missing}: cannot read the scenarios folder (no such folder)\nfiredrill incident: no scenarios to choose "memory_leak_gradual" from (see the warning above)\n`,
    );
  });
});
