import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { render, type Instance } from 'ink';
import { IncidentScreen } from '../../src/ui/screens/IncidentScreen.js';
import { ScenarioPickerScreen } from '../../src/ui/screens/ScenarioPickerScreen.js';
import { eventFeed, metric, PICKER_SCENARIOS, scenario } from './fixtures.js';
import { waitForFrame, withKeys } from '../helpers/ink.js';

/** A terminal-less stdout (a pipe) that keeps what Ink wrote. */
function pipeOutput() {
  let written = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        written += String(chunk);
        done();
      },
    }),
    { columns: 100 },
  );
  return { stream, lastFrame: () => written };
}

/** stdin as a pipe: not a TTY, so raw mode (and thus useInput) is unavailable. */
function pipeInput() {
  return Object.assign(new PassThrough(), { isTTY: false });
}

const mounted: Instance[] = [];
afterEach(() => {
  for (const instance of mounted.splice(0)) instance.unmount();
});

describe('screens without a terminal on stdin', () => {
  it('the picker renders instead of crashing on raw mode, and says keys need a terminal', async () => {
    const output = pipeOutput();
    mounted.push(
      render(withKeys(<ScenarioPickerScreen scenarios={PICKER_SCENARIOS} onPick={() => undefined} onBack={() => undefined} />), {
        stdin: pipeInput() as unknown as NodeJS.ReadStream,
        stdout: output.stream as unknown as NodeJS.WriteStream,
        debug: true,
        patchConsole: false,
        exitOnCtrlC: false,
      }),
    );
    const frame = await waitForFrame(output, 'keys need an interactive terminal');
    expect(frame).toContain('Gradual Memory Leak');
  });

  it('the incident screen renders and consumes its events', async () => {
    const output = pipeOutput();
    const feed = eventFeed();
    const leak = scenario({ id: 'leak', name: 'Leak', metrics: [metric({ name: 'heap', unit: 'count' })] });
    mounted.push(
      render(withKeys(<IncidentScreen scenario={leak} events={feed.source} onBack={() => undefined} />), {
        stdin: pipeInput() as unknown as NodeJS.ReadStream,
        stdout: output.stream as unknown as NodeJS.WriteStream,
        debug: true,
        patchConsole: false,
        exitOnCtrlC: false,
      }),
    );
    feed.push({ type: 'source', source: 'built-in' }, { type: 'incident-finished', status: 'completed', completedAt: new Date().toISOString() });
    feed.end();
    const frame = await waitForFrame(output, 'incident completed');
    expect(frame).toContain('source: built-in');
  });
});
