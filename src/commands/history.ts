import os from 'node:os';
import { COMMON_FLAGS, COMMON_HELP, EMPTY_ALLOWED, detectionText, historyText, sessionsText, withHistory, printNotice } from './history-support.js';
import { UsageError } from '../errors.js';
import { detectionReport } from '../history/detection-report.js';
import { SESSION_KINDS, type SessionKind } from '../history/sessions.js';
import { sessionDetailLines } from '../history/text-lines.js';
import { EXIT_FAILED, EXIT_OK, parseFlags, positiveInteger, writeLine, type Command } from './command.js';
import { terminalSafeJson } from '../text/sanitize.js';

const HELP = `Usage: firedrill history [--detection | --sessions [--kind KIND] | --session ID] [--limit N] [--machine HOST] [--json]

The last runs on a machine, newest first, then statistics over all its runs.
  --detection      instead: whether your own monitoring (Prometheus / Alertmanager) detected each
                   drill of the last runs that checked it, how fast, and a summary per drill
  --sessions       instead: the last demos, experiments, gamedays and workloads, newest first
  --kind KIND      only sessions of this kind: ${SESSION_KINDS.join(', ')} (implies --sessions)
  --session ID     one session whole: its figures and its detail (exit 1 when there is none)
  --limit N        how many runs to list (default 10)
  --machine HOST   whose runs (default this machine, ${os.hostname()})
  --json           {machine, source, runs, stats} on stdout; with --detection {machine, rows, perDrill};
                   with --sessions {machine, source, kind, total, sessions}; with --session the record
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
    session: { type: 'string' },
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
  const listings = [values.detection && '--detection', sessions && '--sessions', values.session !== undefined && '--session'].filter(Boolean);
  if (listings.length > 1) throw new UsageError(`${listings.join(' and ')} are different listings: choose one`);
  return withHistory(context, 'history', values, async (history) => {
    printNotice(context, history);
    if (values.session !== undefined) {
      const record = await history.getSession(values.session);
      if (!record) {
        writeLine(context.stderr, `firedrill history: no session ${JSON.stringify(values.session)} in the history`);
        return EXIT_FAILED;
      }
      if (values.json) writeLine(context.stdout, terminalSafeJson(record));
      else for (const line of sessionDetailLines(record)) writeLine(context.stdout, line.text);
      return EXIT_OK;
    }
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
