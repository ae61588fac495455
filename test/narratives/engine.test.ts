import { describe, expect, it } from 'vitest';
import type { DrillResult, RunEvent } from '../../src/drills/types.js';
import { NarrativeController, type EffectEvent, type NarrativeEvent, type SceneEffects } from '../../src/narratives/engine.js';
import { parseNarrative } from '../../src/narratives/load.js';
import type { Narrative, SceneRun } from '../../src/narratives/schema.js';

/**
 * The controller on its own. The scenes' effects here are small scripted event sources (the
 * engine's contract: an effect is any stream of RunEvent / IncidentEvent); the real effects are
 * run end to end in test/narratives/demo-cli.test.ts and the tmux test.
 */

function narrative(yaml: object): Narrative {
  const result = parseNarrative({ id: 't', title: 'T', audience: 'A', summary: 'S', planned_minutes: 2, requires: { drills: true }, ...yaml }, 'test.yaml');
  if ('error' in result) throw new Error(result.error.message);
  return result.narrative;
}

const result = (success: boolean): DrillResult => ({
  test: 'cpu_spike',
  success,
  eventsTriggered: 1,
  events: [],
  startedAt: '',
  completedAt: '',
  durationMs: 5,
  measured: {},
  summary: success ? 'CPU reached 99 %' : 'CPU peaked at 40 %',
});

/** Effects that play a script, then hold until their scene ends them; records which ran and ended. */
function scripted(scripts: Record<string, EffectEvent[]>) {
  const log: string[] = [];
  const effects: SceneEffects = {
    rehearsal: false,
    start(run: SceneRun, signal: AbortSignal) {
      const name = 'drills' in run ? `drills:${String(run.drills)}` : 'incident' in run ? `incident:${run.incident}` : 'live';
      log.push(`start ${name}`);
      return {
        events: (async function* () {
          for (const event of scripts[name] ?? []) {
            await new Promise((resolve) => setTimeout(resolve, 5));
            yield event;
          }
          await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
          log.push(`end ${name}`);
        })(),
      };
    },
  };
  return { effects, log };
}

async function collect(controller: NarrativeController, drive: (event: NarrativeEvent, controller: NarrativeController) => void): Promise<NarrativeEvent[]> {
  const events: NarrativeEvent[] = [];
  for await (const event of controller.events()) {
    events.push(event);
    drive(event, controller);
  }
  return events;
}

const drillFinished = (success: boolean): EffectEvent => ({ source: 'drills', event: { type: 'drill-finished', result: result(success) } as RunEvent });

