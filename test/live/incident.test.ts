import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import os from 'node:os';
import { BuiltinAnalyzer } from '../../src/analysis/builtin.js';
import { defaultConfig } from '../../src/config/config.js';
import { liveChildPids } from '../../src/drills/emergency.js';
import { openLedger, readLedger } from '../../src/drills/ledger.js';
import { createLiveFault } from '../../src/live/faults.js';
import { runLiveIncident, type LiveIncidentEvent } from '../../src/live/incident.js';
import { liveFaultSpecSchema } from '../../src/live/spec.js';
import { isAlive } from '../helpers/procs.js';
import { scratch } from '../drills/helpers.js';

let dirs: Awaited<ReturnType<typeof scratch>>;
beforeEach(async () => {
  dirs = await scratch();
});
afterEach(async () => {
  await dirs.dispose();
});

function live(spec: Record<string, unknown>, signal: AbortSignal, holdSeconds = 1) {
  const fault = createLiveFault(liveFaultSpecSchema.parse(spec), { ledger: openLedger(dirs.paths), drills: defaultConfig().drills });
  return runLiveIncident({
    fault,
    analyzer: new BuiltinAnalyzer({ pieceDelayMs: 0 }),
    knownRootCauses: [],
    signal,
    sampleMs: 400,
    baselineSeconds: 1.5,
    holdSeconds,
    recoverWithinSeconds: 2,
  });
}

describe('the live incident', () => {
  it('diagnoses a real runaway process from real readings, then ends it and leaves nothing', async () => {
    const events: LiveIncidentEvent[] = [];
    // One busy thread per core: unmistakable even on a machine others use.
    for await (const event of live({ fault: 'runaway_cpu', process_name: 'report-builder', threads: os.availableParallelism() }, new AbortController().signal)) events.push(event);
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('incident-opened');
    expect(types.at(-1)).toBe('incident-finished');
    expect(events.at(-1)).toMatchObject({ type: 'incident-finished', status: 'completed' });
    const started = events.find((event) => event.type === 'fault' && event.state === 'started');
    const pid = (started as { target: { pid: number } }).target.pid;
    // The process table showed the runaway while it ran.
    const tables = events.filter((event) => event.type === 'processes');
    expect(tables.some((table) => table.processes.some((process) => process.pid === pid && process.name === 'report-builder'))).toBe(true);
    // The gauges' metrics moved against a real baseline.
    const cpu = events.flatMap((event) => (event.type === 'metrics' ? event.points.filter((point) => point.name === 'node_cpu_utilisation_percent') : []));
    expect(Math.max(...cpu.map((point) => point.value))).toBeGreaterThan(60);
    const verdict = events.find((event) => event.type === 'verdict');
    const analysis = events.find((event) => event.type === 'analysis-finished');
    const said = JSON.stringify(analysis?.hypotheses.map(({ description, confidence, evidence }) => ({ description, confidence, evidence })), null, 1);
    expect(verdict, said).toMatchObject({ type: 'verdict', verdict: { matched: true, top: { category: 'cpu_spike' } } });
    expect((verdict as { verdict: { top: { description: string } } }).verdict.top.description).toContain(`report-builder (pid ${pid})`);
    expect(events.some((event) => event.type === 'action' && event.action.type === 'stop_process')).toBe(true);
    expect(isAlive(pid)).toBe(false);
    expect(liveChildPids()).toEqual([]);
    expect(await readLedger(dirs.paths)).toEqual([]);
  });

  it('notices when someone else ends the fault: the incident is resolved', async () => {
    const events: LiveIncidentEvent[] = [];
    for await (const event of live({ fault: 'runaway_cpu', process_name: 'report-builder' }, new AbortController().signal, 30)) {
      events.push(event);
      // As an engineer would once the analysis is in: kill the process the table shows.
      if (event.type === 'verdict') {
        const started = events.find((entry) => entry.type === 'fault' && entry.state === 'started') as { target: { pid: number } };
        process.kill(started.target.pid, 'SIGKILL');
      }
    }
    expect(events.some((event) => event.type === 'fault' && event.state === 'resolved')).toBe(true);
    expect(events.some((event) => event.type === 'fault' && event.state === 'ended')).toBe(false);
    expect(events.some((event) => event.type === 'timeline' && event.message === 'resolved: a runaway process (report-builder) is gone')).toBe(true);
    expect(await readLedger(dirs.paths)).toEqual([]);
  });

  it('diagnoses a service that went down', async () => {
    const events: LiveIncidentEvent[] = [];
    for await (const event of live({ fault: 'service_down', process_name: 'checkout-api' }, new AbortController().signal)) events.push(event);
    const probes = events.flatMap((event) => (event.type === 'metrics' ? event.points.filter((point) => point.name === 'probe_success{job="checkout-api"}') : []));
    expect(probes.map((point) => point.value)).toContain(0);
    expect(probes.at(-1)?.value).toBe(1);
    // Other programs on a shared machine (a build starting meanwhile) are real anomalies too and may
    // rank first: the hypothesis must be there, naming the service, and the verdict must say so.
    const analysis = events.find((event) => event.type === 'analysis-finished');
    const down = analysis?.hypotheses.find((hypothesis) => hypothesis.category === 'service_down');
    expect(down?.description).toBe(`checkout-api is down on ${os.hostname()}: its health check fails and its process is gone`);
    const verdict = events.find((event) => event.type === 'verdict');
    const ranksFirst = analysis?.hypotheses[0]?.category === 'service_down';
    expect(verdict).toMatchObject({ verdict: { expected: { category: 'service_down', culprit: 'checkout-api' }, matched: ranksFirst } });
    expect(await readLedger(dirs.paths)).toEqual([]);
  });

  it('stops at once on abort, ending the fault', async () => {
    const controller = new AbortController();
    const events: LiveIncidentEvent[] = [];
    let pid = 0;
    for await (const event of live({ fault: 'runaway_cpu' }, controller.signal)) {
      events.push(event);
      if (event.type === 'fault' && event.state === 'started') {
        pid = (event.target as { pid: number }).pid;
        controller.abort();
      }
    }
    expect(events.at(-1)).toMatchObject({ type: 'incident-finished', status: 'stopped' });
    expect(isAlive(pid)).toBe(false);
    expect(await readLedger(dirs.paths)).toEqual([]);
  });
});
