import os from 'node:os';
import type { SessionRecord, SessionStatus } from '../history/sessions.js';
import type { WorkloadEvent } from './types.js';
import type { Workload } from './workload.js';

/**
 * A finished workload as history keeps it: a session of kind "workload" whose figures (start
 * time, peak memory, firedrill's own CPU, churn, deaths, chaos) can be compared run after run,
 * and whose detail holds the last notable events (churn, deaths, restarts, chaos).
 */

/** How a workload's end reads in history: its duration ran out, someone stopped it, or it could not run. */
function statusOf(finished: Extract<WorkloadEvent, { type: 'finished' }>): SessionStatus {
  if (finished.status === 'failed') return 'failed';
  return finished.reason === 'duration over' ? 'completed' : 'stopped';
}

function compact(event: WorkloadEvent): Record<string, string | number | boolean | null> {
  switch (event.type) {
    case 'churned':
      return { type: event.type, reason: event.reason, ended: event.ended.name, endedPid: event.ended.pid, startedPid: event.started?.pid ?? null };
    case 'died':
      return { type: event.type, process: event.process.name, pid: event.process.pid, code: event.code, signal: event.signal, cause: event.cause, restart: event.restart };
    case 'restarted':
      return { type: event.type, process: event.process.name, previousPid: event.previous.pid, pid: event.process.pid };
    case 'chaos':
      return { type: event.type, action: event.result.action, message: event.result.message };
    case 'notice':
      return { type: event.type, message: event.message };
    default:
      return { type: event.type };
  }
}

export function workloadSession(workload: Workload, finished: Extract<WorkloadEvent, { type: 'finished' }>, machine = os.hostname()): SessionRecord {
  const { summary } = finished;
  const left = summary.leftBehind === 0 ? 'every process ended with it' : `${summary.leftBehind} processes outlived it`;
  return {
    id: `workload-${machine}-${summary.workloadId}`,
    kind: 'workload',
    machine,
    subject: workload.profile.id,
    title: `${workload.profile.title} (workload, ${summary.requested} processes)`,
    startedAt: new Date(summary.startedAt).toISOString(),
    finishedAt: new Date(summary.finishedAt).toISOString(),
    status: statusOf(finished),
    verdict: summary.leftBehind === 0 ? 'clean' : 'left-processes',
    summary: `${finished.reason}: ${summary.processesStarted} processes started, ${summary.churned} churned, ${summary.died} died, ${summary.restarted} restarted, ${summary.chaos} chaos; ${left}`,
    figures: {
      processes: summary.requested,
      processesStarted: summary.processesStarted,
      startMs: summary.startMs,
      durationMs: summary.finishedAt - summary.startedAt,
      churned: summary.churned,
      died: summary.died,
      restarted: summary.restarted,
      chaos: summary.chaos,
      peakRssBytes: summary.peakRssBytes,
      peakPssBytes: summary.peakPssBytes,
      peakCpuPercent: Math.round(summary.peakCpuPercent * 10) / 10,
      firedrillCpuPercent: Math.round(summary.ownCpuPercent * 10) / 10,
      leftBehind: summary.leftBehind,
      engine: summary.engine,
    },
    detail: {
      reason: finished.reason,
      kinds: workload.plannedCounts(),
      events: workload.recentEvents().map(({ at, event }) => ({ at: new Date(at).toISOString(), ...compact(event) })),
    },
  };
}
