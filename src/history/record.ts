import os from 'node:os';
import type { FiredrillConfig } from '../config/config.js';
import type { RunReport } from '../drills/types.js';
import { collectIncidentReport } from '../incidents/simulation.js';
import type { IncidentEvent } from '../incidents/types.js';
import type { FiredrillPaths } from '../paths.js';
import { UsageError } from '../errors.js';
import { openHistory } from './open-history.js';
import { prepareSession, type SessionRecord } from './sessions.js';
import { topHypothesisOf, type IncidentRecord } from './store.js';

export interface HistoryTarget {
  paths: FiredrillPaths;
  config: FiredrillConfig;
  env: NodeJS.ProcessEnv;
}

export type HistoryItem = { run: RunReport } | { incident: IncidentRecord } | { session: SessionRecord };

/**
 * Keeps a finished run, incident or session: committed to this machine's SQLite first, then
 * replicated to Neo4j when one is configured (queued when it is away). Resolves to a sentence for
 * the user when something did not go as planned (a session's text cut or its detail left out for
 * size, Neo4j pending, the store failing); never throws, so that a verdict is never lost to it.
 */
export async function keepInHistory(target: HistoryTarget, item: HistoryItem): Promise<string | undefined> {
  const notices: string[] = [];
  let history;
  try {
    history = await openHistory(target);
  } catch (error) {
    if (!(error instanceof UsageError)) return `could not open the history store: ${(error as Error).message}`;
    // A mistyped Neo4j setting (commands check it before they start; a caller may not have) never
    // costs the local save: kept on this machine, and the user told why it went no further.
    notices.push(`kept on this machine only (${error.message}); fix it, then "firedrill sync --all" replicates it`);
    try {
      history = await openHistory({ ...target, config: { ...target.config, neo4j: {} }, env: { ...target.env, NEO4J_URI: '' } });
    } catch (localError) {
      return `could not open the history store: ${(localError as Error).message}`;
    }
  }
  try {
    if ('run' in item) await history.saveRun(item.run);
    else if ('incident' in item) await history.saveIncident(item.incident);
    else {
      const prepared = prepareSession(item.session);
      notices.push(...prepared.notices);
      await history.saveSession(prepared.record);
    }
    const pending = history.neo4jUri ? await history.pendingCount() : 0;
    if (pending > 0) notices.push(`saved on this machine; ${pending} item(s) still pending for Neo4j (run "firedrill sync")`);
  } catch (error) {
    notices.push(`could not save to the history store: ${(error as Error).message}`);
  } finally {
    await history.close().catch(() => undefined);
  }
  return notices.length > 0 ? notices.join('; ') : undefined;
}

/** The history's record of one incident simulation, from the events it produced. */
export function incidentRecordFrom(events: readonly IncidentEvent[], machine = os.hostname()): IncidentRecord | undefined {
  const opened = events.find((event) => event.type === 'incident-opened');
  if (!opened || opened.type !== 'incident-opened') return undefined;
  const finished = events.findLast((event) => event.type === 'incident-finished');
  const report = collectIncidentReport(events);
  return {
    id: opened.simulationId,
    machine,
    scenarioId: opened.scenarioId,
    source: report.source,
    severity: report.severity,
    startedAt: opened.startedAt,
    finishedAt: finished?.type === 'incident-finished' ? finished.completedAt : new Date().toISOString(),
    status: finished?.type === 'incident-finished' ? finished.status : 'stopped',
    topHypothesis: topHypothesisOf(report.hypotheses),
    hypotheses: report.hypotheses,
    actions: report.actions,
  };
}
