import net from 'node:net';
import type { Direction, Toxic } from './toxics.js';
import { MAX_TOXICS } from './toxics.js';

/**
 * A TCP fault proxy in the spirit of Toxiproxy: it accepts connections on a listen address, opens
 * one to the upstream for each, and passes bytes both ways through the toxics in force. Toxics can
 * be changed at any time and apply at once to open connections too (a latency toxic removed lets
 * held bytes through; a blackhole removed lets new bytes through).
 *
 * With no toxic on a direction, bytes are written straight through with the socket's own
 * backpressure: the overhead against a direct connection is measured in bench/proxy.mjs.
 */

export interface ProxyOptions {
  /** 127.0.0.1 unless the user asks otherwise: a fault proxy open to the network is a gift to anyone. */
  listenHost?: string;
  /** 0 picks a free port. */
  listenPort: number;
  upstreamHost: string;
  upstreamPort: number;
  /** Connections beyond this are reset at once (protects the proxy's file descriptors). */
  maxConnections?: number;
  /** How long to wait for the upstream to accept a connection before resetting the client. */
  connectTimeoutMs?: number;
  toxics?: readonly Toxic[];
}

export interface ProxyStats {
  connectionsTotal: number;
  connectionsActive: number;
  /** Client -> upstream bytes read from clients. */
  bytesUpstream: number;
  /** Upstream -> client bytes read from the upstream. */
  bytesDownstream: number;
  /** Connections reset by a reset toxic. */
  resets: number;
  /** Connections whose upstream could not be reached (refused, timed out). */
  upstreamErrors: number;
  /** Connections turned away over maxConnections. */
  refused: number;
}

export const DEFAULT_MAX_CONNECTIONS = 1000;
export const MAX_CONNECTIONS_LIMIT = 10_000;

/** Bytes held per direction before the sending side is paused (backpressure through the toxics). */
const HIGH_WATER = 1 << 20;
const LOW_WATER = 1 << 18;
/** A bandwidth toxic releases bytes in slices of this share of a second, so the rate is smooth. */
const BANDWIDTH_SLICE_S = 0.05;

interface Held {
  chunk: Buffer;
  arrivedAt: number;
  /** Drawn once per chunk, in [-1, 1]: the chunk's share of the latency toxic's jitter. */
  jitter: number;
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

export class FaultProxy {
  private server: net.Server | undefined;
  private current: Toxic[] = [];
  private changed: { promise: Promise<void>; resolve: () => void } = FaultProxy.signal();
  private readonly connections = new Set<Connection>();
  private readonly counters: ProxyStats = {
    connectionsTotal: 0,
    connectionsActive: 0,
    bytesUpstream: 0,
    bytesDownstream: 0,
    resets: 0,
    upstreamErrors: 0,
    refused: 0,
  };
  private address: { host: string; port: number } | undefined;

  constructor(readonly options: ProxyOptions) {
    this.setToxics(options.toxics ?? []);
  }

  private static signal(): { promise: Promise<void>; resolve: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>((done) => (resolve = done));
    return { promise, resolve };
  }

  /** Resolves once listening, with the address actually bound (the port when 0 was asked). */
  async start(): Promise<{ host: string; port: number }> {
    // Half-open kept: each side's FIN is passed on by its own Link (late under slow_close).
    const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.listenPort, this.options.listenHost ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = server.address() as net.AddressInfo;
    this.address = { host: bound.address, port: bound.port };
    return this.address;
  }

  listening(): { host: string; port: number } | undefined {
    return this.address;
  }

  upstream(): string {
    return `${this.options.upstreamHost}:${this.options.upstreamPort}`;
  }

  toxics(): Toxic[] {
    return [...this.current];
  }

  /** @internal the toxics as held (not a copy): read on every chunk, so no allocation. */
  inForce(): readonly Toxic[] {
    return this.current;
  }

  /** Replaces every toxic; open connections follow at once. */
  setToxics(toxics: readonly Toxic[]): void {
    const names = new Set<string>();
    for (const toxic of toxics) {
      if (names.has(toxic.name)) throw new Error(`two toxics are named "${toxic.name}": names must be unique`);
      names.add(toxic.name);
    }
    if (toxics.length > MAX_TOXICS) throw new Error(`at most ${MAX_TOXICS} toxics, got ${toxics.length}`);
    this.current = [...toxics];
    const previous = this.changed;
    this.changed = FaultProxy.signal();
    previous.resolve();
  }

  /** Adds toxics, replacing those of the same name. */
  addToxics(toxics: readonly Toxic[]): void {
    const replaced = new Set(toxics.map((toxic) => toxic.name));
    this.setToxics([...this.current.filter((toxic) => !replaced.has(toxic.name)), ...toxics]);
  }

