import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { BuiltinAnalyzer, rankHypotheses } from '../../src/analysis/builtin.js';
import { selectAnalyzer } from '../../src/analysis/select.js';
import { knownRootCauses, loadScenarios } from '../../src/incidents/load.js';
import { runSimulation } from '../../src/incidents/simulation.js';
import type { Analyzer, Scenario } from '../../src/incidents/types.js';
import { formatConfidence } from '../../src/ui/incident/format-metric.js';
import { IncidentScreen } from '../../src/ui/screens/IncidentScreen.js';
import { ScenarioPickerScreen } from '../../src/ui/screens/ScenarioPickerScreen.js';
import { KEYS, press, renderInk, type, waitForFrame, waitUntil } from '../helpers/ink.js';

const servers: Server[] = [];
afterEach(async () => {
  cleanup();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const shipped = loadScenarios();

function simulate(scenario: Scenario, analyzer: Analyzer) {
  // Fast enough for a test, slow enough that several metric ticks are drawn.
  return (signal: AbortSignal) => runSimulation({ scenario, analyzer, knownRootCauses: knownRootCauses(shipped.scenarios), speed: 2000, signal });
}

describe('the incident screens with the shipped scenarios and the in-process engine', () => {
  it('the picker lists every shipped scenario, beginner first, and picks one by filter', async () => {
    expect(shipped.errors).toEqual([]);
    const picked: Scenario[] = [];
    const picker = renderInk(<ScenarioPickerScreen scenarios={shipped.scenarios} loadErrors={shipped.errors} onPick={(item) => picked.push(item)} onBack={() => undefined} />);
    const frame = await waitForFrame(picker, `Incident scenarios (${shipped.scenarios.length})`);
    expect(frame.indexOf('Beginner')).toBeLessThan(frame.indexOf('Intermediate'));
    expect(frame.indexOf('Intermediate')).toBeLessThan(frame.indexOf('Advanced'));
    expect(frame).toContain('Gradual Memory Leak');
    expect(frame).not.toContain('skipped');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await press(picker.stdin, '/');
    await type(picker.stdin, 'gradual');
    await waitForFrame(picker, `(1 of ${shipped.scenarios.length})`);
    await press(picker.stdin, KEYS.enter);
    await waitUntil(() => picked.length === 1, 'a scenario was picked');
    expect(picked[0]!.id).toBe('memory_leak_gradual');
  });

  it('plays memory_leak_gradual with the built-in analyzer to completion', async () => {
    const scenario = shipped.scenarios.find((item) => item.id === 'memory_leak_gradual')!;
    const screen = renderInk(<IncidentScreen scenario={scenario} events={simulate(scenario, new BuiltinAnalyzer({ pieceDelayMs: 0 }))} onBack={() => undefined} />);
    const frame = await waitForFrame(screen, 'incident completed', 20_000);
    expect(frame).toContain('source: built-in');
    expect(frame).toContain('memory_usage_bytes');
    const top = rankHypotheses(scenario)[0]!;
    const topLine = frame.split('\n').find((line) => line.includes('1. '))!;
    expect(topLine).toContain(formatConfidence(top.confidence));
    expect(topLine).toContain(top.category);
    expect(frame.split('\n').length).toBeLessThan(24);
  });

  it('an LLM that fails on loopback leaves a notice and the fallback named as the source', async () => {
    const llm = createServer((_request, response) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'model not loaded' } }));
    });
    servers.push(llm);
    await new Promise<void>((resolve) => llm.listen(0, '127.0.0.1', resolve));
    const { port } = llm.address() as AddressInfo;
    const analyzer = selectAnalyzer({ url: `http://127.0.0.1:${port}/v1`, model: 'tiny', timeoutMs: 5000 }, { fallback: new BuiltinAnalyzer({ pieceDelayMs: 0 }), llm: { maxRetries: 0 } });
    const scenario = shipped.scenarios.find((item) => item.id === 'cpu_spike_traffic_surge')!;
    const screen = renderInk(<IncidentScreen scenario={scenario} events={simulate(scenario, analyzer)} onBack={() => undefined} />);
    const frame = await waitForFrame(screen, 'incident completed', 20_000);
    expect(frame).toMatch(/source: built-in \(fallback/);
    const notices = frame.split('\n').filter((line) => /^[⚠✖] (warn|error): /.test(line));
    expect(notices.some((line) => line.includes(`127.0.0.1:${port}`) && line.includes('500'))).toBe(true);
  });
});
