// Bundles the CLI into one ESM file: importing Ink through Node's module loader is most of the
// start-up time, and one bundled file roughly halves it (see README, "Start-up").
import { build } from 'esbuild';
import { chmod, readFile } from 'node:fs/promises';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/cli.tsx'],
  outfile: 'dist/firedrill.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'automatic',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Native addons and packages that read files next to themselves stay in node_modules.
  external: ['better-sqlite3', '@neo4j-cypher/language-support'],
  // Ink imports react-devtools-core only when DEV=true; it is not a dependency of ours.
  alias: { 'react-devtools-core': './scripts/no-devtools.mjs' },
  define: { 'process.env.FIREDRILL_VERSION': JSON.stringify(pkg.version) },
  banner: {
    js: [
      '#!/usr/bin/env node',
      "import { createRequire as __firedrillCreateRequire } from 'node:module';",
      "import { fileURLToPath as __firedrillFileURLToPath } from 'node:url';",
      'const require = __firedrillCreateRequire(import.meta.url);',
      'const __filename = __firedrillFileURLToPath(import.meta.url);',
      "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
    ].join('\n'),
  },
});
await chmod('dist/firedrill.js', 0o755);
