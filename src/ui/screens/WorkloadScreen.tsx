import { Text } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { ChaosTrigger, WorkloadProfile } from '../../workloads/types.js';
import type { Workload } from '../../workloads/workload.js';
import { formatBytes, formatPercent } from '../../format.js';
import { useEngine } from '../hooks/use-engine.js';
import { useSamples } from '../hooks/use-samples.js';
import { useKeys } from '../keys/use-keys.js';
import { figuresPanel, gaugesPanel, moveProcessSelection, processTablePanel, type TimelineItem } from '../panels/index.js';
import type { Tone } from '../palette.js';
import type { SampleFeed, WorkloadServices } from '../services.js';
import { ScreenShell } from '../shell/ScreenShell.js';
import { initialWorkloadView, workloadReducer, type WorkloadView } from '../workloads/workload-state.js';

/** What a chaos key asks for: strong enough to see on the panel within a second or two, bounded. */
export const CHAOS_KEYS = {
  cpuSpike: { percent: 90, seconds: 15 },
  leak: { mbPerSecond: 16, maxMb: 256 },
  burst: { count: 10 },
} as const;

const PAGE = 10;

/**
 * A running workload: this machine's gauges, the workload's figures, its processes like btop
 * (busiest first, ↑↓ to select one), churn, deaths and chaos in the timeline. The chaos keys act
 * on the selected process: c spikes the CPU of its kind, m makes it leak, x kills a random process
 * of its priority; b is a burst of churn. s stops the workload (every process ended); q leaves.
 */
export function WorkloadScreen({ workloads, profile, samples: feed, onBack, isActive = true }: { workloads: WorkloadServices; profile: WorkloadProfile; samples: SampleFeed; onBack(): void; isActive?: boolean }) {
  const samples = useSamples(feed);
  const handle = useRef<Workload | null>(null);
  const { state, stop, done } = useEngine(
    (signal) =>
      workloads.run(profile, signal, (workload) => {
        handle.current = workload;
      }),
    workloadReducer,
    () => initialWorkloadView(profile.id, profile.processes),
  );
  const [selectedPid, setSelectedPid] = useState<number | undefined>(undefined);
  const [notes, setNotes] = useState<TimelineItem[]>([]);
  const [leaving, setLeaving] = useState(false);
  const live = state.phase === 'running';
  const rows = state.processes;
  // The selection follows its process; when that process is gone, the busiest one is selected.
  const selected = rows.find((row) => row.pid === selectedPid) ?? rows[0];

  const chaos = (trigger: ChaosTrigger) => {
    try {
      handle.current?.chaos(trigger);
    } catch (error) {
      setNotes((previous) => [...previous, { at: Date.now(), message: (error as Error).message, tone: 'warn' as Tone }].slice(-10));
    }
  };

  useKeys(
    (input, key) => {
      if (input === 'q' || key.escape) {
        if (done) onBack();
        else {
          setLeaving(true);
          stop();
        }
        return;
      }
      if (input === 's' && !done) return stop();
      if (key.upArrow || input === 'k') return setSelectedPid(moveProcessSelection(rows, selected?.pid, -1));
      if (key.downArrow || input === 'j') return setSelectedPid(moveProcessSelection(rows, selected?.pid, 1));
      if (key.pageUp) return setSelectedPid(moveProcessSelection(rows, selected?.pid, -PAGE));
      if (key.pageDown) return setSelectedPid(moveProcessSelection(rows, selected?.pid, PAGE));
      if (!live || !selected) return;
      if (input === 'c') chaos({ action: 'cpu-spike', kind: selected.kind, ...CHAOS_KEYS.cpuSpike });
      else if (input === 'm') chaos({ action: 'memory-leak', pid: selected.pid, ...CHAOS_KEYS.leak });
      else if (input === 'x') chaos({ action: 'kill', priority: selected.priority });
      else if (input === 'b') chaos({ action: 'churn-burst', ...CHAOS_KEYS.burst });
    },
    { isActive },
  );

  // After q while it runs: go back once every process is gone, not before.
  useEffect(() => {
    if (leaving && done) onBack();
  }, [leaving, done, onBack]);

  const timeline = [...state.timeline, ...notes].sort((a, b) => Number(a.at) - Number(b.at));
  const outcome = caption(state);
  return (
    <ScreenShell
      title={`Workload · ${profile.title}`}
      status={<Text dimColor>{state.workloadId ?? ''}{state.engine ? ` · ${state.engine}` : ''}</Text>}
      caption={outcome.text}
      captionTone={outcome.tone}
      panels={[
        gaugesPanel(samples, { variant: 'compact' }),
        figuresPanel(figures(state), { title: 'Workload', priority: 1 }),
        processTablePanel(
          rows.map((row) => ({
            pid: row.pid,
            name: row.name,
            cpuPercent: row.cpuPercent,
            rssBytes: row.rssBytes,
            tag: row.priority,
            detail: `${row.cpuPattern}/${row.memoryPattern}`,
            tone: row.priority === 'critical' ? 'info' : undefined,
          })),
          {
            selectedPid: selected?.pid,
            tagTitle: 'PRIORITY',
            detailTitle: 'CPU/MEM PATTERN',
            sortedBy: 'CPU',
            emptyMessage: state.phase === 'starting' ? 'Starting the processes...' : 'No processes: the workload has ended and every one of them with it.',
          },
        ),
      ]}
      // The timeline's few lines come before the table's growth: chaos must show where it happened.
      timeline={{ entries: timeline, want: 4, priority: 1 }}
      keys={
        live
          ? [
              { key: '↑↓', label: 'select' },
              { key: 'c', label: 'CPU spike' },
              { key: 'm', label: 'leak' },
              { key: 'x', label: 'kill' },
              { key: 'b', label: 'churn burst' },
              { key: 's', label: 'stop' },
              { key: 'q', label: 'back' },
            ]
          : done
            ? [{ key: 'q / Esc', label: 'back' }]
            : [{ key: 'q / Esc', label: 'stop and go back' }]
      }
    />
  );
}

