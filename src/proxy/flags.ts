import { toxicInputSchema, type ToxicInput } from './toxics.js';

/** The toxic flags `firedrill proxy` and `firedrill proxy set` share, as parseArgs options. */
export const TOXIC_FLAGS = {
  latency: { type: 'string' },
  jitter: { type: 'string' },
  bandwidth: { type: 'string' },
  reset: { type: 'string' },
  blackhole: { type: 'boolean' },
  'slow-close': { type: 'string' },
  timeout: { type: 'string' },
  direction: { type: 'string' },
} as const;

export const TOXIC_FLAGS_HELP = `Toxics (each on --direction, default downstream = server to client; "both" for both ways):
  --latency MS [--jitter MS]   hold each chunk MS (± JITTER) milliseconds
  --bandwidth KBPS             at most KBPS kilobytes a second
  --reset RATE                 reset the connection on RATE of chunks (0.2 or 20%)
  --blackhole                  bytes go nowhere (with --direction both: a partition)
  --slow-close MS              pass the close on MS milliseconds late
  --timeout MS                 hold data, close the connection after MS (0: hold until removed)`;

export type ToxicFlagValues = { [K in keyof typeof TOXIC_FLAGS]?: (typeof TOXIC_FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

const FIELD_FLAGS: Record<string, string> = {
  latency_ms: '--latency',
  jitter_ms: '--jitter',
  rate_kbps: '--bandwidth',
  probability: '--reset',
  delay_ms: '--slow-close',
  timeout_ms: '--timeout',
  direction: '--direction',
};

function number(flag: string, raw: string): number {
  const percent = raw.trim().endsWith('%');
  const value = Number(percent ? raw.trim().slice(0, -1) : raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new Error(`${flag} must be a number, got "${raw}"`);
  return percent ? value / 100 : value;
}

/** Toxics from flags; throws an Error naming the flag, what was expected and what was found. */
export function toxicsFromFlags(values: ToxicFlagValues): ToxicInput[] {
  const direction = values.direction ?? 'downstream';
  const inputs: Record<string, unknown>[] = [];
  if (values.jitter !== undefined && values.latency === undefined) throw new Error('--jitter goes with --latency');
  if (values.latency !== undefined) {
    inputs.push({ type: 'latency', latency_ms: number('--latency', values.latency), jitter_ms: values.jitter === undefined ? 0 : number('--jitter', values.jitter) });
  }
  if (values.bandwidth !== undefined) inputs.push({ type: 'bandwidth', rate_kbps: number('--bandwidth', values.bandwidth) });
  if (values.reset !== undefined) inputs.push({ type: 'reset', probability: number('--reset', values.reset) });
  if (values.blackhole) inputs.push({ type: 'blackhole' });
  if (values['slow-close'] !== undefined) inputs.push({ type: 'slow_close', delay_ms: number('--slow-close', values['slow-close']) });
  if (values.timeout !== undefined) inputs.push({ type: 'timeout', timeout_ms: number('--timeout', values.timeout) });
  return inputs.map((input) => {
    const result = toxicInputSchema.safeParse({ ...input, direction });
    if (result.success) return { ...input, direction } as ToxicInput;
    const issue = result.error.issues[0];
    const field = String(issue?.path[0] ?? '');
    const flag = FIELD_FLAGS[field] ?? `--${field}`;
    const found = field === 'direction' ? direction : (input as Record<string, unknown>)[field];
    throw new Error(`${flag}: ${issue?.message ?? 'invalid'}, got ${JSON.stringify(found)}`);
  });
}

/** "HOST:PORT" or "PORT" (host defaults to 127.0.0.1); the port 0..65535 (0: any free one, when allowed). */
export function parseAddress(flag: string, raw: string, allowAnyPort = false): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$|^(\d{1,5})$/.exec(raw.trim());
  const port = Number(match?.[3] ?? match?.[4]);
  const host = match?.[1] ?? match?.[2] ?? '127.0.0.1';
  if (!match || !Number.isInteger(port) || port > 65535 || (port === 0 && !allowAnyPort)) {
    throw new Error(`${flag} must be HOST:PORT or PORT with a port from ${allowAnyPort ? 0 : 1} to 65535, got "${raw}"`);
  }
  return { host, port };
}
