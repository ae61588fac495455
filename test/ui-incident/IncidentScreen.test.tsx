import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import type { Hypothesis, IncidentEvent, RecommendedAction } from '../../src/incidents/types.js';
import { IncidentScreen } from '../../src/ui/screens/IncidentScreen.js';
import { eventFeed, metric, scenario } from './fixtures.js';
import { KEYS, press, renderInk, resize, waitForFrame, waitUntil } from '../helpers/ink.js';
import type { SystemSample } from '../../src/drills/types.js';
import type { SampleFeed } from '../../src/ui/services.js';

afterEach(() => cleanup());

const GIB = 1024 ** 3;
const LEAK = scenario({
  id: 'memory_leak_gradual',
  name: 'Gradual Memory Leak',
  severity: 'critical',
  difficulty: 'beginner',
  service: 'payment-service',
  metrics: [
    metric({ name: 'memory_usage_bytes', value: 8 * GIB, baseline: 2 * GIB, deviationSigma: 6, unit: 'bytes' }),
    metric({ name: 'http_request_duration_seconds_p95', value: 4.2, baseline: 0.3, deviationSigma: 5, unit: 'seconds' }),
  ],
});

const OPENED: IncidentEvent = { type: 'incident-opened', simulationId: 'sim_0a1b2c3d', incidentId: 'inc-1', scenarioId: LEAK.id, severity: 'critical', startedAt: new Date().toISOString() };

function tick(elapsedSeconds: number, memoryGib: number): IncidentEvent {
  return {
    type: 'metrics',
    elapsedSeconds,
    points: [
      { name: 'memory_usage_bytes', value: memoryGib * GIB, baseline: 2 * GIB, unit: 'bytes' },
      { name: 'http_request_duration_seconds_p95', value: 0.42, baseline: 0.3, unit: 'seconds' },
    ],
  };
}

const LEAK_HYPOTHESIS: Hypothesis = {
  description: 'The Redis connection pool added in v2.3.1 leaks connections',
  category: 'memory_leak',
  confidence: 0.82,
  evidence: [
    { signal: 'garbage_collections_total', observation: 'GC runs ten times as often', relevance: 0.4 },
    { signal: 'memory_usage_bytes', observation: 'grew linearly from 2 GiB to 8 GiB', relevance: 0.95 },
  ],
  reasoning: 'Linear growth after a deployment that touched connection handling.',
};
const TRAFFIC_HYPOTHESIS: Hypothesis = { ...LEAK_HYPOTHESIS, description: 'More traffic than usual', category: 'traffic_spike', confidence: 0.31, evidence: [] };
const RESTART: RecommendedAction = { type: 'restart_pod', target: 'payment-service', riskLevel: 'medium', blastRadius: 'one pod at a time', rationale: 'frees the leaked memory', requiresApproval: true };

