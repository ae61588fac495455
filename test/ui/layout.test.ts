import { describe, expect, it } from 'vitest';
import { allocateRows, splitColumns } from '../../src/ui/shell/layout.js';

describe('allocateRows', () => {
  it('shows every panel that can be shown before any grows, in order of priority', () => {
    const panels = [
      { id: 'gauges', min: 1, want: 3, priority: 0 },
      { id: 'drills', fixed: 1, min: 2, want: 10, priority: 1 },
      { id: 'timeline', fixed: 1, min: 0, want: 8, priority: 5 },
    ];
    expect(allocateRows(40, panels)).toEqual({
      gauges: { shown: true, rows: 3 },
      drills: { shown: true, rows: 10 },
      timeline: { shown: true, rows: 8 },
    });
    // 8 rows: the three first asks take 1 + 3 + 1; the gauges grow by 2, the drills by the last one.
    expect(allocateRows(8, panels)).toEqual({
      gauges: { shown: true, rows: 3 },
      drills: { shown: true, rows: 3 },
      timeline: { shown: true, rows: 0 },
    });
    // 3 rows: the drills' first ask (title and 2) does not fit after the gauges: hidden, and the
    // timeline's title takes the row that is left.
    expect(allocateRows(3, panels)).toEqual({
      gauges: { shown: true, rows: 2 },
      drills: { shown: false, rows: 0 },
      timeline: { shown: true, rows: 0 },
    });
  });

  it('never gives more than it has, whatever it is asked', () => {
    for (const available of [0, 1, 5, 13, 24, 80]) {
      const grants = allocateRows(available, [
        { id: 'a', fixed: 1, min: 3, want: 50 },
        { id: 'b', min: 0, asks: [{ rows: 7, priority: 2 }, { rows: 4, priority: 1, whole: true }] },
        { id: 'c', fixed: 2, want: 1e9, priority: 3 },
      ]);
      const used = (grants.a!.shown ? 1 : 0) + grants.a!.rows + grants.b!.rows + (grants.c!.shown ? 2 : 0) + grants.c!.rows;
      expect(used).toBeLessThanOrEqual(available);
    }
    expect(allocateRows(-3, [{ id: 'a', min: 1 }])).toEqual({ a: { shown: false, rows: 0 } });
    expect(allocateRows(10, [{ id: 'a', min: Number.NaN, want: Number.POSITIVE_INFINITY }])).toEqual({ a: { shown: true, rows: 0 } });
  });

  it('interleaves a panel\'s own asks with other panels, whole asks all or nothing, steps in multiples', () => {
    const panels = [
      { id: 'hypotheses', fixed: 1, priority: 3, asks: [{ rows: 1, priority: 3 }, { rows: 2, priority: 5 }, { rows: 3, priority: 6, whole: true }] },
      { id: 'actions', fixed: 1, priority: 4, asks: [{ rows: 3, priority: 4 }] },
    ];
    // 1 + 1 (leading hypothesis), 1 + 3 (actions), 2 more hypotheses = 8; evidence (3) needs 11.
    expect(allocateRows(10, panels)).toEqual({ hypotheses: { shown: true, rows: 3 }, actions: { shown: true, rows: 3 } });
    expect(allocateRows(11, panels)).toEqual({ hypotheses: { shown: true, rows: 6 }, actions: { shown: true, rows: 3 } });
    expect(allocateRows(6, panels)).toEqual({ hypotheses: { shown: true, rows: 1 }, actions: { shown: true, rows: 3 } });
    expect(allocateRows(3, [{ id: 'stream', asks: [{ rows: 4, priority: 0, step: 2 }] }, { id: 'x', min: 4 }])).toEqual({
      stream: { shown: true, rows: 2 },
      x: { shown: false, rows: 0 },
    });
  });
});

describe('splitColumns', () => {
  it('shares the width by weight, gaps included, with nothing lost to rounding', () => {
    expect(splitColumns(120, [1, 1], 2)).toEqual([59, 59]);
    expect(splitColumns(100, [2, 1], 1)).toEqual([66, 33]);
    expect(splitColumns(81, [1, 1, 1], 0)).toEqual([27, 27, 27]);
    expect(splitColumns(10, [1, 1], 2).reduce((a, b) => a + b, 0)).toBe(8);
  });
});
