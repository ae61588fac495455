import { Text } from 'ink';
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { figuresPanel } from '../../src/ui/panels/Figures.js';
import { gaugesPanel } from '../../src/ui/panels/Gauges.js';
import { selectListPanel } from '../../src/ui/panels/SelectList.js';
import { ScreenShell, type ShellPanel } from '../../src/ui/shell/ScreenShell.js';
import { burst, fits, KEYS, renderInk, resize, waitForFrame, waitUntil } from '../helpers/ink.js';
import { sample } from './console-fixtures.js';

afterEach(() => cleanup());

/** A panel that fills its rows with numbered lines, to see how many it got. */
function lines(id: string, count: number, options: Partial<ShellPanel> = {}): ShellPanel {
  return {
    id,
    title: `${id} title`,
    min: 1,
    want: count,
    render: ({ rows }) => Array.from({ length: Math.min(rows, count) }, (_, n) => <Text key={n}>{`${id} line ${n + 1}`}</Text>),
    ...options,
  };
}

function Screen({ panels }: { panels: Parameters<typeof ScreenShell>[0]['panels'] }) {
  return (
    <ScreenShell
      title="firedrill · a mode"
      status="running t+3s"
      caption="Step 2 of 5: the disk fills"
      panels={panels}
      timeline={{ entries: Array.from({ length: 30 }, (_, n) => ({ at: Date.UTC(2025, 0, 1, 12, 0, n), message: `event ${n}` })) }}
      keys={[
        { key: 'q', label: 'back' },
        { key: 'n', label: 'next step' },
      ]}
    />
  );
}

describe('ScreenShell', () => {
  it('fits 80x24 with a line to spare, keeps the important panels and gives the rest to the timeline', async () => {
    const shell = renderInk(<Screen panels={[lines('main', 6, { priority: 0 }), lines('extra', 30, { priority: 5 })]} />);
    await resize(shell, { rows: 24, columns: 80 });
    const frame = await waitForFrame(shell, (text) => text.includes('main line 6') && fits(text, { rows: 24, columns: 80 }));
    const rows = frame.split('\n');
    expect(rows[0]).toMatch(/^firedrill · a mode\s+running t\+3s$/);
    expect(rows[1]).toBe('Step 2 of 5: the disk fills');
    expect(rows.at(-1)).toBe('q back · n next step');
    // Every panel's title and first line come before any panel grows.
    expect(frame).toContain('extra line 1');
    expect(frame).toContain('Timeline');
  });

  it('uses a larger terminal\'s room, and puts a row of panels side by side only when it is wide enough', async () => {
    const shell = renderInk(<Screen panels={[[lines('left', 4, { minColumns: 50 }), lines('right', 6, { minColumns: 50 })], lines('below', 3)]} />);
    await resize(shell, { rows: 40, columns: 120 });
    let frame = await waitForFrame(shell, (text) => /left line 4\s+right line 4/.test(text));
    expect(frame).toContain('right line 6');
    expect(frame).toContain('event 29');
    expect(frame.split('\n').length).toBeLessThan(40);
    await resize(shell, { rows: 40, columns: 90 });
    frame = await waitForFrame(shell, (text) => text.includes('left line 4') && fits(text, { rows: 40, columns: 90 }));
    expect(frame.indexOf('left line 4')).toBeLessThan(frame.indexOf('right title'));
  });

  it('a short terminal hides what matters least, never the header or the keys', async () => {
    const shell = renderInk(<Screen panels={[lines('main', 4, { priority: 0 }), lines('extra', 4, { priority: 5, min: 4 })]} />);
    await resize(shell, { rows: 10, columns: 80 });
    const frame = await waitForFrame(shell, (text) => text.includes('main line 4') && fits(text, { rows: 10, columns: 80 }));
    expect(frame).not.toContain('extra title');
    expect(frame).toContain('firedrill · a mode');
    expect(frame).toContain('q back');
  });
});

describe('panels in a budget', () => {
  it('gauges are full on three rows and one compact line on one', async () => {
    const samples = [sample(1, 40), sample(2, 91.2)];
    const full = renderInk(<Screen panels={[gaugesPanel(samples)]} />);
    const frame = await waitForFrame(full, 'DISK');
    expect(frame).toMatch(/CPU\s+█+░*\s+91\.2 %\s+123 processes/);
    expect(frame).toMatch(/MEM\s+[█░]+\s+25\.0 %\s+4\.0 GiB \/ 16\.0 GiB/);
    const compact = renderInk(<Screen panels={[gaugesPanel(samples, { variant: 'compact' })]} />);
    const line = (await waitForFrame(compact, 'DISK')).split('\n').find((row) => row.startsWith('CPU'));
    expect(line).toMatch(/^CPU\s+[█░]+\s+91\.2 %\s+MEM\s+[█░]+\s+25\.0 %\s+DISK\s+[█░]+\s+50\.0 %$/);
  });

  it('figures flow into as many columns as fit', async () => {
    const figures = [
      { label: 'verdict', value: 'pass', tone: 'good' as const },
      { label: 'p99 before', value: '12 ms' },
      { label: 'p99 during', value: '340 ms', tone: 'warn' as const },
      { label: 'errors', value: 0 },
      { label: 'recovered', value: true },
    ];
    const shell = renderInk(<Screen panels={[figuresPanel(figures, { title: 'Verdict' })]} />);
    await resize(shell, { rows: 24, columns: 80 });
    const frame = await waitForFrame(shell, 'recovered yes');
    expect(frame).toMatch(/verdict pass\s+p99 before 12 ms\s+p99 during 340 ms/);
    expect(frame).toMatch(/errors 0\s+recovered yes/);
  });

  it('a select list scrolls in its rows and picks what the cursor is on', async () => {
    const picked: number[] = [];
    const items = Array.from({ length: 30 }, (_, n) => ({ label: `answer ${n}`, value: n, disabled: n === 2 }));
    const shell = renderInk(<Screen panels={[selectListPanel({ items, onSelect: (item) => picked.push(item.value) }, { min: 6 })]} />);
    await resize(shell, { rows: 16, columns: 80 });
    let frame = await waitForFrame(shell, (text) => text.includes('› answer 0') && fits(text, { rows: 16, columns: 80 }));
    expect(frame).toMatch(/↓ \d+ more/);
    expect(frame).not.toContain('answer 29');
    // Down twice skips the disabled answer 2; End, then Enter.
    await burst(shell.stdin, KEYS.down, KEYS.down);
    frame = await waitForFrame(shell, '› answer 3');
    await burst(shell.stdin, KEYS.end, KEYS.enter);
    frame = await waitForFrame(shell, '› answer 29');
    expect(frame).toMatch(/↑ \d+ more/);
    await waitUntil(() => picked.length > 0, 'an answer is picked');
    expect(picked).toEqual([29]);
  });
});
