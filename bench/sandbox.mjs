// The PostgreSQL sandbox's figures, on a fresh sandbox (PostgreSQL 15 from Debian, max_connections 20):
// - queries through the fault proxy (no toxic) against straight to PostgreSQL: 8 clients running
//   `SELECT` for 3 s each way (queries/s, p99); goal >= 0.8x, <= 1 ms added p99;
// - connection exhaustion: time from the first connection to PostgreSQL's "too many clients";
// - crash to ready: kill -9 of the postmaster until it answers queries again (supervisor restart
//   included), over 3 crashes, every committed row checked after each.
//
//   npm run build && node bench/sandbox.mjs
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { register } from 'tsx/esm/api';
import { reportRow } from './rows.mjs';

register();
const pg = (await import('pg')).default;
const { Ledger } = await import('../src/drills/ledger.ts');
const { Sandbox } = await import('../src/sandbox/sandbox.ts');
const { ConnectionHog, writeChecksummedRows, checkChecksummedRows } = await import('../src/sandbox/faults.ts');
const { crashPostgres } = await import('../src/sandbox/operations.ts');

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function queryLoad(url, clients = 8, seconds = 3) {
  const samples = [];
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      while (performance.now() < deadline) {
        const started = performance.now();
        await client.query('SELECT id, body FROM items WHERE id = $1', [1 + Math.floor(Math.random() * 100)]);
        samples.push(performance.now() - started);
      }
      await client.end();
    }),
  );
  samples.sort((a, b) => a - b);
  return { rate: samples.length / seconds, p99: percentile(samples, 99) };
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'firedrill-bench-'));
const sandbox = await Sandbox.start({ ledger: new Ledger(path.join(dataDir, 'ledger.json')) });
const rows = [];
try {
  const { admin_url: direct, direct_url: directApp, database_url: proxied } = sandbox.endpoints();
  await queryLoad(directApp, 8, 0.5);
  const a = await queryLoad(directApp);
  const b = await queryLoad(proxied);
  rows.push(['SELECT, 8 clients (queries/s)', a.rate.toFixed(0), b.rate.toFixed(0), `${(b.rate / a.rate).toFixed(2)}x (goal >= 0.8x)`]);
  rows.push(['SELECT p99 (ms)', a.p99.toFixed(2), b.p99.toFixed(2), `+${(b.p99 - a.p99).toFixed(2)} ms (goal <= 1 ms)`]);

  const hog = new ConnectionHog(directApp, { limit: 100 });
  const exhaustion = await hog.exhaust();
  await hog.release();
  rows.push([`connection exhaustion (${exhaustion.held} held)`, '', `${exhaustion.ms.toFixed(0)} ms`, exhaustion.refusal]);

  await writeChecksummedRows(direct, 10_000);
  for (let crash = 1; crash <= 3; crash += 1) {
    const result = await crashPostgres(sandbox);
    const check = await checkChecksummedRows(direct, 10_000);
    rows.push([`crash ${crash}: kill -9 to ready`, '', `${result.readyMs.toFixed(0)} ms`, `${check.found}/${check.expected} rows, ${check.corrupted} corrupted`]);
  }
} finally {
  await sandbox.stop();
  await rm(dataDir, { recursive: true, force: true });
}
const widths = [40, 10, 12, 40];
const line = (cells) => cells.map((cell, index) => String(cell).padEnd(widths[index])).join(' ');
console.log(line(['sandbox', 'direct', 'proxy', 'ratio / note']));
for (const row of rows) console.log(line(row));
for (const [what, direct, proxied, note] of rows) reportRow({ what: `sandbox: ${what}`, figure: String(proxied), against: direct === '' ? note : `direct: ${direct}; ${note}` });
