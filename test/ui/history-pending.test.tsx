import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { openHistory } from '../../src/history/open-history.js';
import { resolvePaths } from '../../src/paths.js';
import { HistoryLoaderScreen } from '../../src/ui/screens/HistoryLoaderScreen.js';
import type { ConsoleServices } from '../../src/ui/services.js';
import { makeReport } from '../history/fixtures/reports.js';
import { KEYS, press, renderInk, waitForFrame } from '../helpers/ink.js';

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let dataDir: string | undefined;
afterEach(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the console history with a Neo4j that is away', () => {
  it('shows the local runs, says Neo4j is not reachable and how many runs wait for it, and closes the store on leaving', async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-console-history-'));
    const paths = resolvePaths({ dataDir }, {});
    const env = { NEO4J_URI: `bolt://127.0.0.1:${await closedPort()}`, NEO4J_PASSWORD: 'secret' };
    const options = { paths, config: defaultConfig(), env, retry: { attempts: 1, baseDelayMs: 10 }, connectionTimeoutMs: 1000 };
    const writer = await openHistory(options);
    await writer.saveRun(makeReport(0, 'laptop'));
    await writer.close();

    const opened: { closed: boolean }[] = [];
    const services = {
      machine: 'laptop',
      openHistory: async () => {
        const history = await openHistory(options);
        const record = { closed: false };
        opened.push(record);
        const close = history.close.bind(history);
        history.close = async () => {
          record.closed = true;
          await close();
        };
        return history;
      },
    } as unknown as ConsoleServices;
    let wentBack = false;
    const app = renderInk(<HistoryLoaderScreen services={services} onBack={() => (wentBack = true)} />);
    try {
      await waitForFrame(app.lastFrame, ['is not reachable', '1 waiting to be pushed to Neo4j (firedrill sync)', 'History of laptop', 'runs (1)']);
      await press(app.stdin, KEYS.escape);
      expect(wentBack).toBe(true);
    } finally {
      app.unmount();
    }
    await waitForFrame(() => String(opened.every((record) => record.closed)), 'true');
  });
});
