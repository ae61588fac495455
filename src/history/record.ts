import os from 'node:os';
import type { FiredrillConfig } from '../config/config.js';
import type { RunReport } from '../drills/types.js';
import { collectIncidentReport } from '../incidents/simulation.js';
import type { IncidentEvent } from '../incidents/types.js';
import type { FiredrillPaths } from '../paths.js';
import { openHistory } from './open-history.js';
import { topHypothesisOf, type IncidentRecord } from './store.js';

export interface HistoryTarget {
  paths: FiredrillPaths;
  config: FiredrillConfig;
  env: NodeJS.ProcessEnv;
}

/**
 * Keeps a finished run or incident: committed to this machine's SQLite first, then replicated to
 * Neo4j when one is configured (queued when it is away). Resolves to a sentence for the user when
 * something did not go as planned; never throws, so that a drill's verdict is never lost to it.
 */
export async function keepInHistory(target: HistoryTarget, item: { run: RunReport } | { incident: IncidentRecord }): Promise<string | undefined> {
  let history;
  try {
    history = await openHistory(target);
  } catch (error) {
    return `could not open the history store: ${(error as Error).message}`;
  }
  try {
    if ('run' in item) await history.saveRun(item.run);
    else await history.saveIncident(item.incident);
    const pending = history.neo4jUri ? await history.pendingCount() : 0;
    return pending > 0 ? `saved on this machine; ${pending} item(s) still pending for Neo4j (run "firedrill sync")` : undefined;
  } catch (error) {
    return `could not save to the history store: ${(error as Error).message}`;
  } finally {
    await history.close().catch(() => undefined);
  }
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
