import { describe, expect, it } from 'vitest';
import { parseAddress, toxicsFromFlags } from '../../src/proxy/flags.js';
import { collect, startCli } from '../helpers/cli.js';

describe("the proxy's flags", () => {
  it('turn into toxics on the direction asked, with rates as fractions or percentages', () => {
    expect(toxicsFromFlags({ latency: '500', jitter: '100', reset: '20%', direction: 'both' })).toEqual([
      { type: 'latency', latency_ms: 500, jitter_ms: 100, direction: 'both' },
      { type: 'reset', probability: 0.2, direction: 'both' },
    ]);
    expect(toxicsFromFlags({ blackhole: true, 'slow-close': '50' })).toEqual([
      { type: 'blackhole', direction: 'downstream' },
      { type: 'slow_close', delay_ms: 50, direction: 'downstream' },
    ]);
  });

  it('name the flag, what was expected and what was found', () => {
    expect(() => toxicsFromFlags({ latency: '-5' })).toThrow(/^--latency: .*>=0.*got -5$/);
    expect(() => toxicsFromFlags({ latency: 'soon' })).toThrow('--latency must be a number, got "soon"');
    expect(() => toxicsFromFlags({ reset: '1.5' })).toThrow(/^--reset: .*<=1.*got 1\.5$/);
    expect(() => toxicsFromFlags({ latency: '10', direction: 'sideways' })).toThrow(/^--direction: .*got "sideways"$/);
    expect(() => toxicsFromFlags({ jitter: '10' })).toThrow('--jitter goes with --latency');
    expect(() => parseAddress('--upstream', 'db:99999')).toThrow('--upstream must be HOST:PORT or PORT with a port from 1 to 65535, got "db:99999"');
    expect(parseAddress('--listen', '0', true)).toEqual({ host: '127.0.0.1', port: 0 });
  });

  it('a bad flag is a usage error (exit 2) that names it, and nothing is started', async () => {
    const result = await collect(startCli(['proxy', '--listen', '0', '--upstream', '127.0.0.1:5432', '--bandwidth', '0']));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/firedrill proxy: --bandwidth: .*>=1.*got 0/);
    const control = await collect(startCli(['proxy', '--listen', '0', '--upstream', '127.0.0.1:5432', '--control', '10.0.0.1:8474']));
    expect(control.code).toBe(2);
    expect(control.stderr).toContain('--control must stay on loopback');
  });
});
