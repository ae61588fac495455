/**
 * What the history commands (history, failures, compare, sync) share: their common flags, opening
 * the history from them, and the text tables.
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { pathsFromFlags, writeLine, type CommandContext } from './command.js';
import { openHistory, type HistoryConfig, type Neo4jOverrides, type ReplicatedHistory } from '../history/open-history.js';
import type { DetectionReport, DetectionRow } from '../history/detection-report.js';
import { formatDuration, formatPercent } from '../format.js';
import { formatDate, plural } from '../history/format.js';
import type { FailureRow, HistoryStats, MachineRow, RunSummaryRow, SessionKind, SessionSummary } from '../history/store.js';

export { plural };

export const COMMON_FLAGS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  /** An empty value means: no Neo4j this time, whatever the config or NEO4J_URI say. */
  'neo4j-uri': { type: 'string' },
  'neo4j-user': { type: 'string' },
  'neo4j-password': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const COMMON_HELP = `
Common flags:
  --data-dir DIR         where history.sqlite lives (default: $FIREDRILL_DATA_DIR or ~/.local/share/firedrill)
  --config FILE          the YAML config (its neo4j: section)
  --neo4j-uri URI        read from and replicate to this Neo4j (else NEO4J_URI, else config neo4j.uri)
  --neo4j-user NAME      else NEO4J_USERNAME / NEO4J_USER, else config neo4j.username, else "neo4j"
  --neo4j-password PW    else NEO4J_PASSWORD, else config neo4j.password (a flag shows in ps: prefer the environment)
`;

/** `--neo4j-uri ''` turns Neo4j off for one command: the one flag whose empty value means something. */
export const EMPTY_ALLOWED = ['neo4j-uri'] as const;

export interface CommonFlagValues {
  'data-dir'?: string;
  config?: string;
  'neo4j-uri'?: string;
  'neo4j-user'?: string;
  'neo4j-password'?: string;
}

export type OpenedHistory = { history: ReplicatedHistory } | { exitCode: number };

/** Commands that only read: they open the history read-only (and work in a data dir that cannot be written). */
const READ_ONLY_COMMANDS: ReadonlySet<string> = new Set(['history', 'failures', 'compare']);

/** Opens the history the flags point at, or prints why it cannot and gives the exit code (2 for a bad setting). */
export async function openHistoryFromFlags(context: CommandContext, values: CommonFlagValues, commandName: string): Promise<OpenedHistory> {
  const paths = pathsFromFlags(values, context.env);
  let config: HistoryConfig = { neo4j: {} };
  // The config module brings zod and yaml with it: loaded only when there is a file to read.
  if (values.config !== undefined || existsSync(paths.configFile)) {
    const { ConfigError, loadConfig } = await import('../config/config.js');
    try {
      config = loadConfig(paths.configFile, { required: values.config !== undefined });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      writeLine(context.stderr, `firedrill ${commandName}: ${error.message}`);
      return { exitCode: 2 };
    }
  }
  const neo4j: Neo4jOverrides = {};
  if (values['neo4j-uri'] !== undefined) neo4j.uri = values['neo4j-uri'];
  if (values['neo4j-user'] !== undefined) neo4j.username = values['neo4j-user'];
  if (values['neo4j-password'] !== undefined) neo4j.password = values['neo4j-password'];
  try {
    return { history: await openHistory({ paths, config, env: context.env, neo4j, readOnly: READ_ONLY_COMMANDS.has(commandName) }) };
  } catch (error) {
    writeLine(context.stderr, `firedrill ${commandName}: ${(error as Error).message}`);
    return { exitCode: error instanceof UsageError ? 2 : 1 };
  }
}

/**
 * Opens the history, runs `work` with it, and closes it. A failure of the store (a damaged file, a
 * Neo4j that refuses a query) is printed as one line and exits 1, never as a stack trace.
 */
