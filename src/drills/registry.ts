import type { DrillsConfig } from '../config/config.js';
import type { FiredrillPaths } from '../paths.js';
import { failedOutcome } from './common.js';
import { createCpuSpike } from './cpu-spike.js';
import { createDiskFill } from './disk-fill.js';
import { openLedger } from './ledger.js';
import { createMemoryPressure } from './memory-pressure.js';
import { createProcessSpawn } from './process-spawn.js';
import { createServiceRestart } from './service-restart.js';
import type { Drill, DrillName } from './types.js';

/** A drill whose unexpected error becomes a failed outcome (its own cleanup has run by then). */
function failSafe(drill: Drill): Drill {
  return {
    ...drill,
    run: async (context) => {
      try {
        return await drill.run(context);
      } catch (error) {
        return failedOutcome({}, `${drill.name} failed: ${(error as Error).message}`);
      }
    },
  };
}

/** The five local event drills, configured. Each records what it creates in the ledger at paths.ledgerFile. */
export function createDrills(config: DrillsConfig, paths: FiredrillPaths): Record<DrillName, Drill> {
  const ledger = openLedger(paths);
  return {
    cpu_spike: failSafe(createCpuSpike(config.cpu_spike, ledger)),
    memory_pressure: failSafe(createMemoryPressure(config.memory_pressure, ledger)),
    disk_fill: failSafe(createDiskFill(config, ledger)),
    service_restart: failSafe(createServiceRestart(config.service_restart, ledger)),
    process_spawn: failSafe(createProcessSpawn(config.process_spawn, ledger)),
  };
}
