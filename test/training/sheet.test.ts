import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { knownRootCauses, loadScenarioFile, loadScenarios } from '../../src/incidents/load.js';
import type { Scenario } from '../../src/incidents/types.js';
import { buildSheet, categoryLabel, firstSignals, GENERIC_HINTS, type SheetOptions } from '../../src/training/sheet.js';
import { STAGES } from '../../src/training/types.js';

const { scenarios, errors } = loadScenarios(path.resolve('scenarios'));
const options = (seed: number): SheetOptions => ({
  seed,
  parSeconds: { beginner: 120, intermediate: 180, advanced: 240 },
  knownRootCauses: knownRootCauses(scenarios),
  services: [...new Set(scenarios.map((scenario) => scenario.service))],
});
const scenario = (id: string): Scenario => scenarios.find((entry) => entry.id === id)!;

describe('every shipped scenario is a playable exercise', () => {
  it('loads all eleven with their training notes', () => {
    expect(errors).toEqual([]);
    expect(scenarios.length).toBeGreaterThanOrEqual(11);
    for (const entry of scenarios) expect(entry.training?.debrief, entry.id).toBeTruthy();
  });

  it.each(scenarios.map((entry) => [entry.id, entry] as const))('%s: four questions, each with its right answer among 3 to 8 candidates', (_id, entry) => {
    const sheet = buildSheet(entry, options(1));
    expect(sheet.questions.map((question) => question.stage)).toEqual([...STAGES]);
    for (const question of sheet.questions) {
      const ids = question.candidates.map((candidate) => candidate.id);
      expect(new Set(ids).size, question.stage).toBe(ids.length);
      expect(ids.length, question.stage).toBeGreaterThanOrEqual(3);
      expect(ids.length, question.stage).toBeLessThanOrEqual(8);
      expect(question.answers.length, question.stage).toBeGreaterThan(0);
      for (const answer of question.answers) expect(ids, question.stage).toContain(answer);
      expect(ids.some((id) => !question.answers.includes(id)), `${question.stage} has a wrong answer to choose`).toBe(true);
    }
    for (const stage of STAGES) expect(sheet.hints[stage].length).toBeGreaterThan(0);
  });
});