  /** Removes a toxic by name; false when there was none. */
  removeToxic(name: string): boolean {
    const kept = this.current.filter((toxic) => toxic.name !== name);
    if (kept.length === this.current.length) return false;
    this.setToxics(kept);
    return true;
  }

  stats(): ProxyStats {
    return { ...this.counters, connectionsActive: this.connections.size };
  }

  /** Stops listening and drops every open connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const connection of this.connections) connection.destroy();
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** @internal for Connection: resolves at the next toxic change. */
  nextChange(): Promise<void> {
    return this.changed.promise;
  }

  /** @internal */
  count(counter: 'bytesUpstream' | 'bytesDownstream' | 'resets' | 'upstreamErrors', amount = 1): void {
    this.counters[counter] += amount;
  }

  /** @internal */
  forget(connection: Connection): void {
    this.connections.delete(connection);
  }

  private accept(client: net.Socket): void {
    client.on('error', () => {});
    const limit = this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if (this.connections.size >= limit) {
      this.counters.refused += 1;
      client.resetAndDestroy();
      return;
    }
    this.counters.connectionsTotal += 1;
    this.connections.add(new Connection(this, client));
  }
}

/** One client connection and its upstream twin, with a Link for each direction. */
class Connection {
  private readonly upstream: net.Socket;
  private readonly picked = new Map<string, boolean>();
  private closed = false;

  constructor(
    private readonly proxy: FaultProxy,
    private readonly client: net.Socket,
  ) {
    const { upstreamHost, upstreamPort, connectTimeoutMs = 5000 } = proxy.options;
    this.upstream = net.connect({ host: upstreamHost, port: upstreamPort, noDelay: true, allowHalfOpen: true });
    let connected = false;
    this.upstream.setTimeout(connectTimeoutMs, () => this.upstreamFailed());
    this.upstream.once('connect', () => {
      connected = true;
      this.upstream.setTimeout(0);
    });
    this.upstream.once('error', () => {
      if (!connected) this.upstreamFailed();
    });
    // Linked at once: a socket still connecting keeps what is written to it, and a client's early
    // FIN must not be missed.
    new Link(this, 'upstream', client, this.upstream);
    new Link(this, 'downstream', this.upstream, client);
    for (const socket of [client, this.upstream]) {
      socket.on('error', () => this.reset(false));
      socket.on('close', () => this.onSocketClosed());
    }
  }

  private upstreamFailed(): void {
    if (this.closed) return;
    this.proxy.count('upstreamErrors');
    this.reset(false);
  }

  /** Toxics in force for this connection and direction (toxicity drawn once per connection and toxic). */
  toxicsFor(direction: Direction): readonly Toxic[] {
    const all = this.proxy.inForce();
    if (all.length === 0) return all;
    return all.filter((toxic) => {
      if (toxic.direction !== direction) return false;
      if (toxic.toxicity >= 1) return true;
      const key = `${toxic.name}@${toxic.toxicity}`;
      let applies = this.picked.get(key);
      if (applies === undefined) {
        applies = Math.random() < toxic.toxicity;
        this.picked.set(key, applies);
      }
      return applies;
    });
  }

  nextChange(): Promise<void> {
    return this.proxy.nextChange();
  }

  count(direction: Direction, bytes: number): void {
    this.proxy.count(direction === 'upstream' ? 'bytesUpstream' : 'bytesDownstream', bytes);
  }

  isClosed(): boolean {
    return this.closed;
  }

  /** Ends both sides: with a TCP RST when `hard` (a reset toxic), else by destroying the sockets. */
  reset(hard: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (hard) this.proxy.count('resets');
    for (const socket of [this.client, this.upstream]) {
      if (socket.destroyed) continue;
      if (hard || socket.readyState === 'open') socket.resetAndDestroy();
      else socket.destroy();
    }
    this.proxy.forget(this);
  }

  destroy(): void {
    this.reset(false);
  }

  private onSocketClosed(): void {
    if (this.client.destroyed && this.upstream.destroyed) {
      this.closed = true;
      this.proxy.forget(this);
    }
  }
}

/** One direction of a connection: bytes from `source` to `sink` through the toxics in force. */
class Link {
  private readonly queue: Held[] = [];
  private queuedBytes = 0;
  private pumping = false;
  private sourceEnded = false;
  private bandwidthFreeAt = 0;
  private heldSince: number | undefined;
  private timeoutTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly direction: Direction,
    private readonly source: net.Socket,
    private readonly sink: net.Socket,
  ) {
    source.on('data', (chunk: Buffer) => this.onData(chunk));
    source.once('end', () => {
      this.sourceEnded = true;
      if (!this.pumping) void this.pump();
    });
    sink.on('drain', () => this.maybeResume());
    sink.once('close', () => clearTimeout(this.timeoutTimer));
  }

