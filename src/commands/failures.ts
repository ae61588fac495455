import os from 'node:os';
import { COMMON_FLAGS, COMMON_HELP, EMPTY_ALLOWED, failuresText, withHistory, printNotice } from './history-support.js';
import { EXIT_OK, parseFlags, writeLine, type Command } from './command.js';
import { terminalSafeJson } from '../text/sanitize.js';

const HELP = `Usage: firedrill failures [--machine HOST] [--json]

The drills that fail most on a machine, how often, and the last failure's reason.
  --machine HOST   whose runs (default this machine, ${os.hostname()})
  --json           {machine, source, failures} on stdout
${COMMON_HELP}`;

export const command: Command = async (context) => {
  const { values } = parseFlags('failures', context.argv, {
    ...COMMON_FLAGS,
    machine: { type: 'string' },
    json: { type: 'boolean' },
  }, false, EMPTY_ALLOWED);
  if (values.help) {
    context.stdout.write(HELP);
    return EXIT_OK;
  }
  const machine = values.machine ?? os.hostname();
  return withHistory(context, 'failures', values, async (history) => {
    printNotice(context, history);
    const failures = await history.failures({ machine });
    if (values.json) {
      writeLine(context.stdout, terminalSafeJson({ machine, source: history.readsFrom, failures }));
    } else {
      for (const line of failuresText(machine, failures)) writeLine(context.stdout, line);
    }
    return EXIT_OK;
  });
};
