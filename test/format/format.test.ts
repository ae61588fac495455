import { describe, expect, it } from 'vitest';
import { figureLabel, formatBytes, formatDuration, formatFigure, formatPercent } from '../../src/format.js';
import { mean, median, percentile } from '../../src/stats.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [1024 ** 3, '1.0 GiB'],
    [1.25 * 1024 ** 2, '1.3 MiB'],
    [900 * 1024 ** 2, '900.0 MiB'],
    [1024 ** 2 - 10, '1.0 MiB'],
    [-3 * 1024 ** 2, '-3.0 MiB'],
    [2 * 1024 ** 5, '2.0 PiB'],
    [Number.NaN, '-'],
    [Number.POSITIVE_INFINITY, '-'],
  ])('%s bytes read "%s"', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [420, '420 ms'],
    [999.6, '1.0 s'],
    [2_400, '2.4 s'],
    [59_960, '1 min 00 s'],
    [185_000, '3 min 05 s'],
    [7_620_000, '2 h 07 min'],
    [-1_500, '-1.5 s'],
    [null, '-'],
    [Number.NaN, '-'],
  ])('%s ms reads "%s"', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatPercent', () => {
  it('takes percent, one decimal by default', () => {
    expect(formatPercent(75)).toBe('75.0 %');
    expect(formatPercent(99.96, 0)).toBe('100 %');
    expect(formatPercent(null)).toBe('-');
    expect(formatPercent(Number.POSITIVE_INFINITY)).toBe('-');
  });
});

describe('median, percentile, mean', () => {
  it('interpolate between ranks and ignore values that are not numbers', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 90)).toBe(46);
    expect(percentile([10, 20, 30, 40, 50], 0)).toBe(10);
    expect(percentile([10, 20, 30, 40, 50], 100)).toBe(50);
    expect(percentile([7], 99)).toBe(7);
    expect(mean([1, 2, Number.NaN, 6])).toBe(3);
  });

  it('give null for no values and refuse a percentile outside 0..100', () => {
    expect(median([])).toBeNull();
    expect(percentile([Number.NaN], 50)).toBeNull();
    expect(mean([])).toBeNull();
    expect(() => percentile([1], 101)).toThrow(/0 and 100, got 101/);
  });
});

describe('formatFigure', () => {
  it('reads the unit from the name', () => {
    expect(formatFigure('targetBytes', 128 * 1024 ** 2)).toBe('128.0 MiB');
    expect(formatFigure('timeToRecoverMs', 2_400)).toBe('2.4 s');
    expect(formatFigure('cpuPercentPeak', 97.25)).toBe('97.3 %');
    expect(formatFigure('workers', 2)).toBe('2');
    expect(formatFigure('ratio', 0.25)).toBe('0.3');
    expect(formatFigure('verdict', 'passed')).toBe('passed');
    expect(formatFigure('steady', true)).toBe('true');
  });
});

describe('figureLabel', () => {
  it('reads a figure name out as words, its unit left to formatFigure and abbreviations in capitals', () => {
    expect(figureLabel('mttrMs')).toBe('MTTR');
    expect(figureLabel('faultTolerancePercent')).toBe('fault tolerance');
    expect(figureLabel('peakPssBytes')).toBe('peak PSS');
    expect(figureLabel('firedrillCpuPercent')).toBe('firedrill CPU');
    expect(figureLabel('probeAnswers')).toBe('probe answers');
    expect(figureLabel('p99Ms')).toBe('p99');
    expect(figureLabel('Ms')).toBe('ms');
  });
});
