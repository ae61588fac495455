import { toWireSummary } from '../api/wire.js';
import { defaultScenariosDir, filterScenarios, loadScenarios, scenarioWarning } from '../incidents/load.js';
import { DIFFICULTIES, type Difficulty, type Scenario } from '../incidents/types.js';
import { loadConfig } from '../config/config.js';
import { EXIT_FAILED, EXIT_OK, parseFlags, PATH_FLAGS, pathsFromFlags, UsageError, writeLine, type Command } from './command.js';
import { sanitizeLine, terminalSafeJson } from '../text/sanitize.js';

const HELP = `Usage: firedrill scenarios [--difficulty D] [--tag T] [--json] [--config FILE] [--data-dir DIR]

Lists the incident scenarios, beginner first. Run one with "firedrill incident ID".

Flags:
  --difficulty D   only beginner, intermediate or advanced
  --tag T          only scenarios with this tag (resource, performance, availability, ...)
  --json           a JSON array shaped like the incident API's GET /scenarios answer
  --config FILE, --data-dir DIR   accepted as by every command (a named config must be valid)

Scenario files come from the scenarios/ folder shipped with firedrill, or from
FIREDRILL_SCENARIOS_DIR when it is set.
`;

export const command: Command = async (ctx) => {
  const { values } = parseFlags('scenarios', ctx.argv, {
    difficulty: { type: 'string' },
    tag: { type: 'string' },
    json: { type: 'boolean' },
    ...PATH_FLAGS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    ctx.stdout.write(HELP);
    return EXIT_OK;
  }
  // The common flags, accepted as by every command: checked, and a named config must be valid.
  const paths = pathsFromFlags(values, ctx.env);
  if (values.config !== undefined) loadConfig(paths.configFile, { required: true });
  const difficulty = values.difficulty;
  if (difficulty !== undefined && !(DIFFICULTIES as readonly string[]).includes(difficulty)) {
    throw new UsageError(`firedrill scenarios: --difficulty must be one of ${DIFFICULTIES.join(', ')}, got "${difficulty}"`);
  }
  const { scenarios, errors } = loadScenarios(defaultScenariosDir(ctx.env));
  for (const error of errors) writeLine(ctx.stderr, `warning: ${scenarioWarning(error)}`);
  if (scenarios.length === 0 && errors.length > 0) return EXIT_FAILED;

  const shown = filterScenarios(scenarios, {
    ...(difficulty === undefined ? {} : { difficulty: difficulty as Difficulty }),
    ...(values.tag === undefined ? {} : { tag: values.tag }),
  });
  if (values.json) {
    writeLine(ctx.stdout, terminalSafeJson(shown.map(toWireSummary)));
    return EXIT_OK;
  }
  if (shown.length === 0) {
    writeLine(ctx.stdout, 'No scenario matches.');
    return EXIT_OK;
  }
  writeLine(ctx.stdout, formatScenarioTable(shown));
  writeLine(ctx.stdout, `\n${shown.length} scenario${shown.length === 1 ? '' : 's'}. Run one: firedrill incident ${shown[0]!.id}`);
  return EXIT_OK;
};

/** A plain-text table grouped by difficulty (the input is already in difficulty order). */
export function formatScenarioTable(scenarios: Scenario[]): string {
  // Cells from scenario files, on one line each and without escape sequences, before widths are measured.
  const rows = scenarios.map((scenario) =>
    [scenario.id, scenario.severity, scenario.service, `${scenario.durationSeconds} s`, scenario.tags.join(', '), scenario.name].map(sanitizeLine),
  );
  const headers = ['ID', 'SEVERITY', 'SERVICE', 'LENGTH', 'TAGS', 'NAME'];
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `  ${cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')}`;
  const lines: string[] = [];
  for (const difficulty of DIFFICULTIES) {
    const group = scenarios.map((scenario, index) => ({ scenario, row: rows[index]! })).filter(({ scenario }) => scenario.difficulty === difficulty);
    if (group.length === 0) continue;
    if (lines.length > 0) lines.push('');
    lines.push(`${difficulty.toUpperCase()} (${group.length})`);
    lines.push(line(headers));
    for (const { row } of group) lines.push(line(row));
  }
  return lines.join('\n');
}
