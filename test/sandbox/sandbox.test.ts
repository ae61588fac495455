import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupLeftovers, Ledger, readLedger } from '../../src/drills/ledger.js';
import { selfIdentity } from '../../src/drills/proc.js';
import { resolvePaths, type FiredrillPaths } from '../../src/paths.js';
import { findPostgresBin } from '../../src/sandbox/postgres.js';
import { collect, startCli, waitFor } from '../helpers/cli.js';
import { descendantsOf, isAlive } from '../helpers/procs.js';

let root: string;
let paths: FiredrillPaths;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'sandbox-test-'));
  paths = resolvePaths({ dataDir: path.join(root, 'data') });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Living processes whose command line names `text` (a sandbox's folder, a port). */
function processesNaming(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text) && isAlive(Number(entry));
      } catch {
        return false;
      }
    })
    .map(Number);
}

function sandboxDirs(): string[] {
  return readdirSync(os.tmpdir()).filter((name) => name.startsWith('firedrill-pgsandbox-'));
}

async function startSandboxUp(): Promise<{ child: ReturnType<typeof startCli>; endpoints: Record<string, string>; stderr: () => string }> {
  const child = startCli(['sandbox', 'up', '--json', '--data-dir', paths.dataDir, '--max-connections', '10']);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const line = await waitFor(() => stdout.split('\n').find((text) => text.startsWith('{')) ?? (child.exitCode !== null ? `exit:${stderr}` : undefined), 30_000, 'the sandbox');
  if (line.startsWith('exit:')) throw new Error(`firedrill sandbox up failed: ${line}`);
  return { child, endpoints: JSON.parse(line) as Record<string, string>, stderr: () => stderr };
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.skipIf(findPostgresBin() === null)('the PostgreSQL sandbox (needs Debian\'s postgresql)', () => {
  it('serves queries through the proxy, follows a toxic changed while it runs, and leaves nothing after SIGTERM', async () => {
    const before = sandboxDirs();
    const { child, endpoints } = await startSandboxUp();
    const pids = descendantsOf(child.pid as number);
    expect(pids.length).toBeGreaterThanOrEqual(3);
    expect(sandboxDirs().length).toBe(before.length + 1);

    const first = await getJson(`${endpoints.url}/query`);
    expect(first).toMatchObject({ status: 200, body: { ok: true, attempts: 1 } });

    const set = await collect(startCli(['proxy', 'set', '--control', endpoints.proxy_control as string, '--latency', '200']));
    expect(set.stdout).toContain('latency 200 ms downstream');
    const slow = await getJson(`${endpoints.url}/query`);
    expect(slow.body.ms).toBeGreaterThanOrEqual(195);

    const status = await collect(startCli(['proxy', 'status', '--control', endpoints.proxy_control as string]));
    expect(status.stdout).toMatch(/connections: \d+ open/);

    child.kill('SIGTERM');
    const result = await collect(child, 20_000);
    expect(result.code).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(sandboxDirs()).toEqual(before);
    expect(await readLedger(paths)).toEqual([]);
  });

  it('after a kill -9 of firedrill: no postgres, proxy or app after 2 s, the cluster folder removed by the next firedrill', async () => {
    const { child } = await startSandboxUp();
    const pids = descendantsOf(child.pid as number);
    const dirs = sandboxDirs();
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
    await waitFor(() => pids.filter(isAlive).length === 0, 2000, 'every sandbox process to be gone');
    const left = (await readLedger(paths)).find((entry) => entry.kind === 'directory');
    expect(left?.kind === 'directory' && existsSync(left.path)).toBe(true);

    const cleanup = await collect(startCli(['cleanup', '--data-dir', paths.dataDir]));
    expect(cleanup.stdout).toMatch(/removed directory .*firedrill-pgsandbox-/);
    expect(sandboxDirs().length).toBe(dirs.length - 1);
    expect(await readLedger(paths)).toEqual([]);
  });

  it('the ledger removes only firedrill-named directories, never through a symlink, never a live owner\'s', async () => {
    const ledger = new Ledger(paths.ledgerFile);
    const plain = path.join(root, 'not-ours');
    await mkdir(plain);
    await expect(ledger.addDirectory(plain)).rejects.toThrow(/not a name firedrill gives/);

    const target = path.join(root, 'target');
    await mkdir(target);
    const link = path.join(root, 'firedrill-pgsandbox-1-0123456789ab');
    await symlink(target, link);
    const dead = { pid: 999_999, startTime: 1 };
    const mine = path.join(root, 'firedrill-pgsandbox-2-0123456789ab');
    await mkdir(mine);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(paths.ledgerFile, JSON.stringify({
      version: 1,
      entries: [
        { kind: 'directory', path: link, owner: dead, createdAt: '' },
        { kind: 'directory', path: mine, owner: selfIdentity(), createdAt: '' },
      ],
    }));
    const removed = await cleanupLeftovers(paths);
    expect(removed.directoriesRemoved).toEqual([]);
    expect(existsSync(target)).toBe(true);
    expect(existsSync(mine)).toBe(true);
    await ledger.removeDirectory(mine);
    expect(await readLedger(paths)).toEqual([]);
  });
});

describe.skipIf(findPostgresBin() === null)('kill -9 of firedrill during the crash experiment', () => {
  it('leaves no postgres, proxy or app after 2 s, and the next firedrill removes the cluster folder', async () => {
    const before = sandboxDirs();
    const { spawn } = await import('node:child_process');
    const fixture = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', 'crash-experiment.ts'), paths.dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let output = '';
    fixture.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    fixture.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    // Right after the postmaster got its SIGKILL: the supervisor is restarting it.
    await waitFor(() => output.includes('sending SIGKILL to the postmaster'), 30_000, `the crash to start:\n${output}`);
    // The proxy and the app at least (the postmaster is dead or being restarted).
    const pids = descendantsOf(fixture.pid as number);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    fixture.kill('SIGKILL');
    await new Promise((resolve) => fixture.once('close', resolve));
    const [folder] = sandboxDirs().filter((name) => !before.includes(name));
    // The postmaster the supervisor may have restarted after `pids` was read is named by its folder.
    await waitFor(() => pids.filter(isAlive).length === 0 && processesNaming(folder as string).length === 0, 2000, 'every sandbox process to be gone');

    const next = await collect(startCli(['cleanup', '--data-dir', paths.dataDir]));
    expect(next.stdout).toMatch(/removed directory .*firedrill-pgsandbox-/);
    expect(sandboxDirs()).toEqual(before);
    expect(await readLedger(paths)).toEqual([]);
  });
});