function figures(state: WorkloadView) {
  const { totals, summary } = state;
  if (!totals && !summary) return [{ label: 'processes', value: `${state.started} of ${state.requested}` }];
  // Once it has ended, the whole run's figures (peaks, the mean of firedrill's CPU) rather than the last sample's.
  const [count, cpu, rss, pss, own] = summary
    ? [['started', summary.processesStarted], ['peak CPU', summary.peakCpuPercent], ['peak RSS', summary.peakRssBytes], ['peak PSS', summary.peakPssBytes], summary.ownCpuPercent] as const
    : [['processes', totals!.processes], ['CPU', totals!.cpuPercent], ['RSS', totals!.rssBytes], ['PSS', totals!.pssBytes], totals!.ownCpuPercent] as const;
  const counts = summary ?? totals!;
  return [
    { label: count[0], value: count[1] },
    { label: cpu[0], value: formatPercent(cpu[1]) },
    { label: rss[0], value: formatBytes(rss[1]) },
    { label: pss[0], value: formatBytes(pss[1]) },
    { label: 'firedrill', value: formatPercent(own), tone: own > 5 ? ('warn' as Tone) : undefined },
    { label: 'churned', value: counts.churned },
    { label: 'died', value: counts.died, tone: counts.died > 0 ? ('warn' as Tone) : undefined },
    { label: 'restarted', value: counts.restarted },
    ...(summary
      ? [
          { label: 'chaos', value: summary.chaos },
          { label: 'left behind', value: summary.leftBehind, tone: summary.leftBehind > 0 ? ('bad' as Tone) : ('good' as Tone) },
        ]
      : []),
  ];
}

function caption(state: WorkloadView): { text: string; tone: Tone } {
  switch (state.phase) {
    case 'starting':
      return { text: `Starting ${state.requested} processes of ${state.profile}: ${state.started} running...`, tone: 'info' };
    case 'running':
      return { text: `${state.totals?.processes ?? state.started} processes of ${state.profile} running; select one and break it with a chaos key.`, tone: 'info' };
    case 'stopping':
      return { text: 'Stopping: ending every process of the workload...', tone: 'warn' };
    case 'finished': {
      const summary = state.summary;
      // The counts are in the figures; the caption says how it ended and whether anything is left.
      const left = summary && summary.leftBehind > 0 ? `${summary.leftBehind} processes were still there!` : 'every process is gone.';
      return {
        text: `Ended (${state.reason}): ${left}`,
        tone: summary && summary.leftBehind > 0 ? 'bad' : 'good',
      };
    }
    case 'failed':
      return { text: `The workload could not run: ${state.reason}`, tone: 'bad' };
  }
}
