import os from 'node:os';
import path from 'node:path';

/** Where firedrill keeps things on this machine. Resolved once from flags and environment. */
export interface FiredrillPaths {
  /** The YAML config file (may not exist). */
  configFile: string;
  /** History store, cleanup ledger and the drill lock live here. */
  dataDir: string;
  ledgerFile: string;
  lockFile: string;
}

export function resolvePaths(
  options: { configFile?: string; dataDir?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
): FiredrillPaths {
  const home = os.homedir();
  const configHome = env.XDG_CONFIG_HOME || path.join(home, '.config');
  const dataHome = env.XDG_DATA_HOME || path.join(home, '.local', 'share');
  const dataDir = path.resolve(options.dataDir ?? env.FIREDRILL_DATA_DIR ?? path.join(dataHome, 'firedrill'));
  return {
    configFile: path.resolve(options.configFile ?? path.join(configHome, 'firedrill', 'config.yaml')),
    dataDir,
    ledgerFile: path.join(dataDir, 'ledger.json'),
    lockFile: path.join(dataDir, 'drill.lock'),
  };
}
