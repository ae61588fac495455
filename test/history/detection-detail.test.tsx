import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { runDetailLines } from '../../src/ui/history/browser-state.js';
import { DetailView } from '../../src/ui/history/DetailView.js';
import { HistoryScreen } from '../../src/ui/screens/HistoryScreen.js';
import { waitForFrame } from '../helpers/ink.js';
import { detectionRuns } from './fixtures/detection.js';

let dataDir: string;
let store: SqliteHistoryStore;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-detection-detail-'));
  store = SqliteHistoryStore.open(dataDir);
  for (const report of detectionRuns('host-a')) await store.saveRun(report);
});
afterAll(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('run detail: what the monitoring said', () => {
  it('opening the newest run in the history browser shows its drill\'s detection line', async () => {
    const view = render(<HistoryScreen store={store} machine="host-a" pageSize={10} onBack={() => undefined} />);
    const frame = () => view.lastFrame() ?? '';
    try {
      // Enter as soon as the list is counted, while its rows may still be on their way (as a user
      // would under load): the key waits for the row rather than being lost.
      await waitForFrame(frame, '1 of 6, newest first');
      view.stdin.write('\r');
      await waitForFrame(frame, `Run ${detectionRuns('host-a')[5]!.runId}`);
      expect(frame()).toContain('prometheus: detected by NodeCpuBusy after 1.8 s, resolved 0.9 s after the drill');
    } finally {
      view.unmount();
    }
  });

  it('shows one line per source, and says when the monitoring could not be asked', async () => {
    const runs = detectionRuns('host-a');
    const both = render(<DetailView lines={runDetailLines((await store.getRun(runs[2]!.runId))!)} scroll={0} height={20} />);
    try {
      expect(both.lastFrame()).toContain('prometheus: detected by NodeCpuBusy after 3.0 s, still firing 30 s after the drill');
      expect(both.lastFrame()).toContain('alertmanager: detected by NodeCpuBusy after 3.5 s, still firing 30 s after the drill');
      expect(both.lastFrame()).toContain('prometheus: detected by NodeMemoryHigh after 12.5 s, resolved 4.0 s after the drill');
    } finally {
      both.unmount();
    }
    const down = render(<DetailView lines={runDetailLines((await store.getRun(runs[3]!.runId))!)} scroll={0} height={20} />);
    try {
      expect(down.lastFrame()).toContain('prometheus: not checked: Prometheus at http://127.0.0.1:9/ did not answer');
    } finally {
      down.unmount();
    }
  });
});
