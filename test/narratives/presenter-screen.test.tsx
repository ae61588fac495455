import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { loadScenarios } from '../../src/incidents/load.js';
import { loadNarratives } from '../../src/narratives/load.js';
import { present } from '../../src/narratives/present.js';
import type { Narrative } from '../../src/narratives/schema.js';
import { resolvePaths } from '../../src/paths.js';
import { App } from '../../src/ui/App.js';
import { HOME_ENTRIES } from '../../src/ui/screens/HomeScreen.js';
import { PresenterScreen } from '../../src/ui/demo/PresenterScreen.js';
import { presenterReducer, initialPresenterState } from '../../src/ui/demo/presenter-state.js';
import type { ConsoleServices } from '../../src/ui/services.js';
import { burst, fits, KEYS, press, renderInk, resize, waitForFrame, waitUntil } from '../helpers/ink.js';
import { feed, sample, services } from '../ui/console-fixtures.js';

// The presenter screen on the real narrative engine, rehearsing (no load), at the smallest size
// the narratives ask for. The gauges read a fixed feed.

const RIGHT = '\u001B[C';
const LEFT = '\u001B[D';

let dir: string;
let consoleServices: ConsoleServices;
let sayAfterExit: string[];
const narratives = loadNarratives(path.resolve('narratives')).narratives;
const lightning = narratives.find((narrative) => narrative.id === 'lightning-tour')!;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fd-screen-'));
  const scenarios = loadScenarios(path.resolve('scenarios')).scenarios;
  sayAfterExit = [];
  const setup = { config: defaultConfig(), paths: resolvePaths({ dataDir: path.join(dir, 'd') }), env: {}, scenarios, llm: null };
  consoleServices = services({
    samples: feed([sample(1, 12), sample(2, 14)]),
    loadScenarios: async () => ({ scenarios, errors: [] }),
    demos: {
      loadNarratives: async () => ({ narratives, errors: [] }),
      present: (narrative: Narrative, options) => present(setup, narrative, options),
      sayAfterExit: (lines) => sayAfterExit.push(...lines),
    },
  });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the presenter screen', () => {
  it('fits 80x24 in every scene, takes a burst of clicker keys, and prints the rehearsal times after it', async () => {
    let left = false;
    const instance = renderInk(<PresenterScreen services={consoleServices} narrative={lightning} rehearse pace={0.05} auto={false} onBack={() => (left = true)} />);
    await resize(instance, { rows: 24, columns: 80 });
    const first = await waitForFrame(instance, ['Fire drills for incidents', 'REHEARSAL', 'scene 1/5', 'next: A real drill']);
    expect(fits(first, { rows: 24, columns: 80 })).toBe(true);
    // Three nexts in one chunk, as a held clicker sends them: scene 2, 3, then 4.
    await burst(instance.stdin, RIGHT, ' ', KEYS.pageDown);
    const live = await waitForFrame(instance, ['A live incident', 'scene 4/5']);
    expect(fits(live, { rows: 24, columns: 80 })).toBe(true);
    const verdict = await waitForFrame(instance, ['verdict found it: report-builder', '· by CPU', 'report-builder']);
    expect(fits(verdict, { rows: 24, columns: 80 })).toBe(true);
    await press(instance.stdin, LEFT);
    await waitForFrame(instance, 'Showing scene 3 again; scene 4 goes on');
    await press(instance.stdin, 'b');
    await waitForFrame(instance, (frame) => frame.trim() === '');
    await press(instance.stdin, 'b', RIGHT, RIGHT);
    await waitForFrame(instance, ['Try it', 'scene 5/5']);
    await press(instance.stdin, KEYS.enter);
    const end = await waitForFrame(instance, ['Finished (completed)', 'Time per scene']);
    expect(fits(end, { rows: 24, columns: 80 })).toBe(true);
    expect(sayAfterExit[0]).toBe('Rehearsal of firedrill in five minutes: time per scene');
    await press(instance.stdin, 'q');
    await waitUntil(() => left, 'the screen went back');
    instance.unmount();
  });

  it('asks before quitting, and quits on y', async () => {
    let left = false;
    const instance = renderInk(<PresenterScreen services={consoleServices} narrative={lightning} rehearse pace={0.05} auto={false} onBack={() => (left = true)} />);
    await waitForFrame(instance, 'Fire drills for incidents');
    await press(instance.stdin, 'q');
    await waitForFrame(instance, 'Quit the demo? y or Enter quits');
    await press(instance.stdin, 'n');
    await waitForFrame(instance, (frame) => !frame.includes('Quit the demo?'));
    expect(left).toBe(false);
    await press(instance.stdin, KEYS.escape, 'y');
    await waitUntil(() => left, 'the screen went back');
    instance.unmount();
  });
});

describe('presenter demos from the home menu', () => {
  it('leads to the narratives, rehearses one on r, and comes back to the list after quitting it', async () => {
    const app = renderInk(<App services={consoleServices} />);
    await waitForFrame(app, 'Presenter demos');
    await press(app.stdin, ...HOME_ENTRIES.slice(0, HOME_ENTRIES.findIndex((entry) => entry.label === 'Presenter demos')).map(() => KEYS.down), KEYS.enter);
    await waitForFrame(app, ['Pick a narrative', 'firedrill in five minutes', 'present for real']);
    await press(app.stdin, 'r', KEYS.down);
    await waitForFrame(app, ['REHEARSAL: simulated load', 'Enter rehearse']);
    await press(app.stdin, KEYS.enter);
    await waitForFrame(app, ['Fire drills for incidents', 'REHEARSAL · scene 1/5']);
    await press(app.stdin, 'q', 'y');
    await waitForFrame(app, ['Pick a narrative', '› firedrill in five minutes']);
    app.unmount();
  });
});

describe('the presenter state', () => {
  it('keeps showing an effect the scene before kept, and drops one it ended', () => {
    const reduce = presenterReducer(() => undefined);
    const scene = (index: number, runs: 'drills' | null) => ({
      index,
      count: 3,
      title: `S${index}`,
      say: '',
      notes: null,
      ask: null,
      until: null,
      plannedSeconds: 10,
      nextTitle: null,
      runs,
      drills: runs ? (['cpu_spike'] as const).slice() : [],
      incident: null,
      live: null,
      rehearsal: false,
    });
    let state = reduce(initialPresenterState('T', false), { type: 'scene-started', scene: scene(0, 'drills'), at: '' });
    expect(state.effect?.kind).toBe('drills');
    state = reduce(state, { type: 'scene-started', scene: scene(1, null), at: '' });
    expect(state.effect?.kind).toBe('drills');
    state = reduce(state, { type: 'effects-ended', index: 0 });
    state = reduce(state, { type: 'scene-started', scene: scene(2, null), at: '' });
    expect(state.effect).toBeNull();
  });
});
