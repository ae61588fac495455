import { loadConfig, type FiredrillConfig } from '../config/config.js';
import { shippedFolder } from '../paths.js';
import { terminalSafeJson } from '../text/sanitize.js';
import { scenarioCatalogue } from '../training/catalogue.js';
import { SqliteTrainingStore } from '../training/store.js';
import type { AgentScorecard } from '../training/agent.js';
import { TrainingDesk, trainingSettings } from '../training/desk.js';
import { defaultTrainee, traineeName } from '../training/trainee.js';
import type { RosterRow, Scorecard, StageFigure } from '../training/report.js';
import { formatDuration, formatPercent } from '../format.js';
import { STAGE_TITLES, STAGES } from '../training/types.js';
import { EXIT_FAILED, EXIT_OK, parseFlags, PATH_FLAGS, pathsFromFlags, UsageError, writeLine, type Command } from './command.js';

const HELP = `Usage: firedrill train [--trainee NAME]          the training ladder in the console (needs a terminal)
       firedrill train --report [--trainee NAME] [--json]
       firedrill train --roster [--json]
       firedrill train --agent [--llm-url URL --llm-model M] [--json]

The trainee ladder: levels beginner, intermediate and advanced; an exercise is an incident with
the analysis hidden, answered in four stages (detection, localisation, root cause, mitigation)
and scored 0-100; the next level opens when every exercise of a level scores the pass score.

Flags:
  --trainee NAME   whose ladder (default: the OS user name)
  --report         the trainee's scorecard: level, best score and attempts per exercise,
                   accuracy and mean time per stage, the weakest stage
  --roster         every trainee on this data dir's store: level, exercises passed, attempts,
                   mean score, last attempt, weakest stage
  --agent          the configured analyzer (built-in, or the LLM of --llm-url / the config)
                   answers every scenario exercise; its scorecard per exercise and per stage
  --json           one JSON document instead of the tables
  --config FILE, --data-dir DIR

The pass score, the par times per level and the exercise speed are in the config file's
"training" section (pass_score 80; par_seconds beginner 120, intermediate 180, advanced 240).
`;

