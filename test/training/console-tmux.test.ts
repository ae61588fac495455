import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { knownRootCauses, loadScenarios } from '../../src/incidents/load.js';
import type { Scenario } from '../../src/incidents/types.js';
import { buildSheet } from '../../src/training/sheet.js';
import { SqliteTrainingStore } from '../../src/training/store.js';
import { STAGES, type Stage } from '../../src/training/types.js';
import { readLedger } from '../../src/drills/ledger.js';
import { resolvePaths } from '../../src/paths.js';
import { CLI, runCli } from '../helpers/cli.js';
import { descendantsOf, isAlive } from '../helpers/procs.js';
import { TmuxConsole } from '../helpers/tmux.js';

// "firedrill train" in a real terminal (tmux), answered with keys as a trainee would, the scores
// read back with "firedrill train --report --json".

const { scenarios } = loadScenarios(path.resolve('scenarios'));
let workDir: string;
let tmux: TmuxConsole | undefined;

beforeEach(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-train-e2e-'));
});
afterEach(() => {
  tmux?.close();
  tmux = undefined;
  rmSync(workDir, { recursive: true, force: true });
});

const dataDir = () => path.join(workDir, 'data');

function openTraining(): TmuxConsole {
  // 600x: a scenario's metrics play in under a second; the stages wait for the keys.
  const term = new TmuxConsole(`${process.execPath} ${CLI} train --trainee tess --data-dir ${dataDir()} --speed 600`, { TMPDIR: workDir, XDG_CONFIG_HOME: workDir });
  tmux = term;
  return term;
}

/** The labels of each stage's right answers (the order of the candidates changes with each attempt's seed, the labels do not). */
function rightLabels(scenario: Scenario): Record<Stage, string[]> {
  const sheet = buildSheet(scenario, { seed: 1, parSeconds: { beginner: 120, intermediate: 180, advanced: 240 }, knownRootCauses: knownRootCauses(scenarios), services: [] });
  return Object.fromEntries(sheet.questions.map((question) => [question.stage, question.candidates.filter((candidate) => question.answers.includes(candidate.id)).map((candidate) => candidate.label)])) as Record<Stage, string[]>;
}

/** The answer list on screen: "› 1  label   hint" lines, labels possibly cut with "…". */
function listedAnswers(screen: string): { digit: string; label: string }[] {
  return [...screen.matchAll(/^[› ] (\d) {2}(\S+(?: \S+)*?)(?: {2,}| *$)/gm)].map((match) => ({ digit: match[1]!, label: match[2]! }));
}

const sameLabel = (shown: string, label: string) => (shown.endsWith('…') ? label.startsWith(shown.slice(0, -1)) : shown === label);

async function answerStages(term: TmuxConsole, scenario: Scenario, right: boolean): Promise<void> {
  const labels = rightLabels(scenario);
  for (const [index, stage] of STAGES.entries()) {
    const screen = await term.waitFor(`stage ${index + 1}/4`);
    const listed = listedAnswers(screen);
    const choice = listed.find((entry) => labels[stage].some((label) => sameLabel(entry.label, label)) === right);
    if (!choice) throw new Error(`no ${right ? 'right' : 'wrong'} answer for ${stage} among ${JSON.stringify(listed)}; screen:\n${screen}`);
    await term.keys(choice.digit);
  }
}

const scenario = (id: string) => scenarios.find((entry) => entry.id === id)!;

describe('firedrill train in a real terminal', () => {
  it('one exercise answered right, one answered wrong; the scores come back from train --report --json', async () => {
    const term = openTraining();
    await term.waitFor('── beginner');
    await term.keys('Enter');
    await answerStages(term, scenario('cpu_spike_traffic_surge'), true);
    await term.waitFor('score 100: passed');
    await term.keys('q');
    await term.waitFor('best 100 · 1 attempt');
    await term.keys('Down', 'Enter');
    await answerStages(term, scenario('disk_full_log_volume'), false);
    const debrief = await term.waitFor('not passed yet');
    expect(debrief).toContain('✗ Root cause');
    await term.keys('q');
    await term.waitFor('Disk Filled by Log Volume');
    await term.keys('C-c');
    await term.waitFor('[exited 0]');

    const report = await runCli(['train', '--report', '--json', '--trainee', 'tess', '--data-dir', dataDir()], { env: { XDG_CONFIG_HOME: workDir } });
    expect(report.code).toBe(0);
    const card = JSON.parse(report.stdout) as { exercises: { id: string; bestScore: number | null; attempts: number; passed: boolean }[]; stages: { stage: string; right: number; asked: number }[] };
    const byId = Object.fromEntries(card.exercises.map((exercise) => [exercise.id, exercise]));
    expect(byId.cpu_spike_traffic_surge).toMatchObject({ bestScore: 100, attempts: 1, passed: true });
    // Every stage wrong; the mitigation offered may or may not have been high-risk: 0 either way.
    expect(byId.disk_full_log_volume).toMatchObject({ bestScore: 0, attempts: 1, passed: false });
    expect(card.stages.map((stage) => [stage.stage, stage.right, stage.asked])).toEqual(STAGES.map((stage) => [stage, 1, 2]));
  });

  it('passing the last beginner exercise opens the intermediate level', async () => {
    // Every beginner exercise but the first already passed, as earlier sessions would have left them.
    const store = SqliteTrainingStore.open(dataDir());
    const others = scenarios.filter((entry) => entry.difficulty === 'beginner' && entry.id !== 'cpu_spike_traffic_surge').map((entry) => entry.id);
    for (const id of others) {
      const passed = scenario(id);
      store.saveAttempt(
        {
          id: `att_${id}`, trainee: 'tess', exerciseId: id, exerciseTitle: passed.name, kind: 'scenario', level: 'beginner', machine: 'host', seed: 1,
          startedAt: '2026-12-01T09:00:00.000Z', finishedAt: '2026-12-01T09:01:00.000Z', durationMs: 60_000, parSeconds: 120, hintsUsed: 0, score: 90, passed: true,
          answers: STAGES.map((stage) => ({ stage, candidateId: 'x', label: 'x', correct: true, answeredAt: '2026-12-01T09:01:00.000Z', elapsedMs: 10_000, hintsUsed: 0 })),
          parts: [],
        },
        { id, kind: 'scenario', level: 'beginner', title: passed.name, service: passed.service, severity: passed.severity },
      );
    }
    store.close();

    const term = openTraining();
    const before = await term.waitFor('── intermediate');
    expect(before).toMatch(/── intermediate\s+locked: pass every beginner exercise/);
    await term.keys('Enter');
    await answerStages(term, scenario('cpu_spike_traffic_surge'), true);
    await term.waitFor('score 100: passed');
    await term.keys('q');
    const after = await term.waitFor((screen) => /── intermediate\s+open/.test(screen));
    expect(after).toMatch(/level intermediate/);
    expect(after).toMatch(/── advanced\s+locked: pass every intermediate exercise/);
    // The first intermediate exercise can be started now: past the other beginner exercises and the level's header.
    await term.keys(...others.map(() => 'Down'), 'Down', 'Enter');
    await term.waitFor('Detection: Which signal shows the problem first?');
    await term.keys('C-c');
    await term.waitFor('[exited 0]');
  });
});

