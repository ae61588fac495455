import type { CheckReport } from './check.js';
import type { NarrativeEvent, SceneTiming } from './engine.js';
import { describeUntil } from './load.js';
import { drillsOf, isDrillRun, isIncidentRun, type Narrative, type SceneRun } from './schema.js';
import { plannedSecondsOf } from './engine.js';

/** Plain-text forms of narratives for the headless commands: list, run sheet, go/no-go, a run's log. */

export function requiresSummary(narrative: Narrative): string[] {
  const needs: string[] = [];
  if (narrative.requires.drills) needs.push('drills');
  for (const service of ['llm', 'prometheus', 'alertmanager'] as const) {
    const need = narrative.requires[service];
    if (need !== 'none') needs.push(`${service}${need === 'optional' ? ' (optional)' : ''}`);
  }
  return needs;
}

export function listRow(narrative: Narrative) {
  return {
    id: narrative.id,
    title: narrative.title,
    scenes: narrative.scenes.length,
    planned_minutes: narrative.planned_minutes,
    requires: requiresSummary(narrative),
    audience: narrative.audience,
    file: narrative.file,
  };
}

export function listLines(narratives: readonly Narrative[]): string[] {
  if (narratives.length === 0) return ['No narratives.'];
  const idWidth = Math.max(2, ...narratives.map((narrative) => narrative.id.length));
  const titleWidth = Math.min(44, Math.max(5, ...narratives.map((narrative) => narrative.title.length)));
  const lines = [`${'ID'.padEnd(idWidth)}  ${'TITLE'.padEnd(titleWidth)}  SCENES  MIN  REQUIRES`];
  for (const narrative of narratives) {
    const title = narrative.title.length > titleWidth ? `${narrative.title.slice(0, titleWidth - 1)}…` : narrative.title;
    lines.push(
      `${narrative.id.padEnd(idWidth)}  ${title.padEnd(titleWidth)}  ${String(narrative.scenes.length).padStart(6)}  ${String(narrative.planned_minutes).padStart(3)}  ${requiresSummary(narrative).join(', ') || '-'}`,
    );
  }
  return lines;
}

export function describeRun(run: SceneRun): string {
  if (isDrillRun(run)) return `drills ${drillsOf(run).join(', ')}${run.duration_seconds ? ` for ${run.duration_seconds} s each` : ''}`;
  if (isIncidentRun(run)) return `incident scenario ${run.incident} at ${run.speed}x`;
  const live = run.live;
  const what =
    live.fault === 'runaway_cpu'
      ? `a runaway process ${live.process_name} (${live.threads} busy thread${live.threads === 1 ? '' : 's'})`
      : live.fault === 'memory_leak'
        ? `${live.process_name} leaking ${live.rate_mb_per_second} MB/s up to ${live.limit_mb} MB`
        : live.fault === 'disk_filling'
          ? `a temporary file growing ${live.rate_mb_per_second} MB/s up to ${live.size_mb} MB`
          : `${live.process_name} going down`;
  return `live incident on this machine: ${what}; baseline ${run.baseline_seconds} s, ended after ${run.hold_seconds} s at most`;
}

