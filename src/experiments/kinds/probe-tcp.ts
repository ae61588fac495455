import net from 'node:net';
import { z } from 'zod';
import { TEMPLATED, TIMEOUT_SECONDS, referencesIn } from './common.js';
import { describeNetworkError } from '../../http/network-error.js';
import type { ProbeKind, ProbeOutcome } from './types.js';

const schema = z.strictObject({
  kind: z.literal('tcp'),
  /** host:port, may refer to a service: `${canary.host}:${canary.port}`. */
  address: TEMPLATED,
  max_latency_ms: z.number().positive().max(60_000).optional(),
  timeout_seconds: TIMEOUT_SECONDS.default(2),
});

type TcpSpec = z.infer<typeof schema>;

/** host:port (IPv6 in brackets) -> parts, or a sentence. */
export function parseAddress(address: string): { host: string; port: number } | string {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 1 || port > 65535) return `"${address}" is not host:port`;
  return { host: match[1] ?? match[2]!, port };
}

/** A TCP connect, timed until the connection is established, then closed at once. */
export const tcpProbe: ProbeKind<TcpSpec> = {
  kind: 'tcp',
  measuresLatency: true,
  schema,
  describe: (spec) => `TCP connect to ${spec.address}${spec.max_latency_ms !== undefined ? ` within ${spec.max_latency_ms} ms` : ''}`,
  serviceRefs: (spec) => referencesIn(spec.address).map((ref) => ref.id),
  create(spec, context) {
    const address = parseAddress(context.resolve(spec.address));
    return {
      run: (signal) =>
        typeof address === 'string' ? Promise.resolve({ ok: false, latencyMs: 0, detail: address }) : connect(address, spec, signal),
    };
  },
};

function connect(address: { host: string; port: number }, spec: TcpSpec, signal: AbortSignal): Promise<ProbeOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: address.host, port: address.port });
    let settled = false;
    const finish = (ok: boolean, detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve({ ok, latencyMs: performance.now() - started, detail });
    };
    const timer = setTimeout(() => finish(false, `not connected within ${spec.timeout_seconds} s`), spec.timeout_seconds * 1000);
    const onAbort = () => finish(false, 'cancelled');
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      const ms = performance.now() - started;
      if (spec.max_latency_ms !== undefined && ms > spec.max_latency_ms) finish(false, `connected in ${ms.toFixed(0)} ms > ${spec.max_latency_ms} ms`);
      else finish(true, `connected in ${ms.toFixed(1)} ms`);
    });
    socket.once('error', (error) => finish(false, describeNetworkError(error)));
  });
}
