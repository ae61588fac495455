import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { openHistory } from '../../src/history/open-history.js';
import { startSampler } from '../../src/monitor/start.js';
import type { SystemSampler } from '../../src/monitor/sampler.js';
import { createExperimentServices } from '../../src/ui/experiment-services.js';
import { ChecklistScreen } from '../../src/ui/screens/ChecklistScreen.js';
import { ExperimentPickerScreen } from '../../src/ui/screens/ExperimentPickerScreen.js';
import { ExperimentScreen } from '../../src/ui/screens/ExperimentScreen.js';
import { isAlive } from '../helpers/procs.js';
import { burst, KEYS, press, renderInk, waitForFrame, waitUntil } from '../helpers/ink.js';
import { fromObject, ledgerIsEmpty, tempData, type TempData } from './helpers.js';

let data: TempData | undefined;
let sampler: SystemSampler | undefined;
afterEach(() => {
  sampler?.stop();
  data?.remove();
});

/** A canary killed once, with short waits: the whole experiment takes about two seconds. */
const quickKill = () =>
  fromObject({
    id: 'quick-kill',
    title: 'Quick kill',
    description: 'kills the canary once',
    risk: 'low',
    severity: 1,
    checklist: { before: ['the canary is ours'], after: ['the canary is gone', 'the ledger is empty'] },
    services: [{ id: 'canary', kind: 'canary', restart: 'always', restart_delay_seconds: 0.2 }],
    probe_interval_seconds: 0.05,
    steady_state: { title: 'the canary answers', baseline_seconds: 0.4, probes: [{ name: 'canary health', kind: 'http', url: '${canary.url}/health', max_latency_ms: 500 }] },
    recovery: { consecutive: 3, within_seconds: 5 },
    method: [{ name: 'kill', fault: { kind: 'process_kill', service: 'canary' } }],
    rollbacks: [{ kind: 'service_start', service: 'canary' }],
  });

function services() {
  data = tempData();
  const config = defaultConfig();
  const started = startSampler(config);
  sampler = started;
  return createExperimentServices({ config, paths: data.paths, env: process.env, flags: {}, startMonitor: async () => started });
}

describe('the chaos experiments in the console', () => {
  it('the checklist starts nothing until every item is ticked, and refuses what cannot run here', async () => {
    const onStart = vi.fn();
    const plan = { title: 'quick-kill: Quick kill', risk: 'low' as const, lines: ['kills the canary once'], items: ['first', 'second'], problems: [] };
    const screen = renderInk(<ChecklistScreen plan={plan} onStart={onStart} onBack={() => undefined} />);
    await waitForFrame(screen, ['[ ] first', 'Tick every item before it starts (2 left)']);
    await press(screen.stdin, 's');
    expect(onStart).not.toHaveBeenCalled();
    // One chunk, as a fast typist or a paste sends it: every key counts.
    await burst(screen.stdin, KEYS.enter, KEYS.down, KEYS.enter);
    await waitForFrame(screen, ['[x] first', '[x] second', 'press s to start']);
    await press(screen.stdin, 's');
    await waitUntil(() => onStart.mock.calls.length === 1, 's to start');
    screen.unmount();

    const refused = renderInk(<ChecklistScreen plan={{ ...plan, items: [], problems: ['steady_state.probes.0: a prometheus probe needs a Prometheus'] }} onStart={onStart} onBack={() => undefined} />);
    await waitForFrame(refused, ['It cannot run here', 'a prometheus probe needs a Prometheus']);
    await press(refused.stdin, 's');
    expect(onStart).toHaveBeenCalledTimes(1);
    refused.unmount();
  });

  it('the picker groups the shipped experiments by risk, with a gameday of the mild ones', async () => {
    const picker = renderInk(<ExperimentPickerScreen services={services()} onPick={() => undefined} onBack={() => undefined} />);
    const frame = await waitForFrame(picker, ['Gameday', '── low risk', '── medium risk', 'canary-kill-mttr', 'disk-fill-headroom']);
    expect(frame.indexOf('canary-kill-mttr')).toBeLessThan(frame.indexOf('── medium risk'));
    expect(frame).toMatch(/\d+ experiment\(s\) of severity 1-3/);
    picker.unmount();
  });

  it('runs an experiment live: probe strip, latency, verdict figures, then the after-checklist ticked', async () => {
    const experiments = services();
    const events: string[] = [];
    const experiment = quickKill();
    const onBack = vi.fn();
    const run = {
      kind: 'experiment' as const,
      title: experiment.id,
      after: experiment.checklist.after,
      events: async function* (signal: AbortSignal) {
        for await (const event of experiments.run(experiment, signal)) {
          if (event.type === 'service' && event.event.type === 'started') events.push(String(event.event.pid));
          yield event;
        }
      },
    };
    const screen = renderInk(<ExperimentScreen run={run} samples={{ recent: () => [], subscribe: () => () => undefined }} onBack={onBack} />);
    await waitForFrame(screen, ['Chaos experiment · quick-kill: Quick kill', 'Probes', 'canary health', '% ok', 'Latency']);
    const over = await waitForFrame(screen, ['Deviated and recovered', 'MTTR', 'kill deviated and recovered', 'Checklist after'], 20_000);
    expect(over).toMatch(/canary health p95 \d+ ms → \d+ ms/);
    await press(screen.stdin, '2');
    await waitForFrame(screen, ['1. [ ] the canary is gone', '2. [x] the ledger is empty']);
    await press(screen.stdin, 'q');
    await waitUntil(() => onBack.mock.calls.length > 0, 'q to go back');
    screen.unmount();
    expect(events.map(Number).filter(isAlive)).toEqual([]);
    expect(await ledgerIsEmpty(data!)).toBe(true);
    const history = await openHistory({ paths: data!.paths, config: defaultConfig(), env: {} });
    try {
      expect(await history.listSessions({ kind: 'experiment', limit: 5 })).toEqual([expect.objectContaining({ subject: 'quick-kill', verdict: 'recovered' })]);
    } finally {
      await history.close();
    }
  });
});
