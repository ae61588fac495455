import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
  const dataDir = path.resolve(options.dataDir ?? (env.FIREDRILL_DATA_DIR || path.join(dataHome, 'firedrill')));
  return {
    configFile: path.resolve(options.configFile ?? path.join(configHome, 'firedrill', 'config.yaml')),
    dataDir,
    ledgerFile: path.join(dataDir, 'ledger.json'),
    lockFile: path.join(dataDir, 'drill.lock'),
  };
}

/**
 * A folder shipped with firedrill (scenarios/, experiments/, ...), or the override in `envVar`.
 * The code runs from src/ (tsx, vitest) or from the bundled dist/firedrill.js, so this walks up to
 * the package root rather than assume a depth.
 */
export function shippedFolder(name: string, envVar: string, env: NodeJS.ProcessEnv = process.env): string {
  const override = env[envVar];
  if (override) return path.resolve(override);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && readPackageName(manifest) === 'firedrill') return path.join(dir, name);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the firedrill package folder holding ${name}/`);
    dir = parent;
  }
}

function readPackageName(manifest: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}
