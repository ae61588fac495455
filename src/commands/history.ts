import os from 'node:os';
import { COMMON_FLAGS, COMMON_HELP, EMPTY_ALLOWED, detectionText, historyText, withHistory, printNotice } from './history-support.js';
import { detectionReport } from '../history/detection-report.js';
import { EXIT_OK, parseFlags, positiveInteger, writeLine, type Command } from './command.js';
import { terminalSafeJson } from '../text/sanitize.js';

const HELP = `Usage: firedrill history [--detection] [--limit N] [--machine HOST] [--json]

The last runs on a machine, newest first, then statistics over all its runs.
  --detection      instead: whether your own monitoring (Prometheus / Alertmanager) detected each
                   drill of the last runs that checked it, how fast, and a summary per drill
  --limit N        how many runs to list (default 10)
  --machine HOST   whose runs (default this machine, ${os.hostname()})
  --json           {machine, source, runs, stats} on stdout; with --detection {machine, rows, perDrill}
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
  }, false, EMPTY_ALLOWED);
  if (values.help) {
    context.stdout.write(HELP);
    return EXIT_OK;
  }
  const limit = positiveInteger('limit', values.limit, MAX_LIMIT) ?? 10;
  const machine = values.machine ?? os.hostname();
  return withHistory(context, 'history', values, async (history) => {
    printNotice(context, history);
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
