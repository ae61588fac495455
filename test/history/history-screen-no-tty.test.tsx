import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { render } from 'ink';
import { expect, it } from 'vitest';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { HistoryScreen } from '../../src/ui/screens/HistoryScreen.js';
import { waitFor } from '../helpers/cli.js';
import { makeReport } from './fixtures/reports.js';

// ink-testing-library's stdin claims to be a terminal; a real pipe is not, and Ink cannot read keys
// from it (raw mode). The browser must still draw instead of crashing.
it('draws the history from a stdin that is not a terminal, without reading keys', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-browser-pipe-'));
  const store = SqliteHistoryStore.open(dataDir);
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let output = '';
  stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  try {
    await store.saveRun(makeReport(0, 'host-a'));
    const instance = render(<HistoryScreen store={store} machine="host-a" pageSize={5} onBack={() => undefined} />, {
      stdin: stdin as unknown as NodeJS.ReadStream,
      stdout: stdout as unknown as NodeJS.WriteStream,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    });
    // debug: every frame is written in full, with CI=true too.
    try {
      await waitFor(() => output.includes('1 of 1, newest first'), 10_000, `the list in:\n${output}`);
    } finally {
      instance.unmount();
    }
    expect(output).not.toContain('Raw mode is not supported');
    expect(output).toContain('History of host-a');
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
