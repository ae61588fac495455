import { describe, expect, it } from 'vitest';
import { ApiMetrics, prometheusName } from '../../src/api/metrics.js';

describe('the injected scenario metrics on /metrics', () => {
  it('keeps valid names as they are and makes the others valid, never taking a firedrill_ name', () => {
    expect(prometheusName('memory_usage_bytes')).toBe('memory_usage_bytes');
    expect(prometheusName('p95-latency.seconds')).toBe('p95_latency_seconds');
    expect(prometheusName('5xx_total')).toBe('_5xx_total');
    expect(prometheusName('firedrill_simulations_active')).toBe('injected_firedrill_simulations_active');
  });

  it('labels each series with its scenario and simulation, and drops them when the simulation ends', async () => {
    const metrics = new ApiMetrics();
    const point = { name: 'cpu_usage_percent', value: 97.5, baseline: 45, unit: '%' };
    metrics.inject('cpu_spike_traffic_surge', 'sim_00000001', [point]);
    metrics.inject('cpu_spike_traffic_surge', 'sim_00000002', [{ ...point, value: 50 }]);
    const both = await metrics.render();
    expect(both).toContain('# TYPE cpu_usage_percent gauge');
    expect(both).toContain('cpu_usage_percent{scenario="cpu_spike_traffic_surge",simulation="sim_00000001"} 97.5');
    expect(both).toContain('cpu_usage_percent{scenario="cpu_spike_traffic_surge",simulation="sim_00000002"} 50');

    metrics.removeSimulation('cpu_spike_traffic_surge', 'sim_00000001');
    const one = await metrics.render();
    expect(one).not.toContain('simulation="sim_00000001"');
    expect(one).toContain('simulation="sim_00000002"');
  });

  it('keeps two ApiMetrics apart (each server has its own registry)', async () => {
    const first = new ApiMetrics();
    const second = new ApiMetrics();
    first.inject('s', 'sim_1', [{ name: 'errors_total', value: 3, baseline: 0, unit: 'count' }]);
    expect(await second.render()).not.toContain('errors_total');
  });
});
