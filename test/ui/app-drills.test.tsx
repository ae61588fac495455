import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/ui/App.js';
import { waitFor } from '../helpers/cli.js';
import { services } from './console-fixtures.js';
import { KEYS, press, waitForFrame } from '../helpers/ink.js';

// The screens are tested here against a scripted run (the real drills are exercised in
// test/drills and test/run, and end to end in test/e2e through tmux).

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('the console: drills', () => {
  it('picks a drill, shows live gauges, the drill line and the summary, and goes back with q', async () => {
    const app = render(<App services={services()} />);
    cleanup = app.unmount;
    await waitForFrame(app.lastFrame, ['firedrill', 'Local event drills']);
    await press(app.stdin, KEYS.enter);
    await waitForFrame(app.lastFrame, ['Run all five', 'cpu_spike', 'one busy worker per core', 'disk_fill']);
    await press(app.stdin, KEYS.down, KEYS.enter);
    const frame = await waitForFrame(app.lastFrame, ['Summary: 1 total, 1 passed, 0 failed, 1 events triggered']);
    expect(frame).toContain('CPU');
    expect(frame).toContain('97.5 %');
    expect(frame).toContain('✓ cpu_spike');
    expect(frame).toContain('CPU reached 97.5 % (threshold 80 %)');
    expect(frame).toContain('1 event');
    await press(app.stdin, 'q');
    await waitForFrame(app.lastFrame, 'Run all five');
  });

  it('asks before a risky drill, and n goes back without running it', async () => {
    const app = render(<App services={services()} />);
    cleanup = app.unmount;
    await waitForFrame(app.lastFrame, 'Local event drills');
    await press(app.stdin, KEYS.enter);
    await waitForFrame(app.lastFrame, 'Run all five');
    await press(app.stdin, KEYS.down, KEYS.down, KEYS.enter);
    await waitForFrame(app.lastFrame, ['Before it starts', 'writes a 1 GiB file in /tmp', 'Run it?']);
    await press(app.stdin, 'n');
    await waitForFrame(app.lastFrame, 'Run all five');
  });

  it('q during a run stops the drill, waits for its cleanup, then goes back', async () => {
    const scripted = services();
    const app = render(<App services={scripted} />);
    cleanup = app.unmount;
    await waitForFrame(app.lastFrame, 'Local event drills');
    await press(app.stdin, KEYS.enter);
    await waitForFrame(app.lastFrame, 'Run all five');
    await press(app.stdin, KEYS.down, KEYS.down, KEYS.enter);
    await waitForFrame(app.lastFrame, 'Run it?');
    await press(app.stdin, 'y');
    await waitForFrame(app.lastFrame, ['▶ disk_fill', 'running', 'loading the machine']);
    await press(app.stdin, 'q');
    await waitForFrame(app.lastFrame, 'Stopping: ending the drill and cleaning up');
    await waitForFrame(app.lastFrame, 'Run all five');
    expect(scripted.aborted).toEqual(['disk_fill']);
  });

  it('Ctrl-C quits from any screen, aborting a drill that runs', async () => {
    const scripted = services();
    const app = render(<App services={scripted} />);
    cleanup = app.unmount;
    await waitForFrame(app.lastFrame, 'Local event drills');
    await press(app.stdin, KEYS.enter);
    await waitForFrame(app.lastFrame, 'Run all five');
    await press(app.stdin, KEYS.down, KEYS.down, KEYS.enter);
    await waitForFrame(app.lastFrame, 'Run it?');
    await press(app.stdin, 'y');
    await waitForFrame(app.lastFrame, '▶ disk_fill');
    await press(app.stdin, KEYS.ctrlC);
    // The quitting frame lasts one tick before the app exits: look for it among every frame drawn.
    await waitForFrame(() => app.frames.join('\n'), 'Quitting: ending everything firedrill started');
    await waitFor(() => scripted.aborted.length > 0, 5_000, 'the run to be aborted');
    expect(scripted.aborted).toEqual(['disk_fill']);
  });
});
