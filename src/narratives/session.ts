import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { SessionRecord } from '../history/sessions.js';
import type { NarrativeEvent } from './engine.js';
import type { Narrative } from './schema.js';

/**
 * A presentation as history keeps it (kind 'demo'): the narrative, when, how it ended, the time of
 * each scene against its plan, and what each scene's effects measured (drill results, the top
 * hypothesis, whether the analyzer found a live fault). Figures are named for `formatFigure`.
 */
export function demoSession(
  narrative: Narrative,
  started: Extract<NarrativeEvent, { type: 'narrative-started' }>,
  finished: Extract<NarrativeEvent, { type: 'narrative-finished' }>,
  options: { pace: number; machine?: string },
): SessionRecord {
  const waited = finished.timings.filter((timing) => timing.satisfied !== null);
  const came = waited.filter((timing) => timing.satisfied === true).length;
  const shown = finished.timings.filter((timing) => timing.actualSeconds > 0).length;
  const found = finished.timings.flatMap((timing) => timing.measured).filter((line) => line.startsWith('the analyzer found the cause')).length;
  const missed = finished.timings.flatMap((timing) => timing.measured).filter((line) => line.startsWith('the analyzer missed the cause')).length;
  const minutes = (seconds: number) => (seconds >= 60 ? `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s` : `${Math.round(seconds)} s`);
  const stamp = started.at.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return {
    id: `demo-${narrative.id}-${stamp}-${randomBytes(3).toString('hex')}`,
    kind: 'demo',
    machine: options.machine ?? os.hostname(),
    subject: narrative.id,
    title: `${narrative.title}${started.rehearsal ? ' (rehearsal)' : ''}`,
    startedAt: started.at,
    finishedAt: new Date().toISOString(),
    status: finished.reason === 'completed' ? 'completed' : 'stopped',
    verdict: started.rehearsal ? 'rehearsed' : 'presented',
    summary: `${shown} of ${finished.timings.length} scenes in ${minutes(finished.totalSeconds)} of ${minutes(finished.plannedSeconds)} planned; ${came} of ${waited.length} awaited effects came${found + missed > 0 ? `; the analyzer found ${found} of ${found + missed} live causes` : ''}`,
    figures: {
      scenes: finished.timings.length,
      scenesShown: shown,
      durationMs: Math.round(finished.totalSeconds * 1000),
      plannedMs: Math.round(finished.plannedSeconds * 1000),
      effectsAwaited: waited.length,
      effectsCame: came,
      liveCausesFound: found,
      liveCausesMissed: missed,
      rehearsal: started.rehearsal,
      pace: options.pace,
    },
    detail: {
      file: narrative.file,
      reason: finished.reason,
      scenes: finished.timings.map((timing) => ({
        index: timing.index,
        title: timing.title,
        plannedSeconds: timing.plannedSeconds,
        actualSeconds: timing.actualSeconds,
        satisfied: timing.satisfied,
        measured: timing.measured,
      })),
    },
  };
}
