// The fault proxy's cost and accuracy on loopback, against a direct connection:
// - overhead with no toxic: round trips of 64 bytes over 16 connections for 3 s (requests/s, p50,
//   p99) and one connection streaming 128 MB (MB/s); goal >= 0.8x throughput, <= 1 ms added p99;
// - the latency toxic's accuracy: added delay (median) against the setting; goal within 5 %.
// The echo server and the proxy (`firedrill proxy` from dist/, as users run it) are separate
// processes, so that the load generator here does not share their event loop.
//
//   npm run build && node bench/proxy.mjs
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { reportRow } from './rows.mjs';

const CLI = path.resolve('dist/firedrill.js');
const ECHO = `
const net = require('node:net');
const sink = process.argv[1] === 'sink';
const server = net.createServer({ noDelay: true }, (s) => { s.on('error', () => {}); if (sink) s.resume(); else s.pipe(s); });
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

function startProcess(args) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((text) => text.trim() !== '' && out.includes('\n'));
      if (line) resolve({ child, line: line.trim() });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}

async function startEcho(kind = 'echo') {
  const { child, line } = await startProcess(['-e', ECHO, kind]);
  return { child, port: Number(line) };
}

async function startProxy(upstreamPort, extra = []) {
  const { child, line } = await startProcess([CLI, 'proxy', '--listen', '127.0.0.1:0', '--upstream', `127.0.0.1:${upstreamPort}`, '--json', ...extra]);
  const info = JSON.parse(line);
  return { child, port: Number(info.listen.split(':').pop()), control: info.control };
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Ping-pong of `size` bytes on `connections` sockets for `seconds`: requests/s and latency percentiles. */
async function pingPong(port, { connections = 16, seconds = 3, size = 64 } = {}) {
  const payload = Buffer.alloc(size, 7);
  const samples = [];
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const socket = await connect(port);
      while (performance.now() < deadline) {
        const started = performance.now();
        await new Promise((resolve) => {
          let got = 0;
          const onData = (chunk) => {
            got += chunk.length;
            if (got >= size) {
              socket.off('data', onData);
              resolve();
            }
          };
          socket.on('data', onData);
          socket.write(payload);
        });
        samples.push(performance.now() - started);
      }
      socket.destroy();
    }),
  );
  samples.sort((a, b) => a - b);
  return { rate: samples.length / seconds, p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** One connection writing `megabytes` as fast as the other side reads: MB/s. */
async function stream(port, megabytes = 128) {
  const socket = await connect(port);
  const chunk = Buffer.alloc(64 * 1024, 1);
  const total = megabytes * 1024 * 1024;
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
    sent += chunk.length;
  }
  await new Promise((resolve) => socket.end(resolve));
  await new Promise((resolve) => socket.once('close', resolve));
  return megabytes / ((performance.now() - started) / 1000);
}

/** Median round trip of a single connection, `count` times. */
async function medianRoundTrip(port, count) {
  const socket = await connect(port);
  const samples = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    await new Promise((resolve) => {
      socket.once('data', resolve);
      socket.write('x');
    });
    samples.push(performance.now() - started);
  }
  socket.destroy();
  samples.sort((a, b) => a - b);
  return percentile(samples, 50);
}

const rows = [];
const children = [];
try {
  const echo = await startEcho();
  const sink = await startEcho('sink');
  const proxy = await startProxy(echo.port);
  const sinkProxy = await startProxy(sink.port);
  children.push(echo.child, sink.child, proxy.child, sinkProxy.child);

  await pingPong(echo.port, { seconds: 0.5 });
  await pingPong(proxy.port, { seconds: 0.5 });
  const direct = await pingPong(echo.port);
  const proxied = await pingPong(proxy.port);
  rows.push(['round trips, 16 connections, 64 B (req/s)', direct.rate.toFixed(0), proxied.rate.toFixed(0), `${(proxied.rate / direct.rate).toFixed(2)}x (goal >= 0.8x)`]);
  rows.push(['round trip p50, 16 connections (ms)', direct.p50.toFixed(3), proxied.p50.toFixed(3), `+${(proxied.p50 - direct.p50).toFixed(3)} ms`]);
  rows.push(['round trip p99, 16 connections (ms)', direct.p99.toFixed(3), proxied.p99.toFixed(3), `+${(proxied.p99 - direct.p99).toFixed(3)} ms (goal <= 1 ms)`]);
  const single = { direct: await pingPong(echo.port, { connections: 1 }), proxied: await pingPong(proxy.port, { connections: 1 }) };
  rows.push(['round trip p50, one connection (ms)', single.direct.p50.toFixed(3), single.proxied.p50.toFixed(3), `+${(single.proxied.p50 - single.direct.p50).toFixed(3)} ms`]);
  rows.push(['round trip p99, one connection (ms)', single.direct.p99.toFixed(3), single.proxied.p99.toFixed(3), `+${(single.proxied.p99 - single.direct.p99).toFixed(3)} ms (goal <= 1 ms)`]);
  const directMb = await stream(sink.port);
  const proxiedMb = await stream(sinkProxy.port);
  rows.push(['stream 128 MB, one connection (MB/s)', directMb.toFixed(0), proxiedMb.toFixed(0), `${(proxiedMb / directMb).toFixed(2)}x (goal >= 0.8x)`]);

  const base = await medianRoundTrip(echo.port, 20);
  for (const latency of [50, 200, 500]) {
    const slow = await startProxy(echo.port, ['--latency', String(latency)]);
    children.push(slow.child);
    const added = (await medianRoundTrip(slow.port, latency >= 500 ? 8 : 20)) - base;
    const error = ((added - latency) / latency) * 100;
    rows.push([`latency toxic ${latency} ms: added delay (ms)`, '', added.toFixed(1), `${error >= 0 ? '+' : ''}${error.toFixed(1)} % (goal within 5 %)`]);
    slow.child.kill('SIGTERM');
  }
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}

const widths = [46, 12, 12, 30];
const line = (cells) => cells.map((cell, index) => String(cell).padEnd(widths[index])).join(' ');
console.log(line(['proxy (loopback)', 'direct', 'proxy', 'ratio / error']));
for (const row of rows) console.log(line(row));
for (const [what, direct, proxied, note] of rows) reportRow({ what: `proxy: ${what}`, figure: String(proxied), against: direct === '' ? note : `direct: ${direct}; ${note}` });
