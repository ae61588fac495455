import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { readLedger } from '../../src/drills/ledger.js';
import { openHistory } from '../../src/history/open-history.js';
import { resolvePaths } from '../../src/paths.js';
import { collect, runCli, startCli, waitFor } from '../helpers/cli.js';
import { descendantsOf, isAlive } from '../helpers/procs.js';
import { scratch } from './helpers.js';

let dirs: Awaited<ReturnType<typeof scratch>>;
let cli: ReturnType<typeof startCli> | undefined;
beforeEach(async () => {
  dirs = await scratch();
});
afterEach(async () => {
  if (cli && cli.exitCode === null && cli.signalCode === null) {
    cli.kill('SIGKILL');
    await once(cli, 'close');
  }
  cli = undefined;
  await dirs.dispose();
});

/** Starts `firedrill workload --json` and resolves once every process runs, with their pids. */
async function startWorkload(processes: number): Promise<number[]> {
  cli = startCli(['workload', '--profile', 'realistic', '--processes', String(processes), '--json', '--data-dir', dirs.dataDir]);
  let output = '';
  cli.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await waitFor(() => output.includes('"type":"started"'), 30_000, 'the workload to start');
  const pids = descendantsOf(cli.pid!);
  expect(pids.length).toBeGreaterThanOrEqual(processes);
  return pids;
}

describe('a workload leaves nothing behind', () => {
  it('kill -9 of firedrill during a 200-process workload leaves zero processes after 2 s', async () => {
    const pids = await startWorkload(200);
    await waitFor(async () => (await readLedger(resolvePaths({ dataDir: dirs.dataDir }))).length >= 200, 5000, 'the ledger to list them');
    cli!.kill('SIGKILL');
    await once(cli!, 'close');
    const killedAt = Date.now();
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 2000, 'every workload process to be gone');
    expect(Date.now() - killedAt).toBeLessThan(2000);
    // The ledger still names them (its owner died), and cleanup finds nothing left to end.
    const cleanup = await runCli(['cleanup', '--data-dir', dirs.dataDir]);
    expect(cleanup.code).toBe(0);
    expect(await readLedger(resolvePaths({ dataDir: dirs.dataDir }))).toEqual([]);
  });

  it('SIGTERM ends every process and exits 0 with a summary', async () => {
    const pids = await startWorkload(50);
    cli!.kill('SIGTERM');
    const result = await collect(cli!, 10_000);
    expect(result.code).toBe(0);
    const finished = JSON.parse(result.stdout.trim().split('\n').pop()!) as { type: string; reason: string; summary: { leftBehind: number } };
    expect(finished).toMatchObject({ type: 'finished', reason: 'SIGTERM', summary: { leftBehind: 0 } });
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await readLedger(resolvePaths({ dataDir: dirs.dataDir }))).toEqual([]);

    // Kept in history as a workload session, with figures to compare run after run.
    const paths = resolvePaths({ dataDir: dirs.dataDir });
    const history = await openHistory({ paths, config: loadConfig(paths.configFile), env: {} });
    try {
      const [session] = await history.listSessions({ kind: 'workload', limit: 5 });
      expect(session).toMatchObject({ kind: 'workload', subject: 'realistic', status: 'stopped', verdict: 'clean', figures: { processes: 50, leftBehind: 0, engine: 'perl' } });
      expect(session!.summary).toMatch(/^SIGTERM: 5\d processes started, .*; every process ended with it$/);
      expect(session!.figures.peakRssBytes).toBeGreaterThan(50 * 2 ** 20);
    } finally {
      await history.close();
    }
  });
});