export async function withHistory(
  context: CommandContext,
  commandName: string,
  values: CommonFlagValues,
  work: (history: ReplicatedHistory) => Promise<number>,
): Promise<number> {
  const opened = await openHistoryFromFlags(context, values, commandName);
  if ('exitCode' in opened) return opened.exitCode;
  const { history } = opened;
  try {
    return await work(history);
  } catch (error) {
    writeLine(context.stderr, `firedrill ${commandName}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await history.close();
  }
}

/** Prints the history's notice (Neo4j down, items pending) on stderr, so that --json stays clean. */
export function printNotice(context: CommandContext, history: ReplicatedHistory): void {
  if (history.notice) writeLine(context.stderr, `firedrill: ${history.notice}`);
}

const RULE = '='.repeat(60);

export function banner(title: string): string[] {
  return [RULE, title, RULE, ''];
}

export function historyText(machine: string, runs: RunSummaryRow[], stats: HistoryStats, limit: number): string[] {
  const lines = banner(`Test History for ${machine}`);
  if (stats.runs === 0) {
    lines.push(`No runs recorded for ${machine} yet: "firedrill run" records one.`);
    return lines;
  }
  lines.push(`Last ${Math.min(limit, runs.length)} test runs:`, '');
  lines.push(`${'Date'.padEnd(21)}${'Total'.padEnd(9)}${'Passed'.padEnd(9)}${'Failed'.padEnd(9)}Events`);
  lines.push('-'.repeat(60));
  for (const run of runs) {
    lines.push(
      `${formatDate(run.startedAt).padEnd(21)}${String(run.total).padEnd(9)}${String(run.passed).padEnd(9)}${String(run.failed).padEnd(9)}${run.events}`,
    );
  }
  lines.push('', 'Statistics:');
  lines.push(`  Total runs: ${stats.runs}`);
  lines.push(`  Average pass rate: ${formatPercent(stats.averagePassRatePercent)}`);
  lines.push(`  Total events triggered: ${stats.events}`);
  return lines;
}

export function failuresText(machine: string, failures: FailureRow[]): string[] {
  const lines = banner(`Common Failures for ${machine}`);
  if (failures.length === 0) {
    lines.push(`No failed drills recorded for ${machine}.`);
    return lines;
  }
  lines.push('Most common failures:', '');
  const width = Math.max(...failures.map((row) => row.drill.length));
  for (const row of failures) {
    lines.push(`  ${`${row.drill}:`.padEnd(width + 1)} ${plural(row.failures, 'failure')}, last ${formatDate(row.lastFailedAt)}`);
    lines.push(`  ${' '.repeat(width + 1)} ${row.lastReason}`);
  }
  return lines;
}

export function compareText(rows: MachineRow[]): string[] {
  const lines = banner('Machines compared');
  if (rows.length === 0) {
    lines.push('No runs recorded on any machine yet: "firedrill run" records one.');
    return lines;
  }
  const width = Math.max(7, ...rows.map((row) => row.machine.length)) + 2;
  lines.push(`${'Machine'.padEnd(width)}${'Runs'.padEnd(8)}${'Pass rate'.padEnd(11)}${'Events'.padEnd(8)}Last run`);
  lines.push('-'.repeat(width + 46));
  for (const row of rows) {
    lines.push(
      `${row.machine.padEnd(width)}${String(row.runs).padEnd(8)}${formatPercent(row.passRatePercent).padEnd(11)}${String(row.events).padEnd(8)}${formatDate(row.lastRunAt)}`,
    );
  }
  return lines;
}

/** The sessions table: when, what kind, what ran, how it ended, its one-line summary. */
export function sessionsText(machine: string, kind: SessionKind | undefined, sessions: SessionSummary[], total: number): string[] {
  const what = kind === undefined ? 'Sessions' : `${kind[0]!.toUpperCase()}${kind.slice(1)} sessions`;
  const lines = banner(`${what} on ${machine}`);
  if (sessions.length === 0) {
    lines.push(`No ${kind === undefined ? 'demo, experiment, gameday or workload' : kind} recorded on ${machine} yet.`);
    return lines;
  }
  lines.push(`Last ${sessions.length} of ${total}, newest first:`, '');
  lines.push(
    ...table(
      ['Date', 'Kind', 'Subject', 'Result', 'Summary'],
      sessions.map((session) => [
        formatDate(session.startedAt),
        session.kind,
        session.subject,
        session.verdict === undefined ? session.status : `${session.verdict}${session.status === 'completed' ? '' : ` (${session.status})`}`,
        session.summary,
      ]),
    ),
  );
  return lines;
}

function resolveText(row: DetectionRow): string {
  if (row.stillFiring) return 'still firing';
  return formatDuration(row.timeToResolveMs);
}

/** Left-aligned columns two spaces apart, each as wide as its widest cell. */
function table(header: string[], body: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]! + 2)))
      .join('');
  return [line(header), '-'.repeat(widths.reduce((sum, width) => sum + width + 2, -2)), ...body.map(line)];
}

const VERDICT_TEXT: Record<DetectionRow['verdict'], string> = {
  detected: 'detected',
  'not detected': 'NOT detected',
  'not checked': 'not checked',
};

export function detectionText(machine: string, report: DetectionReport): string[] {
  const lines = banner(`Monitoring detection for ${machine}`);
  if (report.rows.length === 0) {
    lines.push(
      `No run on ${machine} had monitoring verification configured: run "firedrill run --prometheus URL" (or set detection.prometheus.url in the config) to check that your own monitoring detects each drill.`,
    );
    return lines;
  }
  const runs = new Set(report.rows.map((row) => row.runId)).size;
  lines.push(`Last ${plural(runs, 'run')} with monitoring verification, newest first:`, '');
  lines.push(
    ...table(
      ['Date', 'Drill', 'Source', 'Verdict', 'Alert', 'Time to detect', 'Time to resolve'],
      report.rows.map((row) => [
        formatDate(row.startedAt),
        row.drill,
        row.source,
        VERDICT_TEXT[row.verdict],
        row.alert ?? '-',
        formatDuration(row.timeToDetectMs),
        resolveText(row),
      ]),
    ),
  );
  lines.push('', 'Per drill:', '');
  lines.push(
    ...table(
      ['Drill', 'Checked', 'Detected', 'Median time to detect', 'Worst time to detect'],
      report.perDrill.map((drill) => [
        drill.drill,
        String(drill.checked),
        String(drill.detected),
        formatDuration(drill.medianTimeToDetectMs),
        formatDuration(drill.worstTimeToDetectMs),
      ]),
    ),
  );
  const unchecked = report.rows.filter((row) => row.verdict === 'not checked');
  if (unchecked.length > 0) {
    lines.push('', `${plural(unchecked.length, 'check')} could not ask the monitoring (newest: ${(unchecked[0]!.error ?? unchecked[0]!.summary).replace(/\.$/, '')})`);
  }
  return lines;
}
