import { Text } from 'ink';
import { useEffect, useState } from 'react';
import type { DrillName } from '../../drills/types.js';
import { useEngine } from '../hooks/use-engine.js';
import { useSamples } from '../hooks/use-samples.js';
import { useKeys } from '../keys/use-keys.js';
import { drillLinesPanel } from '../panels/DrillLines.js';
import { gaugesPanel } from '../panels/Gauges.js';
import { noticesPanel } from '../panels/Notices.js';
import type { Tone } from '../palette.js';
import type { ConsoleServices } from '../services.js';
import { ScreenShell } from '../shell/ScreenShell.js';
import { initialRunState, runReducer, type RunState } from '../state/run-state.js';

/** Live gauges, a line per drill, and the summary once the run is over. */
export function RunScreen({ services, drills, onBack, isActive = true }: { services: ConsoleServices; drills: DrillName[]; onBack(): void; isActive?: boolean }) {
  const samples = useSamples(services.samples);
  const { state, stop, done } = useEngine((signal) => services.runDrills(drills, signal), runReducer, () => initialRunState(drills));
  const [leaving, setLeaving] = useState(false);
  const now = useClock(state.phase === 'running' && !done);

  useKeys(
    (input, key) => {
      if (input !== 'q' && !key.escape) return;
      if (done) onBack();
      else {
        setLeaving(true);
        stop();
      }
    },
    { isActive },
  );

  // After q during a run: go back once the drills have cleaned up, not before.
  useEffect(() => {
    if (leaving && done) onBack();
  }, [leaving, done, onBack]);

  const outcome = caption(state, done);
  return (
    <ScreenShell
      title="firedrill · local event drills"
      status={
        <Text dimColor>
          {state.machine ? `machine ${state.machine}` : ''}
          {state.runId ? `  run ${state.runId}` : ''}
        </Text>
      }
      caption={outcome.text}
      captionTone={outcome.tone}
      panels={[gaugesPanel(samples), drillLinesPanel(state.lines, now), noticesPanel(state.notices.map((message) => ({ level: 'warn', message })))]}
      keys={done ? [{ key: 'q / Esc', label: 'back' }, { key: 'Ctrl-C', label: 'quit' }] : [{ key: 'q / Esc', label: 'stop and go back' }, { key: 'Ctrl-C', label: 'abort and quit' }]}
    />
  );
}

/** The line that stands out: what the run is doing, or how it ended. */
function caption(state: RunState, done: boolean): { text: string; tone: Tone } {
  const summary = state.report?.summary;
  if (state.phase === 'failed') return { text: `The run could not go on: ${state.error}`, tone: 'bad' };
  if (state.phase === 'aborted') {
    return done ? { text: 'Stopped. Everything the drills started was ended and removed.', tone: 'warn' } : { text: 'Stopping: ending the drill and cleaning up...', tone: 'warn' };
  }
  if (summary) {
    return {
      text: `Summary: ${summary.total} total, ${summary.passed} passed, ${summary.failed} failed, ${summary.eventsTriggered} events triggered`,
      tone: summary.failed > 0 ? 'bad' : 'good',
    };
  }
  const running = state.lines.find((line) => line.status === 'running' || line.status === 'settling');
  if (running) return { text: `${running.drill}: ${running.status === 'settling' ? 'waiting for the machine to settle' : 'loading the machine'}`, tone: 'info' };
  if (state.phase === 'starting') return { text: 'Starting: reading the machine before the first drill...', tone: 'info' };
  return { text: 'Finishing the run...', tone: 'info' };
}

/** The current time, ticking once a second while `running`, for elapsed times. */
function useClock(running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);
  return now;
}
