/**
 * The presenter screen: the scene's title (header) and caption (the first panel, wrapped) stand
 * out; below them the live panels the scene's effect needs, arranged from the shared ones (gauges,
 * drill lines, injected metrics, hypotheses, actions, the process table, figures); a footer with
 * the next scene and the keys. Clicker keys: Right, Space, PgDn, Enter next; Left, PgUp back. The
 * narrative engine (src/narratives/) does the work; this only renders and maps keys.
 */
import { Text } from 'ink';
import { useMemo, useRef, useState } from 'react';
import type { SystemSample } from '../../drills/types.js';
import type { Scenario } from '../../incidents/types.js';
import type { ProcessWithCommand } from '../../monitor/processes.js';
import { autoAdvance } from '../../narratives/auto.js';
import type { NarrativeController, NarrativeEvent } from '../../narratives/engine.js';
import type { Narrative } from '../../narratives/schema.js';
import { timingLines } from '../../narratives/text.js';
import { useEngine } from '../hooks/use-engine.js';
import { useSamples } from '../hooks/use-samples.js';
import { useKeys } from '../keys/use-keys.js';
import {
  actionsPanel,
  drillLinesPanel,
  figuresPanel,
  gaugesPanel,
  hypothesesPanel,
  injectedMetricsPanel,
  noticesPanel,
  paragraphs,
  processTablePanel,
  textPanel,
  type Figure,
  type ProcessRow,
} from '../panels/index.js';
import type { ConsoleServices, SampleFeed } from '../services.js';
import { ScreenShell, type ShellRow } from '../shell/ScreenShell.js';
import { initialPresenterState, presenterReducer, type EffectView } from './presenter-state.js';

export interface PresenterScreenProps {
  services: ConsoleServices;
  narrative: Narrative;
  rehearse: boolean;
  /** Rehearsal time factor (1: the narrative's own pace). */
  pace: number;
  /** Advance by itself (a kiosk, or a test). */
  auto: boolean;
  onBack(): void;
}

/** What a presentation clicker sends for "next" and "back". */
export function clickerCommand(input: string, key: { rightArrow?: boolean; leftArrow?: boolean; pageDown?: boolean; pageUp?: boolean; return?: boolean }): 'next' | 'back' | null {
  if (key.rightArrow || key.pageDown || key.return || input === ' ') return 'next';
  if (key.leftArrow || key.pageUp) return 'back';
  return null;
}

const QUIET_FEED: SampleFeed = { recent: () => [], subscribe: () => () => {} };

