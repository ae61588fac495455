import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { Boot } from '../../src/ui/Boot.js';
import type { ConsoleServices } from '../../src/ui/services.js';
import { burst, KEYS, waitForFrame, waitUntil } from '../helpers/ink.js';
import { services } from './console-fixtures.js';

afterEach(() => cleanup());

/** A start the test finishes when it wants. */
function pendingStart() {
  let finish!: (services: ConsoleServices) => void;
  let fail!: (error: Error) => void;
  const started = new Promise<ConsoleServices>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const handle = { calls: 0, finish, fail, start: () => ((handle.calls += 1), started) };
  return handle;
}

describe('the console while it starts', () => {
  it('draws the home menu at once, and keys typed before the engine is loaded reach it', async () => {
    const boot = pendingStart();
    let bootInterrupts = 0;
    const app = render(<Boot machine="testbox" start={boot.start} onFail={() => undefined} onInterrupt={() => (bootInterrupts += 1)} />);
    await waitForFrame(app, ['firedrill · incident fire drills on testbox', '› Local event drills']);
    await burst(app.stdin, KEYS.down, KEYS.down);
    boot.finish(services());
    await waitForFrame(app, '› History');
    await burst(app.stdin, KEYS.up, KEYS.up, KEYS.enter);
    await waitForFrame(app, 'Run all five');
    // Once App is up, Ctrl-C is App's: it says it is quitting and cleans up.
    await burst(app.stdin, KEYS.ctrlC);
    await waitForFrame(() => app.frames.join('\n'), 'Quitting: ending everything firedrill started');
    expect(bootInterrupts).toBe(0);
  });

  it('a start that fails is handed to onFail; Ctrl-C before it is ready calls onInterrupt', async () => {
    const failing = pendingStart();
    const failures: unknown[] = [];
    const app = render(<Boot machine="testbox" start={failing.start} onFail={(error) => failures.push(error)} onInterrupt={() => undefined} />);
    await waitForFrame(app, 'Local event drills');
    await waitUntil(() => failing.calls === 1, 'the start is under way');
    failing.fail(new Error('config.yaml: drills.duration: expected a number, found "abc"'));
    await waitUntil(() => failures.length === 1, 'the failure is reported');
    expect(String(failures[0])).toContain('drills.duration');

    let interrupted = 0;
    const waiting = render(<Boot machine="testbox" start={pendingStart().start} onFail={() => undefined} onInterrupt={() => (interrupted += 1)} />);
    await waitForFrame(waiting, 'Local event drills');
    await burst(waiting.stdin, KEYS.down, KEYS.ctrlC);
    await waitUntil(() => interrupted === 1, 'Ctrl-C is handled');
  });
});
