import { Box, Text, useInput } from 'ink';
import { useEffect, useState } from 'react';
import type { DrillName } from '../../drills/types.js';
import { DrillLineView } from '../components/DrillLineView.js';
import { Gauges } from '../components/Gauges.js';
import { useDrillRun } from '../hooks/use-drill-run.js';
import { useSamples } from '../hooks/use-samples.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import type { ConsoleServices } from '../services.js';

/** Live gauges, a line per drill, and the summary once the run is over. */
export function RunScreen({
  services,
  drills,
  onBack,
  isActive = true,
}: {
  services: ConsoleServices;
  drills: DrillName[];
  onBack(): void;
  isActive?: boolean;
}) {
  const samples = useSamples(services.samples);
  const { state, stop, done } = useDrillRun(drills, services.runDrills);
  const { columns } = useTerminalSize();
  const [leaving, setLeaving] = useState(false);
  const now = useClock(state.phase === 'running' && !done);

  useInput(
    (input, key) => {
      if (input === 'q' || key.escape) {
        if (done) onBack();
        else {
          setLeaving(true);
          stop();
        }
      }
    },
    { isActive },
  );

  // After q during a run: go back once the drills have cleaned up, not before.
  useEffect(() => {
    if (leaving && done) onBack();
  }, [leaving, done, onBack]);

  const summary = state.report?.summary;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>firedrill · local event drills</Text>
        <Text dimColor>
          {state.machine ? `  machine ${state.machine}` : ''}
          {state.runId ? `  run ${state.runId}` : ''}
        </Text>
      </Text>
      <Box marginY={1}>
        <Gauges samples={samples} columns={columns} />
      </Box>
      {state.lines.map((line) => (
        <DrillLineView key={line.drill} line={line} now={now} />
      ))}
      <Box marginTop={1} flexDirection="column">
        {state.notices.map((notice) => (
          <Text key={notice} color="yellow">
            {notice}
          </Text>
        ))}
        {state.phase === 'failed' && <Text color="red">The run could not go on: {state.error}</Text>}
        {state.phase === 'aborted' && !done && <Text color="yellow">Stopping: ending the drill and cleaning up...</Text>}
        {state.phase === 'aborted' && done && <Text color="yellow">Stopped. Everything the drills started was ended and removed.</Text>}
        {summary && (
          <Text>
            <Text bold>Summary: </Text>
            {summary.total} total, <Text color="green">{summary.passed} passed</Text>,{' '}
            <Text color={summary.failed > 0 ? 'red' : undefined}>{summary.failed} failed</Text>, {summary.eventsTriggered}{' '}
            events triggered
          </Text>
        )}
        <Text dimColor>{done ? 'q / Esc back · Ctrl-C quit' : 'q / Esc stop and go back · Ctrl-C abort and quit'}</Text>
      </Box>
    </Box>
  );
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
