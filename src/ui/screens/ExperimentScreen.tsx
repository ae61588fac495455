/**
 * A chaos experiment (or a gameday) as it runs: the compact gauges, the probe strip and the
 * latency sparkline with the fault windows marked, the verdict figures, the fault timeline, and
 * once it is over the checklist for after, ticked with the number keys. s stops it at any moment
 * (the fault is undone and the rollbacks run); q goes back once it is over.
 */
import { Text } from 'ink';
import { useEffect, useState } from 'react';
import type { GamedayEvent } from '../../experiments/gameday.js';
import { verdictText } from '../../experiments/measures.js';
import { percent, seconds } from '../../experiments/text.js';
import type { ExperimentEvent, ExperimentFigures } from '../../experiments/types.js';
import { useEngine } from '../hooks/use-engine.js';
import { useSamples } from '../hooks/use-samples.js';
import { useKeys } from '../keys/use-keys.js';
import { figuresPanel, type Figure } from '../panels/Figures.js';
import { gaugesPanel } from '../panels/Gauges.js';
import { latencySparklinePanel } from '../panels/LatencySparkline.js';
import { probeStripPanel } from '../panels/ProbeStrip.js';
import type { SampleFeed } from '../services.js';
import { ScreenShell } from '../shell/ScreenShell.js';
import { experimentReducer, gamedayReducer, initialExperimentView, type ExperimentView } from '../state/experiment-state.js';

export type ChaosRun =
  | { kind: 'experiment'; title: string; after: string[]; events(signal: AbortSignal): AsyncIterable<ExperimentEvent> }
  | { kind: 'gameday'; title: string; after: string[]; events(signal: AbortSignal): AsyncIterable<GamedayEvent> };

/** The figures that stand for the verdict: live from the decided faults, final from the result. */
export function verdictFigures(view: ExperimentView): Figure[] {
  const figures: ExperimentFigures | undefined = view.gameday?.result?.figures ?? (view.gameday ? undefined : view.result?.figures);
  const decided = view.faults.filter((fault) => fault.verdict !== undefined);
  const last = view.faults.at(-1);
  const rows: Figure[] = [];
  if (view.gameday) rows.push({ label: 'experiments', value: view.gameday.results.length + (view.phase === 'running' && !view.gameday.waiting ? 1 : 0) });
  if (figures) {
    rows.push(
      { label: 'MTTR', value: figures.mttrMs === null ? '-' : seconds(figures.mttrMs) },
      { label: 'MTTD', value: figures.mttdMs === null ? '-' : seconds(figures.mttdMs) },
      { label: 'fault tolerance', value: percent(figures.faultTolerance), tone: figures.faultTolerance === 1 ? 'good' : 'warn' },
      { label: 'availability', value: percent(figures.availability), tone: (figures.availability ?? 0) >= 0.99 ? 'good' : 'warn' },
    );
  } else {
    rows.push({ label: 'faults decided', value: `${decided.length} of ${view.faults.length}` });
    if (last?.timeToDetectMs !== undefined) rows.push({ label: 'detected after', value: seconds(last.timeToDetectMs) });
    if (last?.timeToRecoverMs !== undefined) rows.push({ label: 'recovered after', value: seconds(last.timeToRecoverMs) });
  }
  for (const fault of decided.slice(-3)) {
    rows.push({ label: fault.name, value: verdictText(fault.verdict ?? null), tone: fault.verdict === 'held' ? 'good' : fault.verdict === 'recovered' ? 'warn' : 'bad' });
  }
  const result = view.gameday ? undefined : view.result;
  for (const probe of result?.probes.filter((candidate) => candidate.measuresLatency) ?? []) {
    const base = result?.baseline[probe.name];
    const worst = result?.faults.map((fault) => fault.latency[probe.name]?.p95 ?? 0).reduce((a, b) => Math.max(a, b), 0);
    if (base) rows.push({ label: `${probe.name} p95`, value: `${seconds(base.p95)} → ${seconds(worst ?? 0)}` });
  }
  return rows;
}