describe('IncidentScreen', () => {
  it('shows the source, metrics, streamed hypothesis text, ranked hypotheses, actions, notices, then completion', async () => {
    const feed = eventFeed();
    let backs = 0;
    const screen = renderInk(<IncidentScreen scenario={LEAK} events={feed.source} onBack={() => (backs += 1)} />);
    let frame = await waitForFrame(screen, 'Gradual Memory Leak');
    expect(frame).toContain('payment-service');
    expect(frame).toContain('critical');
    expect(frame).toContain('beginner');
    expect(frame).toContain('source: waiting for the analyzer');

    feed.push(OPENED, { type: 'source', source: 'built-in' }, tick(1, 3), tick(2, 5), { type: 'timeline', at: new Date().toISOString(), message: 'metrics injection started' });
    frame = await waitForFrame(screen, 'source: built-in');
    frame = await waitForFrame(screen, '5.0 GiB');
    const memoryLine = frame.split('\n').find((line) => line.includes('memory_usage_bytes'))!;
    // 8 GiB is 6 sigma above 2 GiB, so one sigma is 1 GiB: 5 GiB is +3.0 sigma.
    expect(memoryLine).toMatch(/5\.0 GiB\s+base 2\.0 GiB\s+\+3\.0σ/);
    expect(frame).toMatch(/http_request_duration_seconds_p95\s+420 ms\s+base 300 ms/);
    expect(frame).toContain('metrics injection started');
    expect(frame).toContain('sim_0a1b2c3d');
    expect(frame).toContain('t+2s');

    feed.push({ type: 'hypothesis-text', index: 0, text: 'The Redis connection pool ' });
    await waitForFrame(screen, 'writing #1: The Redis connection pool');
    feed.push({ type: 'hypothesis-text', index: 0, text: 'added in v2.3.1 leaks' });
    await waitForFrame(screen, 'writing #1: The Redis connection pool added in v2.3.1 leaks');

    feed.push({ type: 'hypothesis', index: 1, hypothesis: TRAFFIC_HYPOTHESIS }, { type: 'hypothesis', index: 0, hypothesis: LEAK_HYPOTHESIS });
    frame = await waitForFrame(screen, '82%');
    expect(frame).not.toContain('writing #1');
    const leakLine = frame.split('\n').findIndex((line) => line.includes('82%'));
    const trafficLine = frame.split('\n').findIndex((line) => line.includes('31%'));
    expect(leakLine).toBeGreaterThan(-1);
    expect(trafficLine).toBeGreaterThan(leakLine);
    expect(frame.split('\n')[leakLine]).toMatch(/1\. .*82% memory_leak\s+The Redis connection pool added in v2\.3\.1 leaks connections/);
    // The most relevant evidence is the one shown.
    expect(frame).toContain('memory_usage_bytes: grew linearly from 2 GiB to 8 GiB');

    feed.push({ type: 'action', action: RESTART }, { type: 'notice', level: 'warn', message: 'The LLM at http://127.0.0.1:9/v1 did not answer: using the built-in analyzer.' });
    frame = await waitForFrame(screen, 'needs approval');
    expect(frame).toMatch(/restart_pod → payment-service\s+risk medium\s+needs approval/);
    expect(frame).toContain('warn: The LLM at http://127.0.0.1:9/v1 did not answer: using the built-in analyzer.');

    feed.push(
      { type: 'analysis-finished', source: 'built-in', hypotheses: [LEAK_HYPOTHESIS, TRAFFIC_HYPOTHESIS], actions: [RESTART] },
      { type: 'incident-finished', status: 'completed', completedAt: new Date().toISOString() },
    );
    feed.end();
    frame = await waitForFrame(screen, 'incident completed');
    expect(frame).toContain('source: built-in');
    // The final lists replaced the streamed ones: one action, not two.
    expect(frame.match(/restart_pod/g)).toHaveLength(1);
    expect(frame.split('\n').length).toBeLessThan(24);
    await waitUntil(() => feed.finallyRan, 'the event source was closed');
    expect(backs).toBe(0);
  });

  it('shows that the analyzer waits, and for how long, until the LLM says something', async () => {
    const feed = eventFeed();
    const screen = renderInk(<IncidentScreen scenario={LEAK} events={feed.source} onBack={() => undefined} />);
    const waiting = (seconds: number): IncidentEvent => ({
      type: 'analysis-waiting',
      message: `waiting for the LLM at http://127.0.0.1:11434/v1 to answer: ${seconds} s (gives up after 20 s of silence)`,
      waitedSeconds: seconds,
    });
    feed.push(OPENED, { type: 'source', source: 'llama3.1:8b via 127.0.0.1:11434' }, waiting(1), tick(1, 3), waiting(2));
    const frame = await waitForFrame(screen, 'to answer: 2 s');
    expect(frame).toMatch(/Hypotheses \(waiting for the LLM at http:\/\/127\.0\.0\.1:11434\/v1 to answer: 2 s/);
    feed.push({ type: 'hypothesis-text', index: 0, text: 'The heap grows' });
    expect(await waitForFrame(screen, 'The heap grows')).not.toContain('to answer:');
  });

  it('q aborts the stream (its finally runs) and goes back', async () => {
    const feed = eventFeed();
    let backs = 0;
    const screen = renderInk(<IncidentScreen scenario={LEAK} events={feed.source} onBack={() => (backs += 1)} />);
    feed.push(OPENED, { type: 'source', source: 'llama3.1:8b via http://127.0.0.1:11434/v1' }, tick(1, 3));
    await waitForFrame(screen, 'source: llama3.1:8b via http://127.0.0.1:11434/v1');
    await waitForFrame(screen, 'q/Esc stops it');
    expect(feed.finallyRan).toBe(false);
    await press(screen.stdin, 'q');
    await waitUntil(() => backs === 1, 'onBack was called');
    await waitUntil(() => feed.finallyRan, "the generator's finally ran");
    expect(feed.signal?.aborted).toBe(true);
  });

  it('Esc aborts too, and unmounting aborts a stream nobody left', async () => {
    const escFeed = eventFeed();
    let backs = 0;
    const escScreen = renderInk(<IncidentScreen scenario={LEAK} events={escFeed.source} onBack={() => (backs += 1)} />);
    escFeed.push(OPENED);
    await waitForFrame(escScreen, 'status: running');
    await press(escScreen.stdin, KEYS.escape);
    await waitUntil(() => backs === 1 && escFeed.finallyRan, 'Esc went back and closed the stream');

    const unmountFeed = eventFeed();
    const unmounted = renderInk(<IncidentScreen scenario={LEAK} events={unmountFeed.source} onBack={() => undefined} />);
    unmountFeed.push(OPENED);
    await waitForFrame(unmounted, 'status: running');
    unmounted.unmount();
    await waitUntil(() => unmountFeed.finallyRan, 'unmounting closed the stream');
  });

  it('text being written wraps over a few lines and keeps its newest words in view', async () => {
    const feed = eventFeed();
    const screen = renderInk(<IncidentScreen scenario={LEAK} events={feed.source} onBack={() => undefined} />);
    const words = Array.from({ length: 60 }, (_, n) => `word${n}`);
    feed.push(OPENED, ...words.map((word): IncidentEvent => ({ type: 'hypothesis-text', index: 0, text: `${word} ` })));
    const frame = await waitForFrame(screen, 'word59');
    const lines = frame.split('\n');
    const first = lines.findIndex((line) => line.includes('writing #1: '));
    expect(first).toBeGreaterThan(-1);
    // The lines after the prefixed one continue the same text, at the same indent.
    expect(lines[first + 1]).toMatch(/^ {14}word\d+/);
    expect(frame).not.toContain('word0 ');
    expect(lines.every((line) => line.length <= 100)).toBe(true);
  });

  it('a stream that breaks shows the failure in one line', async () => {
    const feed = eventFeed();
    const screen = renderInk(<IncidentScreen scenario={LEAK} events={feed.source} onBack={() => undefined} />);
    feed.push(OPENED, tick(1, 3));
    await waitForFrame(screen, '3.0 GiB');
    feed.fail(new Error('The incident API at http://127.0.0.1:8000/api/v1 closed the stream.'));
    await waitForFrame(screen, 'incident failed: The incident API at http://127.0.0.1:8000/api/v1 closed the stream.');
  });

  it('folds a burst of metric ticks into a few renders and shows the last one', async () => {
    const feed = eventFeed();
    const screen = renderInk(<IncidentScreen scenario={LEAK} events={feed.source} onBack={() => undefined} />);
    feed.push(OPENED);
    await waitForFrame(screen, 'status: running');
    const framesBefore = screen.frames.length;
    // Each tick in its own turn of the event loop, as a real engine's timer delivers them, so
    // that React cannot batch them by itself: only the screen's throttle keeps the renders down.
    for (let n = 1; n <= 200; n += 1) {
      feed.push(tick(n, 2 + n / 100));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitForFrame(screen, '4.0 GiB');
    await waitForFrame(screen, 't+200s');
    expect(screen.frames.length - framesBefore).toBeLessThan(30);
  });

  it('shows this machine\'s compact gauges beside the hypotheses, and fits 80x24 to 120x60 with a line to spare', async () => {
    const reading: SystemSample = {
      at: Date.now(),
      cpuPercent: 93.5,
      memUsedBytes: 6 * GIB,
      memTotalBytes: 24 * GIB,
      memPercent: 25,
      diskUsedBytes: 40 * GIB,
      diskTotalBytes: 100 * GIB,
      diskPercent: 40,
      processCount: 99,
    };
    const samples: SampleFeed = { recent: () => [reading], subscribe: () => () => {} };
    const feed = eventFeed();
    const screen = renderInk(<IncidentScreen scenario={LEAK} events={feed.source} samples={samples} onBack={() => undefined} />);
    const timeline = Array.from({ length: 12 }, (_, n): IncidentEvent => ({ type: 'timeline', at: new Date().toISOString(), message: `step ${n}` }));
    const notices = Array.from({ length: 4 }, (_, n): IncidentEvent => ({ type: 'notice', level: 'info', message: `notice ${n}` }));
    const ranked = [LEAK_HYPOTHESIS, TRAFFIC_HYPOTHESIS, { ...TRAFFIC_HYPOTHESIS, description: 'A noisy neighbour', confidence: 0.2 }, { ...TRAFFIC_HYPOTHESIS, description: 'Bad config', confidence: 0.1 }];
    feed.push(OPENED, { type: 'source', source: 'built-in' }, tick(1, 3), ...timeline, ...notices, { type: 'analysis-finished', source: 'built-in', hypotheses: ranked, actions: [RESTART, { ...RESTART, type: 'scale_up' }, { ...RESTART, type: 'rollback' }, { ...RESTART, type: 'page' }] });

    const sizes = [
      { rows: 24, columns: 80 },
      { rows: 20, columns: 80 },
      { rows: 40, columns: 100 },
      { rows: 60, columns: 120 },
    ];
    const frames = new Map<string, string>();
    let frame0 = '';
    for (const size of sizes) {
      await resize(screen, size);
      // Waits for the frame drawn at this size: one that fits, with a line to spare. A frame drawn
      // for the previous width can still arrive after the resize: it is waited past, not judged.
      const fits = (text: string) => text.split('\n').length < size.rows && text.split('\n').every((line) => line.length <= size.columns);
      const frame = await waitForFrame(screen, (text) => fits(text) && text.includes('needs approval') && !frames.has(`${size.rows}x${size.columns}`) && frame0 !== text);
      frame0 = frame;
      expect(frame.split('\n').every((line) => line.length <= size.columns)).toBe(true);
      // The gauges are there at every size, on one line, with the hypotheses and the actions.
      expect(frame).toMatch(/CPU\s+[█░]*\s+93\.5 %\s+MEM\s+[█░]*\s+25\.0 %\s+DISK\s+[█░]*\s+40\.0 %/);
      expect(frame).toMatch(/1\. .*82% memory_leak/);
      expect(frame).toContain('restart_pod → payment-service');
      frames.set(`${size.rows}x${size.columns}`, frame);
    }
    // A short terminal keeps the leading hypothesis and the actions; a tall one shows three
    // hypotheses with their evidence, three actions, three notices and eight timeline lines.
    expect(frames.get('20x80')).not.toContain('step 11');
    const tall = frames.get('60x120')!;
    expect(tall).toContain('3. ');
    expect(tall).toContain('memory_usage_bytes: grew linearly from 2 GiB to 8 GiB');
    expect(tall).toContain('Hypotheses (1 more not shown)');
    expect(tall).toContain('Recommended actions (1 more not shown)');
    expect(tall).toContain('Timeline (last 8 of');
    expect(tall).toContain('notice 3');
    expect(tall).not.toContain('notice 0');
  });
});