describe('the narrative controller', () => {
  it('goes scene by scene, reveals before moving on, ends each scene\'s effects first, and books the time per scene', async () => {
    const story = narrative({
      scenes: [
        { title: 'One', say: 'a', run: { drills: 'cpu_spike' }, until: 'drill passed', ask: 'Why?', reveal: 'Because.' },
        { title: 'Two', say: 'b', run: { drills: 'disk_fill' } },
        { title: 'Three', say: 'c' },
      ],
    });
    const { effects, log } = scripted({ 'drills:cpu_spike': [drillFinished(true)] });
    const controller = new NarrativeController({ narrative: story, effects, signal: new AbortController().signal });
    const events = await collect(controller, (event, driver) => {
      if (event.type === 'satisfied' || event.type === 'reveal' || (event.type === 'scene-started' && event.scene.index > 0)) void driver.next();
    });
    const shown = events.flatMap((event) => (event.type === 'scene-started' ? [event.scene.title] : event.type === 'reveal' ? [`reveal ${event.text}`] : event.type === 'satisfied' ? [`✓ ${event.what}`] : []));
    expect(shown).toEqual(['One', '✓ drill passed', 'reveal Because.', 'Two', 'Three']);
    expect(log).toEqual(['start drills:cpu_spike', 'end drills:cpu_spike', 'start drills:disk_fill', 'end drills:disk_fill']);
    const finished = events.at(-1);
    expect(finished).toMatchObject({ type: 'narrative-finished', reason: 'completed' });
    const timings = (finished as Extract<NarrativeEvent, { type: 'narrative-finished' }>).timings;
    expect(timings.map((timing) => [timing.title, timing.satisfied, timing.plannedSeconds])).toEqual([
      ['One', true, 40],
      ['Two', null, 40],
      ['Three', null, 40],
    ]);
    expect(timings[0]!.measured).toEqual(['cpu_spike passed: CPU reached 99 %']);
  });

  it('says in one line when what a scene waits for is not coming, and lets the presenter go on', async () => {
    const story = narrative({ scenes: [{ title: 'One', say: 'a', run: { drills: 'cpu_spike' }, until: 'drill passed' }, { title: 'Two', say: 'b' }] });
    const { effects } = scripted({ 'drills:cpu_spike': [drillFinished(false)] });
    const controller = new NarrativeController({ narrative: story, effects, signal: new AbortController().signal });
    const events = await collect(controller, (event, driver) => {
      if (event.type === 'not-coming' || (event.type === 'scene-started' && event.scene.index === 1)) void driver.next();
    });
    expect(events.filter((event) => event.type === 'not-coming')).toEqual([
      { type: 'not-coming', index: 0, reason: 'cpu_spike failed (CPU peaked at 40 %), not passed' },
    ]);
  });

  it('times out a wait at the scene\'s timeout', async () => {
    const story = narrative({ scenes: [{ title: 'One', say: 'a', run: { drills: 'cpu_spike' }, until: 'drill passed', timeout_seconds: 1 }] });
    const { effects } = scripted({});
    const controller = new NarrativeController({ narrative: story, effects, signal: new AbortController().signal, pace: 0.2 });
    const events = await collect(controller, (event, driver) => {
      if (event.type === 'not-coming') void driver.quit();
    });
    expect(events.find((event) => event.type === 'not-coming')).toMatchObject({ reason: '"drill passed" did not come within 1 s: go on when ready' });
    expect(events.at(-1)).toMatchObject({ type: 'narrative-finished', reason: 'quit' });
  });

  it('keeps a scene\'s effects into the next scene when asked, and judges the next scene\'s wait on them', async () => {
    const story = narrative({
      scenes: [
        { title: 'One', say: 'a', run: { drills: 'cpu_spike' }, keep: true },
        { title: 'Two', say: 'b', until: 'drill passed' },
        { title: 'Three', say: 'c' },
      ],
    });
    const { effects, log } = scripted({ 'drills:cpu_spike': [drillFinished(true)] });
    const controller = new NarrativeController({ narrative: story, effects, signal: new AbortController().signal });
    const events = await collect(controller, (event, driver) => {
      if (event.type === 'effect') void driver.next();
      if (event.type === 'satisfied') void driver.next().then(() => driver.next());
    });
    expect(events.find((event) => event.type === 'satisfied')).toMatchObject({ index: 1, what: 'drill passed' });
    expect(log).toEqual(['start drills:cpu_spike', 'end drills:cpu_spike']);
  });

  it('takes a burst of clicker keys in order: none lost, back never undoes an effect', async () => {
    const story = narrative({ scenes: ['A', 'B', 'C', 'D', 'E'].map((title) => ({ title, say: title, run: { drills: 'cpu_spike' } })) });
    const { effects, log } = scripted({});
    const controller = new NarrativeController({ narrative: story, effects, signal: new AbortController().signal });
    const events: NarrativeEvent[] = [];
    const reading = (async () => {
      for await (const event of controller.events()) events.push(event);
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Next x3, back x2, next x1, all at once, as a clicker held down would send them.
    await Promise.all([controller.next(), controller.next(), controller.next(), controller.back(), controller.back(), controller.next()]);
    expect(controller.snapshot()).toMatchObject({ current: { title: 'D' }, shown: { title: 'C' } });
    await controller.next();
    expect(controller.snapshot()).toMatchObject({ current: { title: 'D' }, shown: { title: 'D' } });
    await controller.restart();
    await controller.quit();
    await reading;
    expect(log.filter((line) => line.startsWith('start')).length).toBe(5);
    expect(log.filter((line) => line.startsWith('end')).length).toBe(5);
    expect(events.filter((event) => event.type === 'scene-shown').map((event) => (event as { scene: { title: string } }).scene.title)).toEqual(['C', 'B', 'C', 'D']);
  });

  it('holds the scene clock while paused', async () => {
    const story = narrative({ scenes: [{ title: 'One', say: 'a', until: '1 s' }] });
    const { effects } = scripted({});
    const controller = new NarrativeController({ narrative: story, effects, signal: new AbortController().signal });
    const started = Date.now();
    const events = await collect(controller, (event, driver) => {
      if (event.type === 'scene-started') {
        void driver.pause();
        setTimeout(() => void driver.pause(), 600);
      }
      if (event.type === 'satisfied') void driver.quit();
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1550);
    expect(events.filter((event) => event.type === 'paused').map((event) => (event as { paused: boolean }).paused)).toEqual([true, false]);
  });
});
