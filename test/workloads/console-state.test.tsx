import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { moveProcessSelection, processColumns, processTablePanel, ProcessTable, processWindowStart, type ProcessRow } from '../../src/ui/panels/ProcessTable.js';
import { initialWorkloadView, workloadReducer } from '../../src/ui/workloads/workload-state.js';
import type { ProcessSample, WorkloadProcess } from '../../src/workloads/types.js';
import { renderInk } from '../helpers/ink.js';

const process = (pid: number, name = `python3 job_${pid}.py`): WorkloadProcess => ({
  pid,
  startTime: 1,
  name,
  comm: 'python3',
  kind: 'job',
  priority: 'low',
  cpuPattern: 'steady',
  memoryPattern: 'growing',
  startedAt: 0,
});
const sample = (pid: number, cpuPercent: number): ProcessSample => ({ ...process(pid), cpuPercent, cpuSeconds: 1, rssBytes: 6 * 2 ** 20, pssBytes: 2 ** 20, threads: 1 });

describe('the workload screen state', () => {
  it('folds starting, samples, churn, deaths and chaos into figures and a timeline', () => {
    let state = initialWorkloadView('realistic', 200);
    state = workloadReducer(state, { type: 'starting', workloadId: 'wl_1', profile: 'realistic', processes: 200, engine: 'perl' });
    state = workloadReducer(state, { type: 'progress', started: 150, of: 200 });
    expect(state).toMatchObject({ phase: 'starting', started: 150, engine: 'perl' });
    state = workloadReducer(state, { type: 'started', workloadId: 'wl_1', processes: 200, elapsedMs: 1500 });
    const totals = { processes: 2, cpuPercent: 40, rssBytes: 12 * 2 ** 20, pssBytes: 2 ** 21, ownCpuPercent: 1, churned: 1, died: 1, restarted: 0 };
    state = workloadReducer(state, { type: 'sample', at: 1, totals, processes: [sample(11, 30), sample(12, 10)] });
    state = workloadReducer(state, { type: 'churned', ended: process(12), started: process(13), reason: 'burst' });
    state = workloadReducer(state, { type: 'died', process: process(11), code: null, signal: 'SIGKILL', cause: 'chaos', restart: true });
    state = workloadReducer(state, { type: 'restarted', previous: process(11), process: process(14, 'python3 job_11.py') });
    state = workloadReducer(state, { type: 'chaos', result: { action: 'kill', targets: [process(11)], message: 'killed python3 job_11.py (pid 11, low) with SIGKILL' } });
    expect(state.phase).toBe('running');
    expect(state.cpuHistory).toEqual([40]);
    expect(state.timeline.map((entry) => [entry.message, entry.tone])).toEqual([
      ['200 processes started in 1.5 s', undefined],
      ['churn: python3 job_12.py (12) ended, 13 started (burst)', undefined],
      ['python3 job_11.py (11) killed by SIGKILL (chaos), restarting', 'warn'],
      ['restarted python3 job_11.py as 14', 'good'],
      ['chaos: killed python3 job_11.py (pid 11, low) with SIGKILL', 'bad'],
    ]);
    state = workloadReducer(state, { type: 'engine-stopped' });
    expect(state.phase).toBe('stopping');
    const summary = { workloadId: 'wl_1', profile: 'realistic', engine: 'perl', requested: 200, startedAt: 0, finishedAt: 1, startMs: 1500, processesStarted: 202, churned: 1, died: 1, restarted: 1, chaos: 1, peakRssBytes: 1, peakPssBytes: 1, peakCpuPercent: 40, ownCpuPercent: 1, leftBehind: 0 };
    state = workloadReducer(state, { type: 'finished', status: 'finished', reason: 'stopped by the user', summary });
    expect(state).toMatchObject({ phase: 'finished', processes: [], summary });
    expect(workloadReducer(state, { type: 'engine-stopped' }).phase).toBe('finished');
  });
});

describe('the process table', () => {
  const rows: ProcessRow[] = Array.from({ length: 30 }, (_, index) => ({ pid: 100 + index, name: `nginx: worker process ${index}`, cpuPercent: 30 - index, rssBytes: 2 ** 20 * (index + 1), tag: 'high', detail: 'spiky/steady' }));

  it('keeps the selection in view and follows its process as the order changes', () => {
    expect(processWindowStart(30, 0, 10)).toBe(0);
    expect(processWindowStart(30, 15, 10)).toBe(10);
    expect(processWindowStart(30, 29, 10)).toBe(20);
    expect(processWindowStart(5, 4, 10)).toBe(0);
    expect(moveProcessSelection(rows, undefined, 1)).toBe(100);
    expect(moveProcessSelection(rows, 100, 1)).toBe(101);
    expect(moveProcessSelection(rows, 129, 10)).toBe(129);
    expect(moveProcessSelection(rows, 105, -10)).toBe(100);
    // Its process gone: the selection starts again from the top.
    expect(moveProcessSelection(rows, 999, 1)).toBe(100);
    expect(moveProcessSelection([], 100, 1)).toBeUndefined();
  });

  it('drops the detail, then the short column, as the terminal narrows', () => {
    expect(processColumns(120, { tag: true, detail: true })).toMatchObject({ tag: true, detail: true });
    expect(processColumns(60, { tag: true, detail: true })).toMatchObject({ tag: true, detail: false });
    expect(processColumns(40, { tag: true, detail: true })).toMatchObject({ tag: false, detail: false });
  });

  it('renders the selected process highlighted within its rows and columns', async () => {
    const { lastFrame, unmount } = renderInk(<ProcessTable processes={rows} selectedPid={120} tagTitle="PRIORITY" detailTitle="PATTERN" rows={8} columns={80} />);
    const frame = lastFrame() ?? '';
    unmount();
    const lines = frame.split('\n');
    expect(lines[0]).toMatch(/PID NAME\s+PRIORITY PATTERN\s+CPU%\s+RSS/);
    expect(lines).toHaveLength(8);
    expect(frame).toContain('nginx: worker process 20');
    expect(frame).not.toContain('nginx: worker process 0 ');
    expect(lines.every((line) => line.length <= 80)).toBe(true);
    expect(processTablePanel(rows, { selectedPid: 120 }).want).toBe(31);
    // The title counts the same rows as the table below it: 8 rows = the header and 7 processes.
    const title = processTablePanel(rows, { selectedPid: 120, sortedBy: 'CPU' }).title as (budget: { rows: number; columns: number }) => ReactNode;
    const titled = renderInk(<>{title({ rows: 8, columns: 80 })}</>);
    expect(titled.lastFrame()).toBe('Processes 18–24 of 30 · by CPU');
    titled.unmount();
  });
});