export function ExperimentScreen({ run, samples: feed, onBack, isActive = true }: { run: ChaosRun; samples: SampleFeed; onBack(): void; isActive?: boolean }) {
  const samples = useSamples(feed);
  const engine = useEngine<ExperimentView, ExperimentEvent | GamedayEvent>(
    (signal) => run.events(signal) as AsyncIterable<ExperimentEvent | GamedayEvent>,
    (state, event) => (run.kind === 'gameday' ? gamedayReducer(state, event as GamedayEvent) : experimentReducer(state, event as ExperimentEvent)),
    () => initialExperimentView(run.title),
  );
  const { state, stop, done } = engine;
  const [stopping, setStopping] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const [ticked, setTicked] = useState<readonly boolean[]>(() => run.after.map(() => false));

  useKeys(
    (input, key) => {
      if (!done) {
        if (input === 's' || input === 'q' || key.escape) {
          setStopping(true);
          if (input !== 's') setLeaving(true);
          stop();
        }
        return;
      }
      if (input === 'q' || key.escape) onBack();
      const number = Number(input);
      if (Number.isInteger(number) && number >= 1 && number <= run.after.length) {
        setTicked((current) => current.map((value, index) => (index === number - 1 ? !value : value)));
      }
    },
    { isActive },
  );
  // After q during a run: go back once everything was undone, not before.
  useEffect(() => {
    if (leaving && done) onBack();
  }, [leaving, done, onBack]);

  const marks = state.rounds.map((round) => round.mark);
  const strip = state.probes.map((probe, index) => ({ label: probe.name, cells: state.rounds.map((round) => round.ok[index] ?? false) }));
  const series = state.probes.flatMap((probe, index) =>
    probe.measuresLatency ? [{ label: probe.name, values: state.rounds.map((round) => round.latencyMs[index] ?? null) }] : [],
  );
  const caption = stopping && !done ? 'Stopping: undoing the fault, running the rollbacks, stopping what the experiment started...' : state.caption;
  const afterPanel = {
    id: 'after',
    title: 'Checklist after (press its number to tick)',
    min: Math.min(2, run.after.length),
    want: run.after.length,
    priority: 3,
    render: ({ rows }: { rows: number }) => (
      <>
        {run.after.slice(0, rows).map((item, index) => (
          <Text key={index} wrap="truncate">
            {index + 1}. {ticked[index] ? '[x]' : '[ ]'} {item}
          </Text>
        ))}
      </>
    ),
  };
  return (
    <ScreenShell
      title={`${run.kind === 'gameday' ? 'Chaos gameday' : 'Chaos experiment'} · ${state.title || run.title}`}
      status={<Text dimColor>{done ? 'over' : state.gameday ? `until ${new Date(state.gameday.endsAt).toISOString().slice(11, 19)} UTC` : state.phase}</Text>}
      caption={caption}
      captionTone={stopping && !done ? 'warn' : state.tone}
      panels={[
        [gaugesPanel(samples, { variant: 'compact' }), figuresPanel(verdictFigures(state), { title: 'Verdict', priority: 1 })],
        probeStripPanel(strip, marks),
        latencySparklinePanel(series, marks),
        ...(done && run.after.length > 0 ? [afterPanel] : []),
      ]}
      timeline={{ entries: state.timeline }}
      keys={
        done
          ? [...(run.after.length > 0 ? [{ key: `1-${run.after.length}`, label: 'tick' }] : []), { key: 'q / Esc', label: 'back' }, { key: 'Ctrl-C', label: 'quit' }]
          : [{ key: 's', label: 'stop (undo and roll back)' }, { key: 'q / Esc', label: 'stop and go back' }, { key: 'Ctrl-C', label: 'abort and quit' }]
      }
    />
  );
}
