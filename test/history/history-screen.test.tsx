import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDate } from '../../src/history/format.js';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { HistoryScreen } from '../../src/ui/screens/HistoryScreen.js';
import { waitFor } from '../helpers/cli.js';
import { waitForFrame } from '../helpers/ink.js';
import { makeIncident, makeReport, makeSession } from './fixtures/reports.js';

const KEYS = { down: '\u001B[B', pageDown: '\u001B[6~', home: '\u001B[H', end: '\u001B[F', enter: '\r', escape: '\u001B' };
const RUNS = 5_000;

let dataDir: string;
let store: SqliteHistoryStore;
let soloDir: string;
let solo: SqliteHistoryStore;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-browser-'));
  store = SqliteHistoryStore.open(dataDir);
  for (let index = 0; index < RUNS; index += 1) store.saveRunSync(makeReport(index, 'host-a'), false);
  store.saveRunSync(makeReport(7, 'host-b', { failEvery: 1 }), false);
  await store.saveIncident(makeIncident(2, 'host-a'));
  for (let index = 0; index < 3; index += 1) await store.saveSession(makeSession(index, 'host-a', 'experiment'));
  await store.saveSession(makeSession(4, 'host-a', 'demo'));
  soloDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-browser-solo-'));
  solo = SqliteHistoryStore.open(soloDir);
  await solo.saveRun(makeReport(0, 'host-a'));
});
afterAll(async () => {
  await store.close();
  await solo.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(soloDir, { recursive: true, force: true });
});

/** Renders the browser and returns helpers that type one key and wait for what it should show. */
function open(history: SqliteHistoryStore) {
  let backs = 0;
  const view = render(<HistoryScreen store={history} machine="host-a" pageSize={10} onBack={() => (backs += 1)} />);
  const frame = () => view.lastFrame() ?? '';
  // waitForFrame shows the frame at the time it gives up (not the one when it started waiting).
  const until = (text: string | RegExp) => waitForFrame(frame, typeof text === 'string' ? text : (shown) => text.test(shown));
  const press = async (key: string, expected: string | RegExp) => {
    view.stdin.write(key);
    await until(expected);
  };
  return { view, frame, until, press, backs: () => backs };
}

describe('HistoryScreen', () => {
  it('pages through 5 000 runs, newest first: End shows the oldest, Enter opens it with its drills', async () => {
    const ui = open(store);
    try {
      await ui.until(`runs (${RUNS})`);
      await ui.until(`1 of ${RUNS}, newest first`);
      await ui.until(formatDate(makeReport(RUNS - 1, 'host-a').startedAt));
      await ui.press(KEYS.down, `2 of ${RUNS}`);
      await ui.press(KEYS.pageDown, `12 of ${RUNS}`);
      await ui.until(formatDate(makeReport(RUNS - 12, 'host-a').startedAt));
      await ui.press(KEYS.end, `${RUNS} of ${RUNS}`);
      const oldest = makeReport(0, 'host-a');
      await ui.until(formatDate(oldest.startedAt));
      await ui.press(KEYS.enter, `Run ${oldest.runId} on host-a`);
      expect(ui.frame()).toContain('✗ FAIL cpu_spike');
      expect(ui.frame()).toContain('error: cpu_spike failed in run 0');
      expect(ui.frame()).toContain('event cpu_high at 2026-01-01T12:01:02.000Z');
      // Longer than the screen: the rest of the drills are a page down.
      await ui.press(KEYS.pageDown, 'process_spawn');
      expect(ui.frame()).toContain('✓ PASS service_restart');
      await ui.press(KEYS.escape, `${RUNS} of ${RUNS}`);
      await ui.press(KEYS.home, `1 of ${RUNS}`);
      await ui.press('q', `1 of ${RUNS}`);
      await waitFor(() => ui.backs() === 1, 5_000, 'onBack on q');
    } finally {
      ui.view.unmount();
    }
  });

  it('shows the failures view, the trend and the incidents with their top hypothesis', async () => {
    const ui = open(store);
    try {
      await ui.until(`1 of ${RUNS}`);
      await ui.press('f', 'Most common failures on host-a');
      await ui.until(/cpu_spike:\s+1250 failures/);
      await ui.press(KEYS.escape, `1 of ${RUNS}`);
      await ui.press('t', 'Pass rate over time on host-a (5000 runs)');
      await ui.press(KEYS.escape, `1 of ${RUNS}`);
      await ui.press('i', '82% memory_leak: A memory leak in the API');
      await ui.press(KEYS.enter, 'Incident host-a-incident-2');
      expect(ui.frame()).toContain('restart_pod api');
    } finally {
      ui.view.unmount();
    }
  });

  it('lists sessions with s, one kind at a time with k, and opens one with its figures and detail', async () => {
    const ui = open(store);
    try {
      await ui.until(`1 of ${RUNS}`);
      await ui.press('s', 'sessions (4)');
      await ui.until('1 of 4, newest first');
      await ui.until(/› 2026-01-01 16:45:00\s+demo\s+passed\s+demo 4: recovered after 5\.5 s/);
      await ui.press('k', 'demo sessions (1)');
      await ui.press('k', 'experiment sessions (3)');
      await ui.until(/› 2026-01-01 14:45:00\s+experiment\s+passed\s+experiment 2: recovered after 3\.5 s/);
      // Down and Enter as one burst: both count.
      ui.view.stdin.write(`${KEYS.down}${KEYS.enter}`);
      await ui.until('experiment number 1: experiment experiment-subject-1 on host-a, completed');
      expect(ui.frame()).toMatch(/time to recover\s+2\.5 s/);
      expect(ui.frame()).toMatch(/peak RSS\s+64\.0 MiB/);
      await ui.press(KEYS.escape, '2 of 3, newest first');
    } finally {
      ui.view.unmount();
    }
  });

  it('switches machine with m when the store holds several, and says so when it holds one', async () => {
    const ui = open(store);
    try {
      await ui.until(`1 of ${RUNS}`);
      await ui.press('m', 'Switch machine');
      await ui.press(KEYS.down, '› host-b');
      await ui.press(KEYS.enter, 'History of host-b');
      await ui.until('runs (1)');
      await ui.until('1 of 1, newest first');
    } finally {
      ui.view.unmount();
    }
    const single = open(solo);
    try {
      await single.until('1 of 1');
      await single.press('m', "only host-a's records");
    } finally {
      single.view.unmount();
    }
  });
});