export const command: Command = async (ctx) => {
  const { values } = parseFlags('train', ctx.argv, {
    trainee: { type: 'string' },
    report: { type: 'boolean' },
    roster: { type: 'boolean' },
    agent: { type: 'boolean' },
    json: { type: 'boolean' },
    'llm-url': { type: 'string' },
    'llm-model': { type: 'string' },
    ...PATH_FLAGS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    ctx.stdout.write(HELP);
    return EXIT_OK;
  }
  const modes = (['report', 'roster', 'agent'] as const).filter((mode) => values[mode]);
  if (modes.length === 0) {
    throw new UsageError('firedrill train: the ladder opens in the console, which needs a terminal; headless, use --report, --roster or --agent');
  }
  if (modes.length > 1) throw new UsageError(`firedrill train: one of --report, --roster, --agent at a time, got ${modes.map((mode) => `--${mode}`).join(' and ')}`);
  if (values.trainee !== undefined && !values.report) throw new UsageError('firedrill train: --trainee goes with --report (or the console)');
  if ((values['llm-url'] !== undefined || values['llm-model'] !== undefined) && !values.agent) {
    throw new UsageError('firedrill train: --llm-url and --llm-model go with --agent');
  }
  const trainee = values.trainee === undefined ? defaultTrainee(ctx.env) : traineeName(values.trainee, '--trainee');

  const paths = pathsFromFlags(values, ctx.env);
  const config: FiredrillConfig = loadConfig(paths.configFile, { required: values.config !== undefined });
  if (values.agent) {
    const [{ LlmAnalyzer }, { resolveLlmSettings }, { BuiltinAnalyzer }, { runAgent }, { defaultScenariosDir, filterScenarios, loadScenarios, scenarioWarning }] = await Promise.all([
      import('../analysis/llm.js'),
      import('../analysis/select.js'),
      import('../analysis/builtin.js'),
      import('../training/agent.js'),
      import('../incidents/load.js'),
    ]);
    const loaded = loadScenarios(defaultScenariosDir(ctx.env));
    for (const error of loaded.errors) writeLine(ctx.stderr, `warning: ${scenarioWarning(error)}`);
    const scenarios = filterScenarios(loaded.scenarios);
    if (scenarios.length === 0) return noExercise(ctx);
    const llm = resolveLlmSettings({ llmUrl: values['llm-url'], llmModel: values['llm-model'] }, ctx.env, config.llm);
    const analyzer = llm ? new LlmAnalyzer(llm) : new BuiltinAnalyzer({ pieceDelayMs: 0 });
    const desk = new TrainingDesk({ scenarios, settings: trainingSettings(config.training), dataDir: paths.dataDir, analyzer: () => analyzer });
    if (!values.json) writeLine(ctx.stderr, `Answering ${scenarios.length} exercises with ${analyzer.source}...`);
    const card = await runAgent({
      scenarios,
      analyzer,
      sheetOptions: await desk.sheetOptions(),
      rules: desk.rules,
      signal: ctx.signal,
      onExercise: (result) => {
        if (!values.json) for (const notice of result.notices) writeLine(ctx.stderr, `${result.exerciseId}: ${notice}`);
      },
    });
    if (ctx.signal.aborted) return 130;
    writeLine(ctx.stdout, values.json ? terminalSafeJson(card) : formatAgentScorecard(card));
    return EXIT_OK;
  }

  // The roster and the report need the exercises' list, not the scenarios: catalogue.ts caches it.
  const store = SqliteTrainingStore.open(paths.dataDir);
  const catalogue = await scenarioCatalogue(shippedFolder('scenarios', 'FIREDRILL_SCENARIOS_DIR', ctx.env), store);
  for (const warning of catalogue.warnings) writeLine(ctx.stderr, `warning: ${warning}`);
  if (catalogue.exercises.length === 0) {
    store.close();
    return noExercise(ctx);
  }
  const desk = new TrainingDesk({
    scenarios: [],
    catalogue: catalogue.exercises,
    store,
    settings: trainingSettings(config.training),
    dataDir: paths.dataDir,
    // Listed (the ladder and the report count them), never started from here.
    live: { config, paths },
  });
  try {
    if (values.roster) {
      const roster = desk.roster();
      writeLine(ctx.stdout, values.json ? terminalSafeJson(roster) : formatRoster(roster, config.training.pass_score));
      return EXIT_OK;
    }
    const card = desk.scorecard(trainee);
    writeLine(ctx.stdout, values.json ? terminalSafeJson(card) : formatScorecard(card));
    return EXIT_OK;
  } finally {
    desk.close();
  }
};

function noExercise(ctx: { stderr: NodeJS.WritableStream }): number {
  writeLine(ctx.stderr, 'firedrill train: no scenario could be loaded, so there is no exercise');
  return EXIT_FAILED;
}

/** Columns padded to their widest cell; the last column is left ragged. */
function table(headers: string[], rows: string[][], alignRight: ReadonlySet<number> = new Set()): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    `  ${cells
      .map((cell, column) => (column === cells.length - 1 ? cell : alignRight.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')}`.trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

function stageLine(figures: readonly StageFigure[]): string[] {
  return figures.map(
    (figure) =>
      `  ${STAGE_TITLES[figure.stage].padEnd(13)} ${figure.accuracy === null ? 'not asked yet' : `${figure.right}/${figure.asked} right (${formatPercent(figure.accuracy * 100, 0)}), mean ${formatDuration(figure.meanMs)}`}`,
  );
}

export function formatScorecard(card: Scorecard): string {
  const rows = card.exercises.map((exercise) => [
    exercise.level,
    exercise.title,
    exercise.bestScore === null ? '-' : String(exercise.bestScore),
    String(exercise.attempts),
    formatDuration(exercise.bestTimeMs),
    exercise.locked ? 'locked' : exercise.passed ? 'passed' : exercise.attempts > 0 ? 'not yet' : '',
  ]);
  return [
    `Trainee ${card.trainee} · level ${card.level} · pass score ${card.passScore} · ${card.attempts} attempt${card.attempts === 1 ? '' : 's'}`,
    '',
    table(['LEVEL', 'EXERCISE', 'BEST', 'ATTEMPTS', 'BEST TIME', ''], rows, new Set([2, 3, 4])),
    '',
    'Per stage:',
    ...stageLine(card.stages),
    '',
    card.weakestStage ? `Weakest stage: ${STAGE_TITLES[card.weakestStage]}` : 'No attempt yet: "firedrill train" opens the ladder.',
  ].join('\n');
}

export function formatRoster(rows: readonly RosterRow[], passScore: number): string {
  if (rows.length === 0) return 'No trainee on this store yet.';
  return [
    table(
      ['TRAINEE', 'LEVEL', 'PASSED', 'ATTEMPTS', 'MEAN', 'LAST ATTEMPT', 'WEAKEST'],
      rows.map((row) => [
        row.trainee,
        row.level,
        `${row.exercisesPassed}/${row.exercisesTotal}`,
        String(row.attempts),
        row.meanScore.toFixed(1),
        row.lastAt.slice(0, 16).replace('T', ' '),
        row.weakestStage ? STAGE_TITLES[row.weakestStage] : '-',
      ]),
      new Set([2, 3, 4]),
    ),
    '',
    `${rows.length} trainee${rows.length === 1 ? '' : 's'}; an exercise is passed at ${passScore}.`,
  ].join('\n');
}

export function formatAgentScorecard(card: AgentScorecard): string {
  const rows = card.exercises.map((result) => [
    result.exerciseId,
    String(result.score),
    ...STAGES.map((stage) => {
      const answer = result.answers.find((entry) => entry.stage === stage);
      return answer === undefined ? '-' : answer.candidateId === null ? 'no answer' : answer.correct ? 'right' : 'wrong';
    }),
    formatDuration(result.durationMs),
  ]);
  return [
    `Agent ${card.source} · ${card.exercises.length} exercises · mean score ${card.meanScore.toFixed(1)} · ${card.passed} passed (at ${card.passScore})`,
    '',
    table(['EXERCISE', 'SCORE', ...STAGES.map((stage) => STAGE_TITLES[stage].toUpperCase()), 'TIME'], rows, new Set([1])),
    '',
    'Per stage:',
    ...stageLine(card.stages),
    '',
    card.weakestStage ? `Weakest stage: ${STAGE_TITLES[card.weakestStage]}` : '',
  ].join('\n');
}

