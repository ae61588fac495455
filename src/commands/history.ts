import os from 'node:os';
import { COMMON_FLAGS, COMMON_HELP, EMPTY_ALLOWED, detectionText, historyText, sessionsText, withHistory, printNotice } from './history-support.js';
import { UsageError } from '../errors.js';
import { detectionReport } from '../history/detection-report.js';
import { SESSION_KINDS, type SessionKind } from '../history/sessions.js';
import { EXIT_OK, parseFlags, positiveInteger, writeLine, type Command } from './command.js';
import { terminalSafeJson } from '../text/sanitize.js';

const HELP = `Usage: firedrill history [--detection | --sessions [--kind KIND]] [--limit N] [--machine HOST] [--json]

The last runs on a machine, newest first, then statistics over all its runs.
  --detection      instead: whether your own monitoring (Prometheus / Alertmanager) detected each
                   drill of the last runs that checked it, how fast, and a summary per drill
  --sessions       instead: the last demos, experiments, gamedays and workloads, newest first
  --kind KIND      only sessions of this kind: ${SESSION_KINDS.join(', ')} (implies --sessions)
  --limit N        how many runs to list (default 10)
  --machine HOST   whose runs (default this machine, ${os.hostname()})
  --json           {machine, source, runs, stats} on stdout; with --detection {machine, rows, perDrill};
                   with --sessions {machine, source, kind, total, sessions}
${COMMON_HELP}`;

/** More runs than anyone reads in a terminal; the store's LIMIT takes a 64-bit integer, not 1e308. */
const MAX_LIMIT = 100_000;

export const command: Command = async (context) => {
  const { values } = parseFlags('history', context.argv, {
    ...COMMON_FLAGS,
    limit: { type: 'string' },
    machine: { type: 'string' },
    json: { type: 'boolean' },
    detection: { type: 'boolean' },
    sessions: { type: 'boolean' },
    kind: { type: 'string' },
  }, false, EMPTY_ALLOWED);
  if (values.help) {
    context.stdout.write(HELP);
    return EXIT_OK;
  }
  const limit = positiveInteger('limit', values.limit, MAX_LIMIT) ?? 10;
  const machine = values.machine ?? os.hostname();
  const kind = sessionKind(values.kind);
  const sessions = values.sessions === true || kind !== undefined;
  if (sessions && values.detection) throw new UsageError('--detection and --sessions are two different listings: choose one');
  return withHistory(context, 'history', values, async (history) => {
    printNotice(context, history);
    if (sessions) {
      const query = { machine, ...(kind === undefined ? {} : { kind }) };
      const [rows, total] = await Promise.all([history.listSessions({ ...query, limit }), history.countSessions(query)]);
      if (values.json) writeLine(context.stdout, terminalSafeJson({ machine, source: history.readsFrom, kind: kind ?? null, total, sessions: rows }));
      else for (const line of sessionsText(machine, kind, rows, total)) writeLine(context.stdout, line);
      return EXIT_OK;
    }
    if (values.detection) {
      const report = detectionReport(await history.detectionHistory({ machine, limit }));
      if (values.json) writeLine(context.stdout, terminalSafeJson({ machine, ...report }));
      else for (const line of detectionText(machine, report)) writeLine(context.stdout, line);
      return EXIT_OK;
    }
    const [runs, stats] = await Promise.all([history.listRuns({ machine, limit }), history.stats(machine)]);
    if (values.json) {
      writeLine(context.stdout, terminalSafeJson({ machine, source: history.readsFrom, runs, stats }));
    } else {
      for (const line of historyText(machine, runs, stats, limit)) writeLine(context.stdout, line);
    }
    return EXIT_OK;
  });
};

function sessionKind(raw: string | undefined): SessionKind | undefined {
  if (raw === undefined) return undefined;
  if ((SESSION_KINDS as readonly string[]).includes(raw)) return raw as SessionKind;
  throw new UsageError(`--kind must be one of ${SESSION_KINDS.join(', ')}, got "${raw}"`);
}
