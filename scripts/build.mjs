// Bundles the CLI into ESM chunks: importing Ink through Node's module loader is most of the
// start-up time, and a bundle roughly halves it; splitting at each dynamic import means a command
// compiles only what it uses (history never parses Ink, the console never parses neo4j-driver).
import { build } from 'esbuild';
import { chmod, readFile, rename, rm } from 'node:fs/promises';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

/**
 * Yoga (Ink's layout engine) is WebAssembly shipped as a base64 data: URL, and its loader, built
 * for browsers, fetches that URL when `fetch` exists: on Node that loads undici and goes through
 * it, a sixth of the console's start-up (bench/startup.mjs). Told there is no fetch, the loader
 * decodes the same bytes itself.
 */
const yogaWithoutFetch = {
  name: 'yoga-without-fetch',
  setup(esbuild) {
    esbuild.onLoad({ filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const patched = source.replaceAll('"function"!=typeof fetch', '!0');
      // A yoga-layout release that loads differently must not silently bring the cost back.
      if (patched === source) throw new Error(`${path}: the wasm loader changed; update yogaWithoutFetch in scripts/build.mjs`);
      return { contents: patched, loader: 'js' };
    });
  },
};

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
  plugins: [yogaWithoutFetch],
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
