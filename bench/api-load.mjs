// Load on the incident API as served by the built CLI (`firedrill serve`) on loopback:
// throughput and latency of listing scenarios, reading one, and starting simulations.
// Run after `npm run build`: node bench/api-load.mjs [--duration 5] [--connections 50]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { reportRow } from './rows.mjs';

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '5' }, connections: { type: 'string', default: '50' } },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const apiKey = randomBytes(16).toString('hex');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-bench-api-'));

// A high speed lets each simulation finish in well under a second, and a high cap keeps starts
// from being refused: the figure is the API's, not the cap's.
const child = spawn(
  process.execPath,
  ['dist/firedrill.js', 'serve', '--port', '0', '--speed', '1000', '--max-simulations', '100000'],
  {
    env: { ...process.env, FIREDRILL_API_KEY: apiKey, FIREDRILL_DATA_DIR: dataDir, FIREDRILL_LLM_URL: '', OPENAI_BASE_URL: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);

async function stopServer() {
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
}

try {
  const base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('firedrill serve did not print its URL within 20 s')), 20_000);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/[^\s]+)\/api\/v1/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`firedrill serve exited with ${code}`)));
  });

  const S = `${base}/api/v1/simulator`;
  const cases = [
    { name: 'GET /scenarios', url: `${S}/scenarios`, method: 'GET' },
    { name: 'GET /scenarios/{id}', url: `${S}/scenarios/memory_leak_gradual`, method: 'GET' },
    { name: 'POST /scenarios/{id}/start', url: `${S}/scenarios/memory_leak_gradual/start`, method: 'POST', body: '{"auto_analyze": true}' },
  ];

  const rows = [];
  for (const test of cases) {
    const result = await autocannon({
      url: test.url,
      method: test.method,
      connections,
      duration,
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      ...(test.body ? { body: test.body } : {}),
    });
    rows.push({
      route: test.name,
      'req/s': Math.round(result.requests.average),
      'p50 ms': result.latency.p50,
      'p99 ms': result.latency.p99,
      requests: result.requests.total,
      'non-2xx': result.non2xx,
      errors: result.errors + result.timeouts,
    });
  }

  console.log(`incident API on loopback, ${connections} connections, ${duration} s per route (${os.cpus().length} cores, Node ${process.version})`);
  console.table(rows);
  const list = rows[0]['req/s'];
  const start = rows[2]['req/s'];
  console.log(`start / list throughput: ${(start / list).toFixed(2)}x`);
  console.log('(each start also runs a whole simulation in the server: metric ticks and the built-in analysis, at 1000x speed)');
  for (const row of rows) {
    reportRow({
      what: `incident API, ${row.route}, ${connections} connections on loopback (autocannon)`,
      figure: `${row['req/s']} req/s, p99 ${row['p99 ms']} ms`,
      against: `${row['non-2xx']} non-2xx and ${row.errors} errors of ${row.requests} requests`,
    });
  }
} finally {
  await stopServer();
}
