import { loadConfig, type FiredrillConfig } from '../config/config.js';
import type { SystemSampler } from '../monitor/sampler.js';
import { startSampler } from '../monitor/start.js';
import { resolvePaths, type FiredrillPaths } from '../paths.js';
import { cleanupLeftovers } from './ledger.js';
import { acquireDrillLock } from './lock.js';
import { createDrills } from './registry.js';
import type { Drill, DrillName } from './types.js';

/**
 * A run's preparation, shared by `firedrill run` and the console (and any mode that runs drills):
 * both stand on the engine here rather than on each other.
 */

export interface RunConfigOptions {
  /** A config file the user named (--config): it must exist. Default: paths.configFile, if present. */
  configFile?: string;
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Already resolved and checked (a command's --config / --data-dir): dataDir and env are then unused. */
  paths?: FiredrillPaths;
}

/** Resolves paths and loads the config. Throws ConfigError with a sentence naming the file and key. */
export function loadRunConfig(options: RunConfigOptions = {}): { config: FiredrillConfig; paths: FiredrillPaths } {
  const paths = options.paths ?? resolvePaths({ configFile: options.configFile, dataDir: options.dataDir }, options.env ?? process.env);
  const config = loadConfig(paths.configFile, { required: options.configFile !== undefined });
  return { config, paths };
}

export interface PrepareRunOptions extends RunConfigOptions {
  /** Already loaded (the console loads it once at start). */
  config?: FiredrillConfig;
  paths?: FiredrillPaths;
  /** Already created from this config (to ask riskWarning() before preparing). */
  drills?: Record<DrillName, Drill>;
  /** Already sampling (the console's gauges): left running by release(). Default: a new one, stopped by release(). */
  sampler?: SystemSampler;
}

export interface PreparedRun {
  config: FiredrillConfig;
  paths: FiredrillPaths;
  drills: Record<DrillName, Drill>;
  sampler: SystemSampler;
  /** What an earlier, interrupted run had left behind and this one removed. */
  leftovers: { filesRemoved: string[]; directoriesRemoved: string[]; processesEnded: number[]; undone: string[] };
  /** Releases the drill lock and stops the sampler if prepareRun started it. Idempotent. */
  release(): void;
}

/**
 * Everything a run needs, in the order that keeps the machine safe: config, the monitor, the
 * per-machine drill lock (DrillLockError when another run holds it), then removal of whatever an
 * interrupted run left behind. Call `release()` when the run is over.
 */
export async function prepareRun(options: PrepareRunOptions = {}): Promise<PreparedRun> {
  const { config, paths } =
    options.config && options.paths ? { config: options.config, paths: options.paths } : loadRunConfig(options);
  const drills = options.drills ?? createDrills(config.drills, paths);
  const ownSampler = options.sampler === undefined;
  const sampler = options.sampler?.start() ?? startSampler(config);
  let lock: { release(): void } | undefined;
  try {
    lock = await acquireDrillLock(paths);
    const leftovers = await cleanupLeftovers(paths);
    let released = false;
    return {
      config,
      paths,
      drills,
      sampler,
      leftovers,
      release() {
        if (released) return;
        released = true;
        if (ownSampler) sampler.stop();
        lock?.release();
      },
    };
  } catch (error) {
    if (ownSampler) sampler.stop();
    lock?.release();
    throw error;
  }
}