// Real faults: one busy process and two idle decoys for a few seconds each.
describe('a live exercise in a real terminal', () => {
  const CULPRITS = ['report-builder', 'image-resizer', 'pdf-renderer', 'search-indexer'];
  /** The advanced level open: every scenario exercise passed in earlier sessions. */
  function unlockAdvanced(): void {
    const store = SqliteTrainingStore.open(dataDir());
    for (const entry of scenarios) {
      store.saveAttempt(
        {
          id: `att_${entry.id}`, trainee: 'tess', exerciseId: entry.id, exerciseTitle: entry.name, kind: 'scenario', level: entry.difficulty, machine: 'host', seed: 1,
          startedAt: '2026-12-01T09:00:00.000Z', finishedAt: '2026-12-01T09:01:00.000Z', durationMs: 60_000, parSeconds: 120, hintsUsed: 0, score: 100, passed: true, answers: [], parts: [],
        },
        { id: entry.id, kind: 'scenario', level: entry.difficulty, title: entry.name, service: entry.service, severity: entry.severity },
      );
    }
    store.close();
  }

  const digitOf = (screen: string, pattern: RegExp) => listedAnswers(screen).find((entry) => pattern.test(entry.label))?.digit;

  it('the runaway process is found in the process table and stopped from the console; the mitigation is verified', async () => {
    unlockAdvanced();
    const term = openTraining();
    await term.waitFor('── advanced');
    // The live exercises come last, by id: disk, memory, runaway, service.
    await term.keys('End', 'Up', 'Enter');
    const detection = await term.waitFor('Which resource is in trouble?', 30_000);
    await term.keys(digitOf(detection, /^CPU$/)!);
    const localisation = await term.waitFor('Which process, file or service is the cause?');
    const culprit = new RegExp(`^process (${CULPRITS.join('|')}) \\(pid (\\d+)\\)`);
    const pid = Number(listedAnswers(localisation).find((entry) => culprit.test(entry.label))!.label.match(culprit)![2]);
    await term.keys(digitOf(localisation, culprit)!);
    const mitigation = await term.waitFor('Mitigate it: what do you do?');
    await term.keys(digitOf(mitigation, new RegExp(`^stop process \\S+ \\(pid ${pid}\\)`))!);
    const debrief = await term.waitFor('score 100: passed', 20_000);
    expect(debrief).toContain('verified: the process is gone');
    expect(debrief).toContain('✓ Mitigation');
    expect(isAlive(pid)).toBe(false);
    await term.keys('q');
    await term.waitFor('best 100 · 1 attempt');
    await term.keys('C-c');
    await term.waitFor('[exited 0]');
    expect(await readLedger(resolvePaths({ dataDir: dataDir() }, {}))).toEqual([]);
  }, 90_000);

  it('Ctrl-C in the middle of a live exercise ends the fault and the decoys and leaves the ledger empty', async () => {
    unlockAdvanced();
    const term = openTraining();
    await term.waitFor('── advanced');
    await term.keys('End', 'Up', 'Enter');
    await term.waitFor('Which resource is in trouble?', 30_000);
    // What firedrill started for the exercise: its children (the runaway process and the two decoys).
    const firedrill = descendantsOf(term.panePid()).find(isAlive)!;
    const pids = descendantsOf(firedrill).filter(isAlive);
    expect(pids.length).toBeGreaterThanOrEqual(3);
    await term.keys('C-c');
    await term.waitFor('[exited 0]', 10_000);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await readLedger(resolvePaths({ dataDir: dataDir() }, {}))).toEqual([]);
  }, 90_000);
});
