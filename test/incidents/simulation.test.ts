import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../../src/analysis/builtin.js';
import { findScenario, knownRootCauses, loadScenarios } from '../../src/incidents/load.js';
import { seededRandom } from '../../src/incidents/metric-series.js';
import { collectIncidentReport, MIN_TICKS, newSimulationId, runSimulation } from '../../src/incidents/simulation.js';
import type { AnalysisEvent, AnalysisInput, Analyzer, Hypothesis, IncidentEvent, RecommendedAction } from '../../src/incidents/types.js';

const { scenarios } = loadScenarios();
const causes = knownRootCauses(scenarios);
const leak = findScenario('memory_leak_gradual', scenarios)!;
const FAST = 100_000;

async function collect(events: AsyncIterable<IncidentEvent>): Promise<IncidentEvent[]> {
  const seen: IncidentEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

const messages = (events: IncidentEvent[]) => events.flatMap((event) => (event.type === 'timeline' ? [event.message] : []));

/** An analyzer that holds its hypothesis until the test lets it go, so that the order is forced, not timed. */
class GatedAnalyzer implements Analyzer {
  readonly source = 'gated';
  private release!: () => void;
  readonly released = new Promise<void>((resolve) => (this.release = resolve));
  started = false;

  let(): void {
    this.release();
  }

  async *analyze(input: AnalysisInput, signal: AbortSignal): AsyncGenerator<AnalysisEvent> {
    this.started = true;
    yield { type: 'source', source: this.source };
    await Promise.race([this.released, new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
    if (signal.aborted) return;
    const hypothesis: Hypothesis = { description: 'held', category: 'memory_leak', confidence: 0.5, evidence: [], reasoning: 'test' };
    yield { type: 'hypothesis', index: 0, hypothesis };
    yield { type: 'analysis-finished', source: this.source, hypotheses: [hypothesis], actions: [] };
  }
}

describe('runSimulation', () => {
  it('opens the incident, injects metrics, detects the anomaly, analyses, then finishes', async () => {
    const events = await collect(
      runSimulation({ scenario: leak, analyzer: new BuiltinAnalyzer({ pieceDelayMs: 0 }), knownRootCauses: causes, speed: FAST, signal: new AbortController().signal, simulationId: 'sim_0000abcd', random: seededRandom(7) }),
    );
    expect(events[0]).toMatchObject({ type: 'incident-opened', simulationId: 'sim_0000abcd', scenarioId: 'memory_leak_gradual', severity: 'critical' });
    expect(events.at(-1)).toMatchObject({ type: 'incident-finished', status: 'completed' });

    const ticks = events.flatMap((event) => (event.type === 'metrics' ? [event] : []));
    expect(ticks.length).toBeGreaterThanOrEqual(MIN_TICKS + 1);
    expect(ticks[0]!.elapsedSeconds).toBe(0);
    expect(ticks.at(-1)!.elapsedSeconds).toBe(300);
    expect(ticks.map((tick) => tick.elapsedSeconds)).toEqual([...ticks.map((tick) => tick.elapsedSeconds)].sort((a, b) => a - b));
    expect(ticks[0]!.points.map((point) => point.name)).toEqual(leak.metrics.map((metric) => metric.name));
    // The leak shows: memory at the end is far above where it started.
    expect(ticks.at(-1)!.points[1]!.value).toBeGreaterThan(90);
    expect(ticks[0]!.points[1]!.value).toBeLessThan(30);

    const lines = messages(events);
    const order = ['simulation started', 'anomaly detected', 'incident opened', 'analysis started', 'hypothesis 1', 'actions recommended', 'resolved'];
    const positions = order.map((prefix) => lines.findIndex((line) => line.startsWith(prefix)));
    expect(positions.every((position) => position >= 0), JSON.stringify(lines)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(lines.find((line) => line.startsWith('resolved'))).toContain('memory_leak');

    // The analysis begins only after metrics showed the anomaly.
    const firstAnalysis = events.findIndex((event) => event.type === 'source');
    const anomalyAt = events.findIndex((event) => event.type === 'timeline' && event.message.startsWith('anomaly detected'));
    expect(anomalyAt).toBeLessThan(firstAnalysis);
    expect(events.slice(0, anomalyAt).filter((event) => event.type === 'metrics').length).toBeGreaterThanOrEqual(2);

    const report = collectIncidentReport(events);
    expect(report).toMatchObject({ scenario: 'memory_leak_gradual', source: 'built-in', severity: 'critical' });
    expect(report.hypotheses[0]!.category).toBe('memory_leak');
    expect(report.actions.map((action) => action.type)).toEqual(expect.arrayContaining(['restart', 'scale']));
  });

  it('keeps injecting metrics while the analysis is still running', async () => {
    const analyzer = new GatedAnalyzer();
    const seen: IncidentEvent[] = [];
    let ticksDuringAnalysis = 0;
    for await (const event of runSimulation({ scenario: leak, analyzer, knownRootCauses: causes, speed: FAST, signal: new AbortController().signal })) {
      seen.push(event);
      if (event.type === 'metrics' && analyzer.started) {
        ticksDuringAnalysis += 1;
        if (ticksDuringAnalysis === 2) analyzer.let();
      }
    }
    expect(ticksDuringAnalysis).toBeGreaterThanOrEqual(2);
    const hypothesisAt = seen.findIndex((event) => event.type === 'hypothesis');
    const sourceAt = seen.findIndex((event) => event.type === 'source');
    expect(seen.slice(sourceAt, hypothesisAt).filter((event) => event.type === 'metrics').length).toBeGreaterThanOrEqual(2);
    expect(seen.at(-1)).toMatchObject({ type: 'incident-finished', status: 'completed' });
  });

  it('waits for an analysis that outlasts the metrics', async () => {
    const analyzer = new GatedAnalyzer();
    const seen: IncidentEvent[] = [];
    for await (const event of runSimulation({ scenario: leak, analyzer, knownRootCauses: causes, speed: FAST, signal: new AbortController().signal })) {
      seen.push(event);
      if (event.type === 'metrics' && event.elapsedSeconds === leak.durationSeconds) setImmediate(() => analyzer.let());
    }
    const lastTick = seen.map((event) => event.type).lastIndexOf('metrics');
    expect(seen.findIndex((event) => event.type === 'hypothesis')).toBeGreaterThan(lastTick);
    expect(seen.at(-1)).toMatchObject({ type: 'incident-finished', status: 'completed' });
  });

  it('stops on abort, with incident-finished "stopped", and stops the analyzer', async () => {
    const controller = new AbortController();
    const analyzer = new GatedAnalyzer();
    const seen: IncidentEvent[] = [];
    for await (const event of runSimulation({ scenario: leak, analyzer, knownRootCauses: causes, speed: 600, signal: controller.signal })) {
      seen.push(event);
      if (event.type === 'source') controller.abort();
    }
    expect(seen.at(-1)).toMatchObject({ type: 'incident-finished', status: 'stopped' });
    expect(seen.some((event) => event.type === 'hypothesis')).toBe(false);
    expect(messages(seen).at(-1)).toContain('stopped');
  });

  it('fails, naming the error, when the analyzer throws', async () => {
    const broken: Analyzer = {
      source: 'broken',
      async *analyze() {
        throw new Error('model exploded');
      },
    };
    const events = await collect(runSimulation({ scenario: leak, analyzer: broken, knownRootCauses: causes, speed: FAST, signal: new AbortController().signal }));
    expect(events.at(-1)).toMatchObject({ type: 'incident-finished', status: 'failed', error: 'model exploded' });
  });

  it('says actions await approval only when one needs it', async () => {
    const hypothesis: Hypothesis = { description: 'a leak', category: 'memory_leak', confidence: 0.7, evidence: [], reasoning: 'test' };
    const action = (requiresApproval: boolean): RecommendedAction => ({ type: 'scale', target: 'svc', riskLevel: requiresApproval ? 'medium' : 'low', blastRadius: '', rationale: '', requiresApproval });
    const resolvedWith = async (actions: RecommendedAction[]) => {
      const analyzer: Analyzer = {
        source: 'fixed',
        async *analyze() {
          yield { type: 'analysis-finished', source: 'fixed', hypotheses: [hypothesis], actions };
        },
      };
      const events = await collect(runSimulation({ scenario: leak, analyzer, knownRootCauses: causes, speed: FAST, signal: new AbortController().signal }));
      return messages(events).find((line) => line.startsWith('resolved'));
    };
    expect(await resolvedWith([action(false), action(false)])).toBe('resolved: root cause memory_leak (70%); no action needs approval');
    expect(await resolvedWith([])).toBe('resolved: root cause memory_leak (70%); no action recommended');
    expect(await resolvedWith([action(true), action(false)])).toBe('resolved: root cause memory_leak (70%); 1 of 2 actions await approval');
  });

  it('plays the same metrics from the same seed', async () => {
    const run = async () =>
      (await collect(runSimulation({ scenario: leak, analyzer: new BuiltinAnalyzer({ pieceDelayMs: 0 }), knownRootCauses: causes, speed: FAST, signal: new AbortController().signal, random: seededRandom(3) })))
        .filter((event) => event.type === 'metrics');
    expect(await run()).toEqual(await run());
  });
});

describe('collectIncidentReport', () => {
  it('orders hypotheses by confidence, highest first', () => {
    const hypothesis = (category: string, confidence: number): Hypothesis => ({ description: category, category, confidence, evidence: [], reasoning: '' });
    const report = collectIncidentReport([
      { type: 'incident-opened', simulationId: 'sim_1', incidentId: 'i', scenarioId: 's', severity: 'high', startedAt: '' },
      { type: 'source', source: 'x' },
      { type: 'hypothesis', index: 0, hypothesis: hypothesis('a', 0.3) },
      { type: 'hypothesis', index: 1, hypothesis: hypothesis('b', 0.8) },
      { type: 'hypothesis', index: 2, hypothesis: hypothesis('c', 0.5) },
    ]);
    expect(report.hypotheses.map((item) => item.category)).toEqual(['b', 'c', 'a']);
    expect(report).toMatchObject({ scenario: 's', severity: 'high', source: 'x' });
  });
});

describe('newSimulationId', () => {
  it('is "sim_" and 8 hex digits', () => {
    expect(newSimulationId()).toMatch(/^sim_[0-9a-f]{8}$/);
    expect(newSimulationId()).not.toBe(newSimulationId());
  });
});
