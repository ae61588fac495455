import { cleanupLeftovers } from '../drills/ledger.js';
import { EXIT_FAILED, EXIT_OK, parseFlags, PATH_FLAGS, pathsFromFlags, writeLine, type Command } from './command.js';

const USAGE = `Usage: firedrill cleanup [--data-dir DIR] [--config FILE]

Removes what an interrupted drill left behind: files firedrill created and child processes it
started, as recorded in the cleanup ledger. Nothing else is touched.
`;

export const command: Command = async (context) => {
  const { values } = parseFlags('cleanup', context.argv, {
    ...PATH_FLAGS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    context.stdout.write(USAGE);
    return EXIT_OK;
  }
  const paths = pathsFromFlags(values, context.env);
  let removed: Awaited<ReturnType<typeof cleanupLeftovers>>;
  try {
    removed = await cleanupLeftovers(paths);
  } catch (error) {
    writeLine(context.stderr, `firedrill cleanup: ${(error as Error).message}`);
    return EXIT_FAILED;
  }
  const { filesRemoved, directoriesRemoved, processesEnded, undone } = removed;
  for (const file of filesRemoved) writeLine(context.stdout, `removed file ${file}`);
  for (const directory of directoriesRemoved) writeLine(context.stdout, `removed directory ${directory}`);
  for (const pid of processesEnded) writeLine(context.stdout, `ended process ${pid}`);
  for (const description of undone) writeLine(context.stdout, `undid: ${description}`);
  if (filesRemoved.length + directoriesRemoved.length + processesEnded.length + undone.length === 0) writeLine(context.stdout, 'nothing to clean up');
  return EXIT_OK;
};