function quote(text: string): string {
  return text
    .trim()
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

/** A run sheet to print: every scene with its caption, notes and what should happen. */
export function scriptMarkdown(narrative: Narrative): string {
  const out = [
    `# ${narrative.title}`,
    '',
    `*${narrative.audience}* · ${narrative.planned_minutes} minutes · ${narrative.scenes.length} scenes · id \`${narrative.id}\``,
    '',
    narrative.summary.trim(),
    '',
    `**Requires:** ${requiresSummary(narrative).join(', ') || 'nothing but this terminal'}; a terminal of at least ${narrative.requires.terminal.columns}x${narrative.requires.terminal.rows}.`,
  ];
  for (const [service, line] of Object.entries(narrative.fallbacks)) if (line) out.push(`**Without ${service}:** ${line}`);
  out.push('', `Check before going on stage: \`firedrill demo ${narrative.id} --check\`. Rehearse: \`firedrill demo ${narrative.id} --rehearse\`.`);
  for (const [index, scene] of narrative.scenes.entries()) {
    out.push('', `## ${index + 1}. ${scene.title} (${plannedSecondsOf(narrative, scene)} s)`, '', `**Caption:** ${scene.say.trim()}`);
    if (scene.run) out.push('', `**Runs:** ${describeRun(scene.run)}${scene.keep ? ' (kept running into the next scene)' : ''}`);
    if (scene.until) out.push('', `**Complete when:** ${describeUntil(scene.until)}${scene.until.kind === 'time' ? '' : ` (or says it is not coming after ${scene.timeout_seconds ?? 90} s)`}`);
    if (scene.ask) out.push('', `**Ask the audience:** ${scene.ask.trim()}`);
    if (scene.reveal) out.push('', `**Reveal (next key):** ${scene.reveal.trim()}`);
    if (scene.notes) out.push('', '**Notes:**', '', quote(scene.notes));
  }
  return `${out.join('\n')}\n`;
}

export function checkLines(report: CheckReport): string[] {
  const mark = { go: 'GO   ', 'no-go': 'NO-GO', note: 'note ' } as const;
  return [
    ...report.items.map((item) => `${mark[item.status]}  ${item.what}: ${item.detail}`),
    '',
    `${report.go ? 'GO' : 'NO-GO'} for ${report.narrative} (checked in ${report.seconds} s)`,
  ];
}

function formatSeconds(seconds: number): string {
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s` : `${Math.round(seconds * 10) / 10} s`;
}

export function timingLines(timings: readonly SceneTiming[], totalSeconds: number, plannedSeconds: number): string[] {
  const width = Math.min(40, Math.max(5, ...timings.map((timing) => timing.title.length)));
  const lines = [`${'#'.padStart(2)}  ${'SCENE'.padEnd(width)}  ${'PLANNED'.padStart(10)}  ${'ACTUAL'.padStart(10)}  ${'DIFF'.padEnd(12)}  WAITED FOR`];
  for (const timing of timings) {
    const diff = timing.actualSeconds - timing.plannedSeconds;
    const title = timing.title.length > width ? `${timing.title.slice(0, width - 1)}…` : timing.title;
    const waited = timing.satisfied === null ? '-' : timing.satisfied ? 'came' : 'did not come';
    lines.push(
      `${String(timing.index + 1).padStart(2)}  ${title.padEnd(width)}  ${formatSeconds(timing.plannedSeconds).padStart(10)}  ${formatSeconds(timing.actualSeconds).padStart(10)}  ${`${diff >= 0 ? '+' : '-'}${formatSeconds(Math.abs(diff))}`.padEnd(12)}  ${waited}`,
    );
  }
  lines.push(`${''.padStart(2)}  ${'total'.padEnd(width)}  ${formatSeconds(plannedSeconds).padStart(10)}  ${formatSeconds(totalSeconds).padStart(10)}`);
  return lines;
}

/** One line of a headless run's log, or null for events not worth a line (metric ticks...). */
export function eventLine(event: NarrativeEvent): string | null {
  switch (event.type) {
    case 'narrative-started':
      return `${event.rehearsal ? 'REHEARSAL of ' : ''}${event.title} (${event.scenes} scenes, ${formatSeconds(event.plannedSeconds)} planned)`;
    case 'scene-started':
      return `\nScene ${event.scene.index + 1}/${event.scene.count}: ${event.scene.title}\n  ${event.scene.say}`;
    case 'scene-shown':
      return `  (showing scene ${event.scene.index + 1} again: ${event.scene.title})`;
    case 'satisfied':
      return `  ✓ ${event.what} (after ${event.afterSeconds} s)`;
    case 'not-coming':
      return `  ✗ not coming: ${event.reason}`;
    case 'reveal':
      return `  Reveal: ${event.text}`;
    case 'paused':
      return event.paused ? '  paused' : '  resumed';
    case 'notice':
      return `  ${event.level === 'info' ? 'note' : event.level}: ${event.message}`;
    case 'effect':
      return effectLine(event.effect);
    case 'narrative-finished':
      return `\nFinished (${event.reason}) after ${formatSeconds(event.totalSeconds)} of ${formatSeconds(event.plannedSeconds)} planned.`;
    case 'clock':
    case 'effects-ended':
      return null;
  }
}

function effectLine(effect: Extract<NarrativeEvent, { type: 'effect' }>['effect']): string | null {
  const event = effect.event;
  switch (event.type) {
    case 'drill-started':
      return `  [drill] ${event.drill} started`;
    case 'drill-finished':
      return `  [drill] ${event.result.test} ${event.result.success ? 'passed' : 'failed'}: ${event.result.summary}`;
    case 'detection':
      return `  [monitoring] ${event.drill}: ${event.detection.summary}`;
    case 'timeline':
      return `  [incident] ${event.message}`;
    case 'hypothesis':
      return `  [analysis] ${Math.round(event.hypothesis.confidence * 100)} % ${event.hypothesis.description}`;
    case 'action':
      return `  [action] ${event.action.type} ${event.action.target} (${event.action.riskLevel} risk)`;
    case 'notice':
      return `  [${effect.source}] ${event.level}: ${event.message}`;
    case 'fault':
      return `  [live] ${event.state}: ${event.title}`;
    case 'verdict':
      return `  [live] ${event.verdict.matched ? 'the analyzer found the cause' : 'the analyzer missed the cause'}: expected ${event.verdict.expected.category} (${event.verdict.expected.culprit}), top ${event.verdict.top?.category ?? 'none'}`;
    case 'incident-finished':
      return `  [incident] ${event.status}${event.error ? `: ${event.error}` : ''}`;
    default:
      return null;
  }
}