describe('candidates', () => {
  it('come in an order fixed by the seed and shuffled between seeds', () => {
    const memory = scenario('memory_leak_gradual');
    const order = (seed: number) => buildSheet(memory, options(seed)).questions.map((question) => question.candidates.map((candidate) => candidate.id).join(','));
    expect(order(42)).toEqual(order(42));
    const orders = new Set([1, 2, 3, 4, 5, 6].map((seed) => order(seed).join('|')));
    expect(orders.size).toBeGreaterThan(3);
    const rootCausePositions = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => buildSheet(memory, options(seed)).questions[2]!.candidates.findIndex((candidate) => candidate.id === 'memory_leak')));
    expect(rootCausePositions.size).toBeGreaterThan(1);
  });

  it('detection: the signal over three sigmas first, the biggest jump among those that cross together', () => {
    expect(firstSignals(scenario('disk_full_log_volume'))).toEqual(['log_bytes_written_per_second']);
    expect(firstSignals(scenario('memory_leak_gradual'))).toEqual(['memory_usage_bytes']);
    expect(firstSignals(scenario('tls_certificate_expired'))).toEqual(['tls_certificate_days_remaining']);
    expect(firstSignals({ ...scenario('memory_leak_gradual'), metrics: [{ name: 'calm', value: 1, baseline: 1, deviationSigma: 0.5, pattern: 'constant', unit: 'count' }] })).toEqual([]);
  });

  it('localisation: the service, the components the context names, and the file\'s own answers', () => {
    const dns = buildSheet(scenario('dns_resolution_failure'), options(3)).questions[1]!;
    expect(dns.answers).toEqual(['kube-dns']);
    expect(dns.candidates.map((candidate) => candidate.id)).toEqual(expect.arrayContaining(['kube-dns', 'checkout-service', 'tax-api.example.net']));
    const memory = buildSheet(scenario('memory_leak_gradual'), options(3)).questions[1]!;
    expect(memory.answers).toEqual(['payment-service']);
  });

  it('root cause: the right category among the file\'s distractors, labelled for people', () => {
    const question = buildSheet(scenario('pod_crash_loop'), options(5)).questions[2]!;
    expect(question.answers).toEqual(['deployment_issue']);
    expect(question.candidates.map((candidate) => candidate.id)).toEqual(expect.arrayContaining(['deployment_issue', 'crash_loop', 'memory_leak', 'dns_failure']));
    expect(categoryLabel('dns_failure')).toBe('DNS failure');
    expect(categoryLabel('external_dependency_failure')).toBe('External dependency failure');
  });

  it('mitigation: actions with their risk and blast radius, the file\'s answers and distractors', () => {
    const question = buildSheet(scenario('noisy_neighbor_cpu_steal'), options(9)).questions[3]!;
    const drain = question.candidates.find((candidate) => candidate.id === 'drain_node')!;
    expect(drain).toMatchObject({ riskLevel: 'high', blastRadius: 'every pod on ip-10-0-3-17 is rescheduled' });
    expect(drain.detail).toContain('high risk');
    expect(question.answers).toEqual(['drain_node', 'isolate_workload']);
    const crash = buildSheet(scenario('pod_crash_loop'), options(9)).questions[3]!;
    expect(crash.answers).toEqual(['rollback']);
    expect(crash.candidates.map((candidate) => candidate.id)).toContain('restart');
  });

  it('hints: a scenario without its own gets the generic one per stage', () => {
    const bare: Scenario = { ...scenario('memory_leak_gradual'), training: undefined };
    const sheet = buildSheet(bare, options(1));
    expect(sheet.hints.detection).toEqual([GENERIC_HINTS.detection]);
    expect(sheet.debrief).toBe(bare.description);
  });
});

describe('training keys of a scenario file are bounded and checked', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-training-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const good = readFileSync(path.resolve('scenarios/memory_leak_gradual.yaml'), 'utf8');
  const problem = (text: string) => {
    const file = path.join(dir, 'scenario.yaml');
    writeFileSync(file, text);
    const result = loadScenarioFile(file);
    if ('scenario' in result) throw new Error('expected the file to be refused');
    return result.error.message.replace(file, 'FILE');
  };
  const replaceExercise = (block: string) => good.replace(/^exercise:\n(?: {2}.*\n)*/m, `exercise:\n${block}`);

  it('names the file and the field, what was expected and what was found', () => {
    expect(problem(replaceExercise('  detection: [no_such_metric]\n'))).toMatch(/^FILE: exercise\.detection\.0: expected the name of one of the file's metrics \(memory_usage_bytes, .*\)/);
    expect(problem(replaceExercise('  mitigation: { answers: [reboot_the_world] }\n'))).toContain('exercise.mitigation.answers.0: expected an action type of the playbook');
    expect(problem(replaceExercise('  root_cause: { distractors: [memory_leak] }\n'))).toContain('exercise.root_cause.distractors.0: expected a category other than the right one (memory_leak)');
    expect(problem(replaceExercise('  par_seconds: 999999\n'))).toContain('exercise.par_seconds: expected a number at most 3600, found 999999');
    expect(problem(replaceExercise('  colour: blue\n'))).toContain('exercise.colour: unknown key "colour"');
    const replaceHints = (block: string) => good.replace(/^hints:\n(?: {2}.*\n)*/m, `hints:\n${block}`);
    expect(problem(replaceHints(`  detection: ["${'x'.repeat(301)}"]\n`))).toContain('hints.detection.0: expected at most 300 characters');
    expect(problem(replaceHints('  detection: [a, b, c, d]\n'))).toContain('hints.detection: expected at most 3 items');
  });
});
