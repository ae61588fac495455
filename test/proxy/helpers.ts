import net from 'node:net';
import { FaultProxy } from '../../src/proxy/proxy.js';
import { normalizeToxics, toxicInputSchema, type Toxic, type ToxicInput } from '../../src/proxy/toxics.js';

/** A TCP echo server on loopback that also remembers when each connection's client half closed. */
export async function startEcho(): Promise<{ port: number; ends: number[]; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const ends: number[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('end', () => {
      ends.push(performance.now());
      socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    ends,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function toxics(...inputs: ToxicInput[]): Toxic[] {
  return normalizeToxics(inputs.map((input) => toxicInputSchema.parse(input)));
}

export async function startProxy(upstreamPort: number, list: Toxic[] = [], maxConnections?: number): Promise<{ proxy: FaultProxy; port: number }> {
  const proxy = new FaultProxy({ listenPort: 0, upstreamHost: '127.0.0.1', upstreamPort, toxics: list, maxConnections });
  const { port } = await proxy.start();
  return { proxy, port };
}

export function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true, noDelay: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends `payload` and resolves with the milliseconds until as many bytes came back. */
export function roundTrip(socket: net.Socket, payload: Buffer): Promise<{ ms: number; echoed: Buffer }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const parts: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      parts.push(chunk);
      received += chunk.length;
      if (received >= payload.length) {
        socket.off('data', onData);
        socket.off('error', reject);
        resolve({ ms: performance.now() - started, echoed: Buffer.concat(parts) });
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(payload);
  });
}

/** What happens to a socket within `ms`: bytes that arrived, and how it ended if it did. */
export function watch(socket: net.Socket, ms: number): Promise<{ bytes: number; ended: 'reset' | 'closed' | 'open'; at: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    let bytes = 0;
    let ended: 'reset' | 'closed' | 'open' = 'open';
    const finish = () => {
      clearTimeout(timer);
      resolve({ bytes, ended, at: performance.now() - started });
    };
    const timer = setTimeout(finish, ms);
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      ended = error.code === 'ECONNRESET' ? 'reset' : 'closed';
    });
    socket.once('close', () => {
      if (ended === 'open') ended = 'closed';
      finish();
    });
  });
}
