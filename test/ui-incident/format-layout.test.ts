import { afterEach, describe, expect, it } from 'vitest';
import { formatMetricValue, formatSigma } from '../../src/ui/incident/format-metric.js';
import { colorsEnabled, severityColor } from '../../src/ui/palette.js';
import { tailLines } from '../../src/ui/incident/text-tail.js';

describe('formatMetricValue', () => {
  it('writes each unit of the scenarios the way an operator reads it', () => {
    expect(formatMetricValue(8589934592, 'bytes')).toBe('8.0 GiB');
    expect(formatMetricValue(95, '%')).toBe('95.0 %');
    expect(formatMetricValue(0.3, 'seconds')).toBe('300 ms');
    expect(formatMetricValue(12.3, 'seconds')).toBe('12.3 s');
    expect(formatMetricValue(3500, 'req/s')).toBe('3500 req/s');
    expect(formatMetricValue(15000000, 'count')).toBe('15.0M');
    expect(formatMetricValue(45, 'count')).toBe('45');
    expect(formatMetricValue(1, 'bool')).toBe('true');
    expect(formatMetricValue(0, 'bool')).toBe('false');
    expect(formatSigma(-4.24)).toBe('−4.2σ');
    expect(formatSigma(undefined)).toBe('  ?σ');
  });
});

describe('palette', () => {
  const saved = process.env.NO_COLOR;
  afterEach(() => {
    if (saved === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved;
  });

  it('drops colors when NO_COLOR is set, since the chalk inside Ink 6.8 does not', () => {
    expect(colorsEnabled({ NO_COLOR: '1' })).toBe(false);
    expect(colorsEnabled({})).toBe(true);
    process.env.NO_COLOR = '1';
    expect(severityColor('critical')).toBeUndefined();
    delete process.env.NO_COLOR;
    expect(severityColor('critical')).toBe('red');
  });
});

describe('tailLines', () => {
  it('word-wraps and keeps the newest lines, cutting words longer than a line', () => {
    expect(tailLines('the heap keeps growing\nafter each deploy', 10, 3)).toEqual(['growing', 'after each', 'deploy']);
    expect(tailLines('abcdefghijkl', 5, 5)).toEqual(['abcde', 'fghij', 'kl']);
    expect(tailLines('short', 40, 2)).toEqual(['short']);
  });
});
