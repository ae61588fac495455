import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig, type DrillsConfig } from '../../src/config/config.js';
import type { DrillContext, MonitorEvent } from '../../src/drills/types.js';
import { resolvePaths, type FiredrillPaths } from '../../src/paths.js';

export interface RecordingContext extends DrillContext {
  messages: string[];
  events: MonitorEvent[];
}

export function recordingContext(durationMs: number, signal = new AbortController().signal, onProgress?: (message: string) => void): RecordingContext {
  const messages: string[] = [];
  const events: MonitorEvent[] = [];
  return {
    signal,
    durationMs,
    messages,
    events,
    progress: (message) => {
      messages.push(message);
      onProgress?.(message);
    },
    reportEvent: (event) => events.push(event),
  };
}

export function drillsConfig(change: (config: DrillsConfig) => void = () => {}): DrillsConfig {
  const config = defaultConfig().drills;
  change(config);
  return config;
}

/** A temp dir holding a data dir (ledger, lock) and a directory for disk_fill; removed by dispose(). */
export async function scratch(): Promise<{ root: string; fillDir: string; paths: FiredrillPaths; dispose(): Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'firedrill-test-'));
  const fillDir = path.join(root, 'fill');
  await mkdir(fillDir);
  return {
    root,
    fillDir,
    paths: resolvePaths({ dataDir: path.join(root, 'data'), configFile: path.join(root, 'config.yaml') }),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}

export async function firedrillFiles(directory: string): Promise<string[]> {
  return (await readdir(directory)).filter((name) => name.startsWith('firedrill-'));
}
