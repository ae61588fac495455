import { COMMON_FLAGS, COMMON_HELP, EMPTY_ALLOWED, withHistory, plural } from './history-support.js';
import type { SyncOutcome } from '../history/open-history.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseFlags, writeLine, type Command } from './command.js';
import { terminalSafeJson } from '../text/sanitize.js';

const HELP = `Usage: firedrill sync [--all] [--json]

Pushes the runs, incident simulations, sessions and training attempts saved while Neo4j was unreachable. Exit 0 when nothing is
left pending, 1 when Neo4j could not take them (they stay queued), 2 when Neo4j is not configured.
  --all            also queue every run, incident and session already in the local history (for a Neo4j set up later)
  --json           {uri, pushed, pending, error?, ...} on stdout
${COMMON_HELP}`;

/** "3 runs", "1 incident", "3 runs and 1 incident", "3 runs, 1 incident and 2 sessions"; `none` when all are zero. */
function itemsPhrase(runs: number, incidents: number, sessions: number, attempts: number, none: string): string {
  const counts = [[runs, 'run'], [incidents, 'incident'], [sessions, 'session'], [attempts, 'training attempt']] as const;
  const parts = counts.filter(([count]) => count > 0).map(([count, word]) => plural(count, word));
  if (parts.length === 0) return none;
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
}

export function syncMessage(uri: string, outcome: SyncOutcome): string {
  const pushed = `${itemsPhrase(outcome.pushedRuns, outcome.pushedIncidents, outcome.pushedSessions, outcome.pushedAttempts, '0 runs')} pushed`;
  if (outcome.error === undefined) return `${pushed}, ${outcome.pending} pending`;
  const pending = outcome.pending === 0 ? 'nothing pending' : `${itemsPhrase(outcome.pendingRuns, outcome.pendingIncidents, outcome.pendingSessions, outcome.pendingAttempts, '')} still pending`;
  const progress = outcome.pushed > 0 ? `${pushed}; ` : '';
  if (outcome.unreachable) return `Neo4j at ${uri} is not reachable (${outcome.error}): ${progress}${pending}`;
  return `Neo4j at ${uri} refused part of the history (${outcome.error}): ${progress}${pending}`;
}

export const command: Command = async (context) => {
  const { values } = parseFlags('sync', context.argv, {
    ...COMMON_FLAGS,
    all: { type: 'boolean' },
    json: { type: 'boolean' },
  }, false, EMPTY_ALLOWED);
  if (values.help) {
    context.stdout.write(HELP);
    return EXIT_OK;
  }
  return withHistory(context, 'sync', values, async (history) => {
    const uri = history.neo4jUri;
    if (uri === undefined) {
      writeLine(
        context.stderr,
        "Neo4j is not configured: set NEO4J_URI (with NEO4J_USERNAME and NEO4J_PASSWORD), the config's neo4j: section, or --neo4j-uri.",
      );
      return EXIT_USAGE;
    }
    if (values.all) await history.queueEverything();
    const outcome = await history.sync(context.signal);
    if (values.json) writeLine(context.stdout, terminalSafeJson({ uri, ...outcome }));
    else writeLine(outcome.error === undefined ? context.stdout : context.stderr, syncMessage(uri, outcome));
    return outcome.pending === 0 && outcome.error === undefined ? EXIT_OK : EXIT_FAILED;
  });
};
