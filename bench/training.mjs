// Training at scale and in the console:
//  1. `firedrill train --roster` over 1 000 trainees with 50 attempts each (50 000 attempts, 200 000
//     stage answers), end to end with process start (target 300 ms), and `train --report` for one;
//  2. the time from an answer to the next stage's question on the screen: the console's exercise
//     screen rendered in-process (Ink, the KeyRouter, the engine), a digit pressed, the frame polled
//     until the next question is drawn; median of 40 answers.
// Usage: npm run build && node bench/training.mjs [TRAINEES] [ATTEMPTS_EACH]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { reportRow } from './rows.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/firedrill.js');
if (!existsSync(cli)) {
  console.error('bench/training.mjs: dist/firedrill.js is missing: run "npm run build" first');
  process.exit(2);
}
const TRAINEES = Number(process.argv[2] ?? 1_000);
const ATTEMPTS = Number(process.argv[3] ?? 50);
const ROSTER_TARGET_MS = 300;

const { SqliteTrainingStore } = await tsImport('../src/training/store.ts', import.meta.url);
const { loadScenarios } = await tsImport('../src/incidents/load.ts', import.meta.url);
const { STAGES } = await tsImport('../src/training/types.ts', import.meta.url);
const { scenarios } = loadScenarios(path.join(root, 'scenarios'));

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-bench-training-'));
try {
  // --- 1. the roster -------------------------------------------------------------------------
  const store = SqliteTrainingStore.open(dataDir);
  const fillStart = performance.now();
  let n = 0;
  for (let trainee = 0; trainee < TRAINEES; trainee += 1) {
    for (let index = 0; index < ATTEMPTS; index += 1) {
      const scenario = scenarios[(trainee + index) % scenarios.length];
      const at = new Date(Date.UTC(2026, 10, 1) + n * 60_000).toISOString();
      const right = STAGES.map((_, stage) => (n * 7 + stage * 3) % 5 !== 0);
      const score = right.reduce((sum, ok, stage) => sum + (ok ? [20, 25, 30, 25][stage] : 0), 0);
      store.saveAttempt(
        {
          id: `att_${n}`, trainee: `trainee-${String(trainee).padStart(4, '0')}`, exerciseId: scenario.id, exerciseTitle: scenario.name, kind: 'scenario',
          level: scenario.difficulty, machine: 'bench', seed: n, startedAt: at, finishedAt: at, durationMs: 30_000 + (n % 90) * 1000, parSeconds: 120,
          hintsUsed: n % 3, score, passed: score >= 80,
          answers: STAGES.map((stage, position) => ({ stage, candidateId: 'x', label: 'x', correct: right[position], answeredAt: at, elapsedMs: 5000 + position * 1000, hintsUsed: 0 })),
          parts: [],
        },
        { id: scenario.id, kind: 'scenario', level: scenario.difficulty, title: scenario.name, service: scenario.service, severity: scenario.severity },
      );
      n += 1;
    }
  }
  store.close();
  console.log(`filled ${n} attempts of ${TRAINEES} trainees (one transaction each, as the console saves them) in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);

  const env = { ...process.env, NEO4J_URI: '', FIREDRILL_DATA_DIR: '', XDG_CONFIG_HOME: dataDir };
  const cases = [
    { name: 'train --roster', args: ['train', '--roster', '--data-dir', dataDir], target: ROSTER_TARGET_MS },
    { name: 'train --roster --json', args: ['train', '--roster', '--json', '--data-dir', dataDir] },
    { name: 'train --report (one trainee)', args: ['train', '--report', '--trainee', 'trainee-0007', '--data-dir', dataDir] },
    { name: '--version (start-up only)', args: ['--version'] },
  ];
  for (const { args } of cases) {
    const check = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`firedrill ${args.join(' ')} failed: ${check.stderr}`);
  }
  const hasHyperfine = spawnSync('hyperfine', ['--version']).status === 0;
  console.log(`\nend to end, process start included (${hasHyperfine ? 'hyperfine, 15 runs after 3 warm-ups' : 'median of 15 spawns after 3 warm-ups'}); load ${os.loadavg().map((load) => load.toFixed(1)).join(' ')} on ${os.cpus().length} cores:`);
  const measured = {};
  for (const { name, args, target } of cases) {
    let medianMs;
    if (hasHyperfine) {
      const exportFile = path.join(dataDir, 'hyperfine.json');
      const quoted = [process.execPath, cli, ...args].map((part) => `'${part}'`).join(' ');
      execFileSync('hyperfine', ['--warmup', '3', '--runs', '15', '--shell=none', '--style', 'none', '--export-json', exportFile, quoted], { env, stdio: 'ignore' });
      medianMs = JSON.parse(readFileSync(exportFile, 'utf8')).results[0].median * 1000;
    } else {
      const times = [];
      for (let round = 0; round < 18; round += 1) {
        const start = performance.now();
        spawnSync(process.execPath, [cli, ...args], { env, stdio: 'ignore' });
        if (round >= 3) times.push(performance.now() - start);
      }
      medianMs = median(times);
    }
    measured[name] = medianMs;
    console.log(`  ${name.padEnd(32)}${`${medianMs.toFixed(0)} ms`.padStart(9)}${target ? `   target ${target} ms (${(medianMs / target).toFixed(2)}x)` : ''}`);
  }
  reportRow({
    what: `train --roster, ${TRAINEES} trainees x ${ATTEMPTS} attempts, process start included`,
    figure: `${measured['train --roster'].toFixed(0)} ms (--report ${measured['train --report (one trainee)'].toFixed(0)} ms)`,
    against: `a bare start (--version) ${measured['--version (start-up only)'].toFixed(0)} ms; load ${os.loadavg()[0].toFixed(1)}`,
    target: `${ROSTER_TARGET_MS} ms`,
  });

  // --- 2. an answer to the next question on screen ------------------------------------------
  const { answerToNextStage } = await tsImport('./training-screen.ts', import.meta.url);
  const times = await answerToNextStage({ dataDir, scenarios, rounds: 10 });
  console.log(`\nanswer to the next stage's question on the screen (in-process Ink render, ${times.length} answers): median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`);
  reportRow({
    what: 'training: an answer to the next stage on the screen (in-process Ink render of the exercise screen)',
    figure: `median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms over ${times.length} answers`,
    against: 'the console renders at most 10 frames a second (100 ms between frames)',
  });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
