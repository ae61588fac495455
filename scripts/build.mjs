// Bundles the CLI into ESM chunks: importing Ink through Node's module loader is most of the
// start-up time, and a bundle roughly halves it; splitting at each dynamic import means a command
// compiles only what it uses (history never parses Ink, the console never parses neo4j-driver).
import { build } from 'esbuild';
import { chmod, readFile, rename, rm } from 'node:fs/promises';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

// Chunk names change with their content: build into a fresh folder, then swap it in, so that old
// chunks never pile up and a firedrill already running keeps its files until the swap.
const staging = `dist.${process.pid}`;
await rm(staging, { recursive: true, force: true });
await build({
  entryPoints: ['src/cli.tsx'],
  outdir: staging,
  entryNames: 'firedrill',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'automatic',
  sourcemap: 'linked',
  // Less to parse at every start; stack traces still map back to src/ through the source maps.
  minify: true,
  logLevel: 'warning',
  // Native addons and packages that read files next to themselves stay in node_modules.
  external: ['better-sqlite3', '@neo4j-cypher/language-support'],
  // Ink imports react-devtools-core only when DEV=true; it is not a dependency of ours.
  alias: { 'react-devtools-core': './scripts/no-devtools.mjs' },
  // React's production build: the development one is twice the code and slower at every render.
  define: { 'process.env.FIREDRILL_VERSION': JSON.stringify(pkg.version), 'process.env.NODE_ENV': '"production"' },
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
await chmod(`${staging}/firedrill.js`, 0o755);
await rm(`dist.old.${process.pid}`, { recursive: true, force: true });
await rename('dist', `dist.old.${process.pid}`).catch(() => undefined);
await rename(staging, 'dist');
await rm(`dist.old.${process.pid}`, { recursive: true, force: true });
