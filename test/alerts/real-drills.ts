import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/config.js';
import { createDrills } from '../../src/drills/registry.js';
import type { DrillName, DrillOutcome, MonitorEvent } from '../../src/drills/types.js';
import { resolvePaths } from '../../src/paths.js';

/**
 * firedrill's real drills, with their cleanup ledger in a temp dir: what `firedrill run` would
 * do to this machine. `drillsConfig` is the YAML `drills:` section (sizes, counts).
 */
export async function openRealDrills(drillsConfig: Record<string, unknown> = {}) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'firedrill-alerts-drills-'));
  const drills = createDrills(parseConfig({ drills: drillsConfig }).drills, resolvePaths({ dataDir }, {}));
  return {
    /** Runs one drill for `durationMs`; `onEvent` gets the transitions only the drill sees. */
    run(name: DrillName, durationMs: number, signal: AbortSignal, onEvent: (event: MonitorEvent) => void = () => undefined): Promise<DrillOutcome> {
      return drills[name].run({ signal, durationMs, progress: () => undefined, reportEvent: onEvent });
    },
    close: () => rm(dataDir, { recursive: true, force: true }),
  };
}