  private onData(chunk: Buffer): void {
    this.connection.count(this.direction, chunk.length);
    if (!this.pumping && this.queue.length === 0 && this.connection.toxicsFor(this.direction).length === 0) {
      if (!this.sink.write(chunk)) this.source.pause();
      return;
    }
    this.queue.push({ chunk, arrivedAt: performance.now(), jitter: Math.random() * 2 - 1 });
    this.queuedBytes += chunk.length;
    if (this.queuedBytes > HIGH_WATER) this.source.pause();
    if (!this.pumping) void this.pump();
  }

  private maybeResume(): void {
    if (this.queuedBytes < LOW_WATER && !this.sink.writableNeedDrain) this.source.resume();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.connection.isClosed()) {
        const held = this.queue[0] as Held;
        const outcome = await this.pass(held);
        if (outcome === 'stop') return;
        this.queue.shift();
        this.queuedBytes -= held.chunk.length;
        this.maybeResume();
      }
      if (this.sourceEnded && !this.connection.isClosed()) await this.passEnd();
    } finally {
      this.pumping = false;
    }
  }

  /** Takes one chunk through the toxics as they are now, re-reading them whenever they change. */
  private async pass(held: Held): Promise<'sent' | 'dropped' | 'stop'> {
    for (;;) {
      if (this.connection.isClosed()) return 'stop';
      const toxics = this.connection.toxicsFor(this.direction);
      if (toxics.some((toxic) => toxic.type === 'blackhole')) return 'dropped';
      const timeout = toxics.find((toxic) => toxic.type === 'timeout');
      if (timeout) {
        this.holdFor(timeout.timeout_ms);
        await this.connection.nextChange();
        continue;
      }
      this.release();
      const reset = toxics.find((toxic) => toxic.type === 'reset' && Math.random() < toxic.probability);
      if (reset?.type === 'reset') {
        const resetAt = held.arrivedAt + reset.after_ms;
        await wait(resetAt - performance.now());
        this.connection.reset(true);
        return 'stop';
      }
      const latency = toxics.find((toxic) => toxic.type === 'latency');
      if (latency?.type === 'latency') {
        const due = held.arrivedAt + Math.max(0, latency.latency_ms + latency.jitter_ms * held.jitter);
        const remaining = due - performance.now();
        if (remaining > 0) {
          await Promise.race([wait(remaining), this.connection.nextChange()]);
          continue;
        }
      }
      const bandwidth = toxics.find((toxic) => toxic.type === 'bandwidth');
      if (bandwidth?.type === 'bandwidth') {
        await this.throttled(held.chunk, bandwidth.rate_kbps * 1000);
      } else {
        await this.write(held.chunk);
      }
      return 'sent';
    }
  }

  private async throttled(chunk: Buffer, bytesPerSecond: number): Promise<void> {
    const slice = Math.max(1, Math.floor(bytesPerSecond * BANDWIDTH_SLICE_S));
    for (let offset = 0; offset < chunk.length && !this.connection.isClosed(); offset += slice) {
      const part = chunk.subarray(offset, offset + slice);
      const now = performance.now();
      const start = Math.max(now, this.bandwidthFreeAt);
      this.bandwidthFreeAt = start + (part.length / bytesPerSecond) * 1000;
      await wait(start - now);
      await this.write(part);
    }
  }

  private async write(chunk: Buffer): Promise<void> {
    if (this.sink.destroyed) return;
    if (!this.sink.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.sink.off('drain', done);
          this.sink.off('close', done);
          resolve();
        };
        this.sink.on('drain', done);
        this.sink.on('close', done);
      });
    }
  }

  /** A timeout toxic: the connection is closed timeout_ms after bytes were first held (0: never). */
  private holdFor(timeoutMs: number): void {
    if (this.heldSince !== undefined) return;
    this.heldSince = performance.now();
    if (timeoutMs > 0) this.timeoutTimer = setTimeout(() => this.connection.reset(false), timeoutMs);
  }

  private release(): void {
    this.heldSince = undefined;
    clearTimeout(this.timeoutTimer);
  }

  /** The source closed its side: pass the FIN on, late under slow_close, held under blackhole/timeout. */
  private async passEnd(): Promise<void> {
    for (;;) {
      if (this.connection.isClosed()) return;
      const toxics = this.connection.toxicsFor(this.direction);
      if (toxics.some((toxic) => toxic.type === 'blackhole' || toxic.type === 'timeout')) {
        await this.connection.nextChange();
        continue;
      }
      const slowClose = toxics.find((toxic) => toxic.type === 'slow_close');
      if (slowClose?.type === 'slow_close') await wait(slowClose.delay_ms);
      if (!this.sink.destroyed) this.sink.end();
      return;
    }
  }
}
