import { COMMON_FLAGS, COMMON_HELP, EMPTY_ALLOWED, compareText, withHistory, printNotice } from './history-support.js';
import { EXIT_OK, parseFlags, writeLine, type Command } from './command.js';
import { terminalSafeJson } from '../text/sanitize.js';

const HELP = `Usage: firedrill compare [--json]

One row per machine: runs, mean pass rate, events triggered, last run. With Neo4j configured this
is the whole fleet; without it, the machines in this history file.
  --json           {source, machines} on stdout
${COMMON_HELP}`;

export const command: Command = async (context) => {
  const { values } = parseFlags('compare', context.argv, { ...COMMON_FLAGS, json: { type: 'boolean' } }, false, EMPTY_ALLOWED);
  if (values.help) {
    context.stdout.write(HELP);
    return EXIT_OK;
  }
  return withHistory(context, 'compare', values, async (history) => {
    printNotice(context, history);
    const machines = await history.compare();
    if (values.json) {
      writeLine(context.stdout, terminalSafeJson({ source: history.readsFrom, machines }));
    } else {
      for (const line of compareText(machines)) writeLine(context.stdout, line);
    }
    return EXIT_OK;
  });
};
