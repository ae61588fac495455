import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import type { Scenario } from '../../src/incidents/types.js';
import { ScenarioPickerScreen } from '../../src/ui/screens/ScenarioPickerScreen.js';
import { PICKER_SCENARIOS, scenario } from './fixtures.js';
import { withKeys, KEYS, press, renderInk, type, waitForFrame, waitUntil } from '../helpers/ink.js';

afterEach(() => cleanup());

function renderPicker(scenarios: Scenario[] = PICKER_SCENARIOS, loadErrors?: { file: string; message: string }[], initialScenarioId?: string) {
  const picked: Scenario[] = [];
  let backs = 0;
  const instance = renderInk(
    <ScenarioPickerScreen scenarios={scenarios} loadErrors={loadErrors} initialScenarioId={initialScenarioId} onPick={(item) => picked.push(item)} onBack={() => (backs += 1)} />,
  );
  return { ...instance, picked, backs: () => backs };
}

/** The picker shows its key help once it listens; a tiny pause lets useInput subscribe. */
async function ready(instance: { lastFrame(): string | undefined }) {
  await waitForFrame(instance, '/ filter');
  await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('ScenarioPickerScreen', () => {
  it('groups beginner, then intermediate, then advanced, each row with severity, service and tags', async () => {
    const picker = renderPicker();
    const frame = await waitForFrame(picker, 'Gateway Timeout');
    const order = ['Beginner', 'Gradual Memory Leak', 'CPU Surge', 'Intermediate', 'Slow Database Queries', 'Pod Crash Loop', 'Advanced', 'Gateway Timeout'].map((text) => frame.indexOf(text));
    expect(order.every((position) => position >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const leakLine = frame.split('\n').find((line) => line.includes('Gradual Memory Leak'))!;
    expect(leakLine).toMatch(/critical\s+payment-service\s+#resource/);
    expect(frame).toContain('Incident scenarios (5)');
  });

  it('/ starts a filter that narrows by name, id, tag or service; Esc clears it', async () => {
    const picker = renderPicker();
    await ready(picker);
    await press(picker.stdin, '/');
    await type(picker.stdin, 'payment');
    let frame = await waitForFrame(picker, '(2 of 5)');
    expect(frame).toContain('Gradual Memory Leak');
    expect(frame).toContain('Pod Crash Loop');
    expect(frame).not.toContain('CPU Surge');
    expect(frame).not.toContain('Advanced');

    await press(picker.stdin, KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.backspace);
    await type(picker.stdin, 'external');
    frame = await waitForFrame(picker, '(1 of 5)');
    expect(frame).toContain('Gateway Timeout');

    await type(picker.stdin, 'zz');
    await waitForFrame(picker, 'No scenario matches “externalzz”');

    await press(picker.stdin, KEYS.escape);
    frame = await waitForFrame(picker, 'Incident scenarios (5)');
    expect(frame).toContain('CPU Surge');
    expect(picker.backs()).toBe(0);
  });

  it('Enter picks the highlighted scenario, after moving and after filtering', async () => {
    const picker = renderPicker();
    await ready(picker);
    await press(picker.stdin, KEYS.down, KEYS.down, KEYS.up, KEYS.down, KEYS.enter);
    await waitUntil(() => picker.picked.length === 1, 'a scenario was picked');
    // Beginner first: the third row is the first intermediate scenario, Slow Database Queries.
    expect(picker.picked[0]!.id).toBe('slow_queries');

    await press(picker.stdin, '/');
    await type(picker.stdin, 'crash');
    await waitForFrame(picker, '(1 of 5)');
    await press(picker.stdin, KEYS.enter);
    await waitUntil(() => picker.picked.length === 2, 'a second scenario was picked');
    expect(picker.picked[1]!.id).toBe('crash_loop');
  });

  it('q goes back, but types into the filter while one is open', async () => {
    const picker = renderPicker();
    await ready(picker);
    await press(picker.stdin, '/', 'q');
    // "q" narrows to the one scenario with a q in it (Slow Database Queries).
    await waitForFrame(picker, '(1 of 5)');
    expect(picker.backs()).toBe(0);
    await press(picker.stdin, KEYS.escape);
    await waitForFrame(picker, '/ filter');
    await press(picker.stdin, 'q');
    await waitUntil(() => picker.backs() === 1, 'onBack was called');
  });

  it('Esc with no filter goes back', async () => {
    const picker = renderPicker();
    await ready(picker);
    await press(picker.stdin, KEYS.escape);
    await waitUntil(() => picker.backs() === 1, 'onBack was called');
  });

  it('shows a dim line per file that failed to load, and sums up past three', async () => {
    const errors = Array.from({ length: 5 }, (_, n) => ({ file: `scenarios/bad-${n}.yaml`, message: `metrics[0].unit: expected a string` }));
    const picker = renderPicker(PICKER_SCENARIOS, errors);
    const frame = await waitForFrame(picker, 'skipped scenarios/bad-0.yaml: metrics[0].unit: expected a string');
    expect(frame).toContain('skipped scenarios/bad-2.yaml');
    expect(frame).not.toContain('bad-3.yaml');
    expect(frame).toContain('and 2 more files could not be loaded');
  });

  it('does not repeat the file name when the message already starts with it', async () => {
    const picker = renderPicker(PICKER_SCENARIOS, [{ file: 'scenarios/x.yaml', message: 'scenarios/x.yaml: severity: expected one of low, medium, high, critical' }]);
    const frame = await waitForFrame(picker, 'skipped scenarios/x.yaml: severity');
    expect(frame).not.toContain('scenarios/x.yaml: scenarios/x.yaml');
  });

  it('starts on the scenario named by initialScenarioId', async () => {
    const picker = renderPicker(PICKER_SCENARIOS, [], 'crash_loop');
    await ready(picker);
    expect(picker.lastFrame()).toMatch(/› Pod Crash Loop/);
    await press(picker.stdin, KEYS.enter);
    await waitUntil(() => picker.picked.length === 1, 'a scenario was picked');
    expect(picker.picked[0]!.id).toBe('crash_loop');
  });

  it('shows a reloaded list passed in place of the old one', async () => {
    const onPick = () => undefined;
    const onBack = () => undefined;
    const picker = renderInk(<ScenarioPickerScreen scenarios={PICKER_SCENARIOS.slice(0, 2)} onPick={onPick} onBack={onBack} />);
    await waitForFrame(picker, 'Incident scenarios (2)');
    picker.rerender(withKeys(<ScenarioPickerScreen scenarios={PICKER_SCENARIOS} onPick={onPick} onBack={onBack} />));
    const frame = await waitForFrame(picker, 'Incident scenarios (5)');
    expect(frame).toContain('CPU Surge');
  });

  it('keeps a long list within the terminal height and follows the cursor', async () => {
    const many = Array.from({ length: 40 }, (_, n) => scenario({ id: `drill_${n}`, name: `Drill number ${n}`, difficulty: n < 25 ? 'beginner' : 'advanced' }));
    const picker = renderPicker(many);
    await ready(picker);
    let frame = picker.lastFrame()!;
    // ink-testing-library's stdout has no rows: the picker assumes 24.
    expect(frame.split('\n').length).toBeLessThan(24);
    expect(frame).toContain('more');
    expect(frame).not.toContain('Drill number 39');
    for (let step = 0; step < 39; step += 1) await press(picker.stdin, KEYS.down);
    frame = await waitForFrame(picker, '› Drill number 39');
    expect(frame.split('\n').length).toBeLessThan(24);
    expect(frame).toContain('Advanced');
    expect(frame).not.toContain('Drill number 0 ');
  });
});