function clock(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

export function PresenterScreen({ services, narrative, rehearse, pace, auto, onBack }: PresenterScreenProps) {
  const controller = useRef<NarrativeController | null>(null);
  const scenarios = useRef<Scenario[]>([]);
  const [blank, setBlank] = useState(false);
  const [confirmingQuit, setConfirmingQuit] = useState(false);
  const [notesProblem, setNotesProblem] = useState<string | null>(null);
  const reducer = useMemo(() => presenterReducer((id) => scenarios.current.find((scenario) => scenario.id === id)), []);
  const { state, stop, done } = useEngine(
    (signal) => presentation(services, narrative, { rehearse, pace, auto, signal, controller, scenarios, onNotesUnavailable: setNotesProblem }),
    reducer,
    () => initialPresenterState(narrative.title, rehearse),
    { maxFps: 25 },
  );
  const finished = state.finished !== null || done;
  // While the clock runs it re-renders once a second anyway: the gauges are read then, rather than
  // drawing the whole screen a second time for each sample. Paused or over, they follow the samples.
  const ticking = !state.paused && !finished && state.current !== null;
  const followed = useSamples(ticking ? QUIET_FEED : services.samples);
  const samples = ticking ? services.samples.recent() : followed;

  useKeys((input, key) => {
    if (confirmingQuit) {
      setConfirmingQuit(false);
      if (input === 'y' || input === 'Y' || key.return) {
        stop();
        onBack();
      }
      return;
    }
    if (finished) {
      if (input === 'q' || key.escape || key.return) onBack();
      return;
    }
    if (input === 'b') {
      setBlank((value) => !value);
      return;
    }
    const command = clickerCommand(input, key);
    if (command) void controller.current?.command(command);
    else if (input === 'p') void controller.current?.pause();
    else if (input === 'r') void controller.current?.restart();
    else if (input === 'q' || key.escape) setConfirmingQuit(true);
  });

  if (blank) return <Text dimColor>{' '}</Text>;

  const scene = state.shown;
  const behind = state.shown !== null && state.current !== null && state.shown.index < state.current.index;
  const title = scene ? `${scene.title}` : narrative.title;
  const tags = [state.rehearsal ? 'REHEARSAL' : null, state.paused ? 'PAUSED' : null].filter(Boolean).join(' · ');
  const status = (
    <>
      {tags ? <Text color="yellow">{tags} · </Text> : null}
      <Text dimColor>scene </Text>
      {scene ? `${scene.index + 1}/${scene.count}` : '…'}
      <Text dimColor> · </Text>
      {clock(state.sceneSeconds)}
      <Text dimColor>/{clock(scene?.plannedSeconds ?? 0)} · total </Text>
      {clock(state.totalSeconds)}
      <Text dimColor>/{clock(state.plannedSeconds)}</Text>
    </>
  );
  const caption = confirmingQuit
    ? 'Quit the demo? y or Enter quits (everything it started is ended); any other key stays.'
    : state.finished
      ? `Finished (${state.finished.reason}) after ${clock(state.finished.totalSeconds)} of ${clock(state.plannedSeconds)} planned.`
      : behind
        ? `Showing scene ${scene!.index + 1} again; scene ${state.current!.index + 1} goes on (Right to come back).`
        : state.status?.text;
  const panels: ShellRow[] = [textPanel(paragraphs(scene?.say ?? '', { tone: 'info', bold: true }), { id: 'say', priority: 0 })];
  const figures: Figure[] = [];
  if (scene?.ask && !behind) figures.push({ label: 'ask', value: scene.ask });
  if (state.reveal && !behind) figures.push({ label: 'answer', value: state.reveal, tone: 'good' });
  if (figures.length > 0) panels.push(figuresPanel(figures, { id: 'ask', priority: 1 }));
  panels.push(...effectPanels(state.effect, samples));
  panels.push(noticesPanel([...(notesProblem ? [{ level: 'warn' as const, message: `no speaker notes: ${notesProblem}` }] : []), ...state.notices], { priority: 2 }));
  if (state.finished && state.finished.timings.length > 0) {
    panels.push(
      textPanel(timingLines(state.finished.timings, state.finished.totalSeconds, state.plannedSeconds).map((text) => ({ text, pre: true })), { id: 'timings', title: 'Time per scene', priority: 1 }),
    );
  }

  return (
    <ScreenShell
      title={
        <>
          {title}
          <Text dimColor bold={false}>
            {' '}
            · {state.title}
          </Text>
        </>
      }
      status={status}
      caption={caption}
      captionTone={confirmingQuit ? 'warn' : state.status?.tone === 'warn' ? 'warn' : 'good'}
      panels={panels}
      timeline={{ entries: state.timeline, priority: 9 }}
      footer={scene ? <Text dimColor>next: {scene.nextTitle ?? '(the end)'}</Text> : undefined}
      keys={
        finished
          ? [{ key: 'q/Enter', label: 'back to the narratives' }]
          : [
              { key: '→/Space', label: 'next' },
              { key: '←', label: 'back' },
              { key: 'p', label: state.paused ? 'resume' : 'pause' },
              { key: 'b', label: 'blank' },
              { key: 'r', label: 'restart scene' },
              { key: 'q', label: 'quit' },
            ]
      }
    />
  );
}

/** The panels a scene's effect needs: the same ones its own screen (run, incident) uses. */
function effectPanels(effect: EffectView | null, samples: SystemSample[]): ShellRow[] {
  if (!effect) return [gaugesPanel(samples, { variant: 'compact', priority: 4 })];
  if (effect.kind === 'drills') return [gaugesPanel(samples, { priority: 2 }), drillLinesPanel(effect.run.lines, Date.now(), { priority: 3 })];
  const incident = effect.incident;
  if (effect.kind === 'incident') {
    return [
      injectedMetricsPanel(incident.metrics, { priority: 3, cap: 6 }),
      gaugesPanel(samples, { variant: 'compact', priority: 4 }),
      hypothesesPanel(incident, { priority: 5 }),
      actionsPanel(incident.actions, { analysisFinished: incident.analysisFinished, priority: 6 }),
    ];
  }
  const verdict: Figure[] = [];
  // The verdict first: on a small terminal the figures get one row.
  if (effect.verdict) {
    verdict.push({
      label: 'verdict',
      value: effect.verdict.matched ? `found it: ${effect.verdict.expected.culprit}` : `missed ${effect.verdict.expected.culprit} (top: ${effect.verdict.top?.category ?? 'none'})`,
      tone: effect.verdict.matched ? 'good' : 'warn',
    });
  }
  if (incident.source) verdict.push({ label: 'analyzer', value: incident.source });
  if (effect.phase) verdict.push({ label: 'phase', value: effect.phase });
  const order = effect.fault?.includes('memory') ? 'memory' : 'cpu';
  // On a live incident the process table and the leading hypothesis come before the metrics.
  return [
    gaugesPanel(samples, { variant: 'compact', priority: 2 }),
    figuresPanel(verdict, { id: 'verdict', priority: 3 }),
    processTablePanel(liveProcessRows(effect.processes, order, effect.faultPid), { sortedBy: order === 'cpu' ? 'CPU' : 'memory', detailTitle: 'COMMAND', priority: 4 }),
    hypothesesPanel(incident, { priority: 3 }),
    actionsPanel(incident.actions, { analysisFinished: incident.analysisFinished, priority: 6 }),
    injectedMetricsPanel(incident.metrics, { priority: 7, cap: 4 }),
  ];
}

/** The busiest processes as top sorts them (at most six: the audience reads them), the fault's own in red. */
export function liveProcessRows(processes: readonly ProcessWithCommand[], order: 'cpu' | 'memory', faultPid: number | null, max = 6): ProcessRow[] {
  const cpu = (process: ProcessWithCommand) => process.cpuPercent ?? -1;
  return [...processes]
    .sort((a, b) => (order === 'cpu' ? cpu(b) - cpu(a) || b.rssBytes - a.rssBytes : b.rssBytes - a.rssBytes || cpu(b) - cpu(a)) || a.pid - b.pid)
    .slice(0, max)
    .map(({ pid, name, cpuPercent, rssBytes, command }) => ({ pid, name, cpuPercent, rssBytes, detail: command, ...(pid === faultPid ? { tone: 'bad' as const } : {}) }));
}

/**
 * The presentation as the screen's engine: the services play the narrative; the controller comes
 * back for the keys; with `auto`, the narrative advances by itself; a rehearsal's time per scene
 * is printed once the console has closed.
 */
async function* presentation(
  services: ConsoleServices,
  narrative: Narrative,
  options: {
    rehearse: boolean;
    pace: number;
    auto: boolean;
    signal: AbortSignal;
    controller: { current: NarrativeController | null };
    scenarios: { current: Scenario[] };
    onNotesUnavailable(reason: string): void;
  },
): AsyncGenerator<NarrativeEvent> {
  const demos = services.demos;
  if (!demos) throw new Error('presenter demos are not available in this console');
  options.scenarios.current = (await services.loadScenarios()).scenarios;
  let auto: ((event: NarrativeEvent) => void) | undefined;
  for await (const event of demos.present(narrative, {
    rehearse: options.rehearse,
    pace: options.pace,
    signal: options.signal,
    onController: (controller) => {
      options.controller.current = controller;
      if (options.auto) auto = autoAdvance(controller, narrative, options.pace);
    },
    onNotesUnavailable: options.onNotesUnavailable,
  })) {
    auto?.(event);
    if (event.type === 'narrative-finished' && options.rehearse && event.timings.length > 0) {
      demos.sayAfterExit([`Rehearsal of ${narrative.title}: time per scene`, ...timingLines(event.timings, event.totalSeconds, event.plannedSeconds).map((line) => `  ${line}`)]);
    }
    yield event;
  }
}
