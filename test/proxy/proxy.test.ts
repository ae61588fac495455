import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyControlClient, startControl } from '../../src/proxy/control.js';
import type { FaultProxy } from '../../src/proxy/proxy.js';
import { connect, roundTrip, startEcho, startProxy, toxics, watch } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(list = toxics(), maxConnections?: number): Promise<{ proxy: FaultProxy; port: number; ends: number[]; open: () => Promise<net.Socket> }> {
  const echo = await startEcho();
  cleanups.push(echo.close);
  const { proxy, port } = await startProxy(echo.port, list, maxConnections);
  cleanups.push(() => proxy.close());
  const open = async () => {
    const socket = await connect(port);
    cleanups.push(() => void socket.destroy());
    return socket;
  };
  return { proxy, port, ends: echo.ends, open };
}

describe('the fault proxy', () => {
  it('passes bytes both ways unchanged with no toxic, and counts them', async () => {
    const { proxy, open } = await setup();
    const socket = await open();
    const payload = randomBytes(1 << 20);
    const { echoed } = await roundTrip(socket, payload);
    expect(echoed.equals(payload)).toBe(true);
    expect(proxy.stats()).toMatchObject({ connectionsTotal: 1, connectionsActive: 1, bytesUpstream: 1 << 20, bytesDownstream: 1 << 20 });
  });

  it('adds latency with jitter, and a change applies at once to open connections', async () => {
    const { proxy, open } = await setup(toxics({ type: 'latency', latency_ms: 150, jitter_ms: 30 }));
    const socket = await open();
    const slow = await roundTrip(socket, Buffer.from('ping'));
    expect(slow.ms).toBeGreaterThanOrEqual(118);
    expect(slow.ms).toBeLessThan(400);
    proxy.setToxics(toxics({ type: 'latency', latency_ms: 0, direction: 'both' }));
    const fast = await roundTrip(socket, Buffer.from('ping'));
    expect(fast.ms).toBeLessThan(60);
    proxy.setToxics(toxics({ type: 'latency', latency_ms: 100, direction: 'both' }));
    const both = await roundTrip(socket, Buffer.from('ping'));
    expect(both.ms).toBeGreaterThanOrEqual(198);
  });

  it('limits bandwidth', async () => {
    const { open } = await setup(toxics({ type: 'bandwidth', rate_kbps: 200 }));
    const socket = await open();
    const { ms, echoed } = await roundTrip(socket, randomBytes(100_000));
    expect(echoed.length).toBe(100_000);
    // 100 KB at 200 KB/s: half a second, give or take the first slice and the machine's load.
    expect(ms).toBeGreaterThan(400);
    expect(ms).toBeLessThan(900);
  });

  it('resets connections at the rate asked', async () => {
    const { proxy, open } = await setup(toxics({ type: 'reset', probability: 0.3, direction: 'upstream' }));
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const socket = await open();
        const watched = watch(socket, 500);
        socket.write('x');
        const result = await watched;
        socket.destroy();
        return result;
      }),
    );
    const reset = outcomes.filter((outcome) => outcome.ended === 'reset').length;
    expect(reset).toBe(proxy.stats().resets);
    // Binomial(100, 0.3): 30 ± 4.6; 13..47 is more than three and a half standard deviations.
    expect(reset).toBeGreaterThanOrEqual(13);
    expect(reset).toBeLessThanOrEqual(47);
    expect(outcomes.filter((outcome) => outcome.ended !== 'reset').every((outcome) => outcome.bytes === 1)).toBe(true);
  });

  it('blackholes bytes while the partition lasts, then lets new bytes through', async () => {
    const { proxy, open } = await setup(toxics({ type: 'blackhole', direction: 'both' }));
    const socket = await open();
    const during = watch(socket, 300);
    socket.write('lost');
    expect(await during).toMatchObject({ bytes: 0, ended: 'open' });
    proxy.setToxics([]);
    const { echoed } = await roundTrip(socket, Buffer.from('found'));
    expect(echoed.toString()).toBe('found');
  });

  it('times out: holds data, then closes the connection after the timeout', async () => {
    const { open } = await setup(toxics({ type: 'timeout', timeout_ms: 200, direction: 'upstream' }));
    const socket = await open();
    const watched = watch(socket, 3000);
    socket.write('held');
    const result = await watched;
    expect(result.bytes).toBe(0);
    expect(result.ended).not.toBe('open');
    expect(result.at).toBeGreaterThanOrEqual(190);
    expect(result.at).toBeLessThan(1000);
  });

  it('with a timeout of 0 holds data until the toxic is removed', async () => {
    const { proxy, open } = await setup(toxics({ type: 'timeout', timeout_ms: 0 }));
    const socket = await open();
    const trip = roundTrip(socket, Buffer.from('later'));
    const held = await Promise.race([trip.then(() => 'arrived'), new Promise((resolve) => setTimeout(() => resolve('held'), 250))]);
    expect(held).toBe('held');
    proxy.removeToxic('timeout_downstream');
    expect((await trip).echoed.toString()).toBe('later');
  });

  it('passes the close on late under slow_close', async () => {
    const { ends, open } = await setup(toxics({ type: 'slow_close', delay_ms: 250, direction: 'upstream' }));
    const socket = await open();
    const closedAt = performance.now();
    const watched = watch(socket, 3000);
    socket.end();
    await watched;
    expect(ends).toHaveLength(1);
    expect((ends[0] as number) - closedAt).toBeGreaterThanOrEqual(240);
  });

  it('turns clients away when the upstream is down or over the connection limit', async () => {
    const { proxy, port, open } = await setup(toxics(), 2);
    await open();
    await open();
    const third = await connect(port).then((socket) => watch(socket, 2000), () => ({ ended: 'reset' }));
    expect(third.ended).not.toBe('open');
    expect(proxy.stats().refused).toBe(1);

    const down = await startProxy(1, []);
    cleanups.push(() => down.proxy.close());
    const orphan = await connect(down.port).then((socket) => watch(socket, 2000), () => ({ ended: 'reset' }));
    expect(orphan.ended).not.toBe('open');
    expect(down.proxy.stats().upstreamErrors).toBe(1);
  });
});

describe("the proxy's control endpoint", () => {
  it('adds, lists, replaces and removes toxics, and names the field of a bad one', async () => {
    const { proxy, open } = await setup();
    const control = await startControl(proxy, 0);
    cleanups.push(control.close);
    const client = new ProxyControlClient(control.url);

    await expect(client.add({ type: 'latency', latency_ms: -5 } as never)).rejects.toThrow(/latency_ms: .*found -5/);
    await expect(client.add({ type: 'warp' } as never)).rejects.toThrow(/type/);
    expect(await client.add({ type: 'latency', latency_ms: 120, direction: 'both' })).toHaveLength(2);
    const socket = await open();
    expect((await roundTrip(socket, Buffer.from('a'))).ms).toBeGreaterThanOrEqual(235);

    const state = await client.state();
    expect(state.toxics.map((toxic) => toxic.name).sort()).toEqual(['latency_downstream', 'latency_upstream']);
    expect(state.stats.connectionsActive).toBe(1);

    expect(await client.remove('latency_upstream')).toHaveLength(1);
    await expect(client.remove('latency_upstream')).rejects.toThrow(/no toxic named/);
    expect(await client.set([{ type: 'bandwidth', rate_kbps: 10 }])).toMatchObject([{ name: 'bandwidth_downstream' }]);
    expect(await client.clear()).toEqual([]);
    expect((await roundTrip(socket, Buffer.from('b'))).ms).toBeLessThan(60);
  });
});
