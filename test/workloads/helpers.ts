import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Ledger } from '../../src/drills/ledger.js';
import { loadProfileFile } from '../../src/workloads/load.js';
import type { WorkloadEvent, WorkloadProfile } from '../../src/workloads/types.js';

/** A temp folder for a test: its data dir (ledger), a workloads dir, and a way to remove it. */
export async function scratch(): Promise<{ dir: string; dataDir: string; profilesDir: string; ledger: Ledger; dispose(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'firedrill-workload-test-'));
  const dataDir = path.join(dir, 'data');
  const profilesDir = path.join(dir, 'workloads');
  await mkdir(dataDir, { recursive: true });
  await mkdir(profilesDir, { recursive: true });
  return { dir, dataDir, profilesDir, ledger: new Ledger(path.join(dataDir, 'ledger.json')), dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes a profile file (YAML text) and loads it, failing the test when it does not load. */
export async function writeProfile(dir: string, id: string, yaml: string): Promise<WorkloadProfile> {
  const file = path.join(dir, `${id}.yaml`);
  await writeFile(file, yaml);
  const result = loadProfileFile(file);
  if ('error' in result) throw new Error(result.error.message);
  return result.profile;
}

/** /proc/PID/comm and cmdline as ps shows them, or null when the process is gone. */
export function psNames(pid: number): { comm: string; args: string } | null {
  try {
    return {
      comm: readFileSync(`/proc/${pid}/comm`, 'utf8').trim(),
      args: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' '),
    };
  } catch {
    return null;
  }
}

/** Consumes a workload's events in the background, keeping them, with a way to wait for one. */
export function collectEvents(events: AsyncIterable<WorkloadEvent>) {
  const seen: WorkloadEvent[] = [];
  const waiting: { wake: (() => void) | null } = { wake: null };
  const done = (async () => {
    for await (const event of events) {
      seen.push(event);
      waiting.wake?.();
    }
    waiting.wake?.();
  })();
  async function waitFor<T extends WorkloadEvent['type']>(
    type: T,
    predicate: (event: Extract<WorkloadEvent, { type: T }>) => boolean = () => true,
    timeoutMs = 15_000,
    from = 0,
  ): Promise<Extract<WorkloadEvent, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = seen.slice(from).find((event): event is Extract<WorkloadEvent, { type: T }> => event.type === type && predicate(event as Extract<WorkloadEvent, { type: T }>));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${type} event within ${timeoutMs} ms; saw ${[...new Set(seen.map((event) => event.type))].join(', ')}`);
      await new Promise<void>((resolve) => {
        waiting.wake = resolve;
        setTimeout(resolve, 100);
      });
    }
  }
  return { seen, done, waitFor };
}
