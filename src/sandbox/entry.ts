import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How to start firedrill itself as a child (`firedrill proxy ...`, `firedrill sandbox app ...`):
 * the sandbox's proxy and demo app are firedrill commands, so that what the sandbox runs is what a
 * user runs. The built bundle is found from this module's place (dist/chunks/ in the bundle,
 * src/sandbox/ in the sources: both under the package root); FIREDRILL_ENTRY overrides.
 */
export function firedrillEntry(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FIREDRILL_ENTRY) return path.resolve(env.FIREDRILL_ENTRY);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth += 1) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'firedrill') {
          const entry = path.join(dir, 'dist', 'firedrill.js');
          if (existsSync(entry)) return entry;
          throw new Error(`the sandbox runs firedrill's own proxy and demo app from ${entry}, which is missing: run \`npm run build\` first`);
        }
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
      }
    }
    dir = path.dirname(dir);
  }
  throw new Error("cannot find firedrill's package folder to start its proxy and demo app; set FIREDRILL_ENTRY to dist/firedrill.js");
}
