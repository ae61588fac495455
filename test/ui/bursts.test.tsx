import { render } from 'ink-testing-library';
import { Text } from 'ink';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Scenario } from '../../src/incidents/types.js';
import { App } from '../../src/ui/App.js';
import { useKeys } from '../../src/ui/keys/use-keys.js';
import { HOME_ENTRIES } from '../../src/ui/screens/HomeScreen.js';
import { ScenarioPickerScreen } from '../../src/ui/screens/ScenarioPickerScreen.js';
import { PICKER_SCENARIOS } from '../ui-incident/fixtures.js';
import { burst, KEYS, renderInk, waitForFrame, waitUntil } from '../helpers/ink.js';
import { services } from './console-fixtures.js';

// Issue 8, item 3: keys that arrive in one chunk of input (a fast typist, a presenter's clicker,
// `tmux send-keys Down Down Down`) must each count, on the screen they were meant for. Every
// burst below is written to stdin as a single chunk.

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
});

function openApp(scripted = services()) {
  const app = render(<App services={scripted} />);
  unmount = app.unmount;
  return app;
}

/** The line the cursor is on. */
function cursorLine(frame: string): string | undefined {
  return frame.split('\n').find((line) => line.startsWith('›'));
}

describe('keys typed in one burst', () => {
  it('the home menu moves once per Down, and stops on the last entry', async () => {
    const app = openApp();
    await waitForFrame(app, 'Local event drills');
    await burst(app.stdin, KEYS.down, KEYS.down);
    expect(cursorLine(await waitForFrame(app, '› History'))).toMatch(/History/);
    // More Downs than entries: the cursor stops on Quit.
    await burst(app.stdin, ...HOME_ENTRIES.map(() => KEYS.down));
    await waitForFrame(app, '› Quit');
    // Every entry but Quit: back to the first, however many modes the home menu has.
    await burst(app.stdin, ...HOME_ENTRIES.slice(1).map(() => KEYS.up));
    await waitForFrame(app, '› Local event drills');
  });

  it('Enter, Down, Down, Enter: opens the drill picker and picks the third entry there', async () => {
    const app = openApp();
    await waitForFrame(app, 'Local event drills');
    await burst(app.stdin, KEYS.enter, KEYS.down, KEYS.down, KEYS.enter);
    // The third entry is disk_fill, which asks first.
    const frame = await waitForFrame(app, ['Before it starts', 'writes a 1 GiB file in /tmp']);
    expect(frame).toContain('disk_fill');
  });

  it('Enter Enter as one piece of text ("\\r\\r"), then y: runs all drills after the warning', async () => {
    const scripted = services();
    const runs: string[][] = [];
    const app = openApp({ ...scripted, runDrills: (drills, signal) => (runs.push(drills), scripted.runDrills(drills, signal)) });
    await waitForFrame(app, 'Local event drills');
    await burst(app.stdin, '\r\r');
    await waitForFrame(app, 'Run it?');
    await burst(app.stdin, 'y');
    await waitForFrame(app, '▶ disk_fill');
    expect(runs).toEqual([['cpu_spike', 'disk_fill']]);
  });

  it('j j k as "jjk" and Enter: moves twice, back once, and runs cpu_spike', async () => {
    const app = openApp();
    await waitForFrame(app, 'Local event drills');
    await burst(app.stdin, KEYS.enter);
    await waitForFrame(app, 'Run all five');
    await burst(app.stdin, 'jjk', KEYS.enter);
    const frame = await waitForFrame(app, 'Summary: 1 total, 1 passed');
    expect(frame).toMatch(/✓ cpu_spike\s+pass/);
  });

  it('Ctrl-C at the end of a burst quits at once: the keys before it that were queued are dropped', async () => {
    const scripted = services();
    let started = 0;
    const app = openApp({ ...scripted, runDrills: (drills, signal) => ((started += 1), scripted.runDrills(drills, signal)) });
    await waitForFrame(app, 'Local event drills');
    await burst(app.stdin, KEYS.enter, KEYS.down, KEYS.enter, KEYS.ctrlC);
    await waitForFrame(() => app.frames.join('\n'), 'Quitting: ending everything firedrill started');
    expect(started).toBe(0);
  });

  it('the scenario picker takes a typed filter and Enter in one burst', async () => {
    const picked: Scenario[] = [];
    const picker = renderInk(<ScenarioPickerScreen scenarios={PICKER_SCENARIOS} onPick={(item) => picked.push(item)} onBack={() => undefined} />);
    unmount = picker.unmount;
    await waitForFrame(picker, '/ filter');
    await burst(picker.stdin, '/', 'crash', KEYS.enter);
    await waitUntil(() => picked.length > 0, 'a scenario is picked');
    expect(picked.map((item) => item.id)).toEqual(['crash_loop']);
  });

  it('a handler that reads state from its closure sees each key\'s state (the router paces the keys)', async () => {
    function Counter() {
      const [count, setCount] = useState(0);
      useKeys((_input, key) => {
        if (key.downArrow) setCount(count + 1);
      });
      return <Text>count {count}</Text>;
    }
    const counter = renderInk(<Counter />);
    unmount = counter.unmount;
    await waitForFrame(counter, 'count 0');
    await burst(counter.stdin, ...Array.from({ length: 25 }, () => KEYS.down));
    await waitForFrame(counter, 'count 25');
  });
});
