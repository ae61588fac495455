import os from 'node:os';
import { COMMON_FLAGS, COMMON_HELP, detectionText, historyText, withHistory, printNotice } from './history-support.js';
import { detectionReport } from '../history/detection-report.js';
import { EXIT_OK, parseFlags, positiveInteger, writeLine, type Command } from './command.js';

const HELP = `Usage: firedrill history [--detection] [--limit N] [--machine HOST] [--json]

The last runs on a machine, newest first, then statistics over all its runs.
  --detection      instead: whether your own monitoring (Prometheus / Alertmanager) detected each
                   drill of the last runs that checked it, how fast, and a summary per drill
  --limit N        how many runs to list (default 10)
  --machine HOST   whose runs (default this machine, ${os.hostname()})
  --json           {machine, source, runs, stats} on stdout; with --detection {machine, rows, perDrill}
${COMMON_HELP}`;

export const command: Command = async (context) => {
  const { values } = parseFlags('history', context.argv, {
    ...COMMON_FLAGS,
    limit: { type: 'string' },
    machine: { type: 'string' },
    json: { type: 'boolean' },
    detection: { type: 'boolean' },
  });
  if (values.help) {
    context.stdout.write(HELP);
    return EXIT_OK;
  }
  const limit = positiveInteger('limit', values.limit) ?? 10;
  const machine = values.machine ?? os.hostname();
  return withHistory(context, 'history', values, async (history) => {
    printNotice(context, history);
    if (values.detection) {
      const report = detectionReport(await history.detectionHistory({ machine, limit }));
      if (values.json) writeLine(context.stdout, JSON.stringify({ machine, ...report }, null, 2));
      else for (const line of detectionText(machine, report)) writeLine(context.stdout, line);
      return EXIT_OK;
    }
    const [runs, stats] = await Promise.all([history.listRuns({ machine, limit }), history.stats(machine)]);
    if (values.json) {
      writeLine(context.stdout, JSON.stringify({ machine, source: history.readsFrom, runs, stats }, null, 2));
    } else {
      for (const line of historyText(machine, runs, stats, limit)) writeLine(context.stdout, line);
    }
    return EXIT_OK;
  });
};
