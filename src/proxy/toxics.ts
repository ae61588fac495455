import { z } from 'zod';

/**
 * Toxics: what the fault proxy does to the bytes of a connection, after Toxiproxy's
 * (https://github.com/Shopify/toxiproxy#toxics). Each acts on one direction of the connection:
 * `upstream` is client -> server, `downstream` is server -> client (Toxiproxy's default).
 * `direction: both` in a file or a request is shorthand for the same toxic on each side.
 */

export const DIRECTIONS = ['upstream', 'downstream'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** Ten minutes: longer than any experiment step should hold a byte, short enough to catch a typo in units. */
const MAX_DELAY_MS = 600_000;
export const MAX_TOXICS = 32;

const name = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, "_" and "-"');

const common = {
  name: name.optional(),
  direction: z.enum(['upstream', 'downstream', 'both']).default('downstream'),
  /** Share of connections the toxic applies to, picked when the connection opens (Toxiproxy's toxicity). */
  toxicity: z.number().min(0).max(1).default(1),
};

const delay = z.number().int().min(0).max(MAX_DELAY_MS);

export const toxicInputSchema = z.discriminatedUnion('type', [
  /** Each chunk is held latency_ms ± jitter_ms (uniform) after it arrived; order is kept. */
  z.object({ type: z.literal('latency'), ...common, latency_ms: delay, jitter_ms: delay.default(0) }).strict(),
  /** At most rate_kbps kilobytes (1000 bytes) a second. */
  z.object({ type: z.literal('bandwidth'), ...common, rate_kbps: z.number().int().min(1).max(10_000_000) }).strict(),
  /**
   * Each chunk has `probability` of resetting the connection (a TCP RST both ways), after_ms after
   * it arrived. Per chunk rather than per connection (Toxiproxy's reset_peer) so that a pool of
   * long-lived connections sees a steady share of failures: the "10 % connection loss" users mean.
   */
  z.object({ type: z.literal('reset'), ...common, probability: z.number().min(0).max(1), after_ms: delay.default(0) }).strict(),
  /** Bytes go nowhere and the connection stays open: one side of a network partition. */
  z.object({ type: z.literal('blackhole'), ...common }).strict(),
  /** The close (FIN) is passed on delay_ms late. */
  z.object({ type: z.literal('slow_close'), ...common, delay_ms: delay }).strict(),
  /** Data is held back; the connection is closed timeout_ms after the first held chunk (0: held until the toxic goes). */
  z.object({ type: z.literal('timeout'), ...common, timeout_ms: z.number().int().min(0).max(3_600_000) }).strict(),
]);

export type ToxicInput = z.input<typeof toxicInputSchema>;
type ParsedInput = z.output<typeof toxicInputSchema>;
type OneDirection<T> = T extends unknown ? Omit<T, 'direction' | 'name'> & { name: string; direction: Direction } : never;
/** A toxic as the proxy holds it: named, on one direction. */
export type Toxic = OneDirection<ParsedInput>;
export type ToxicType = Toxic['type'];

export const toxicListSchema = z.array(toxicInputSchema).max(MAX_TOXICS);

/** Expands `both` and gives each toxic its default name (`latency_downstream`). */
export function normalizeToxics(inputs: readonly ParsedInput[]): Toxic[] {
  return inputs.flatMap((input) => {
    const directions: Direction[] = input.direction === 'both' ? ['upstream', 'downstream'] : [input.direction];
    return directions.map((direction) => {
      const base = input.name ?? input.type;
      const suffixed = input.direction === 'both' || input.name === undefined ? `${base}_${direction}` : base;
      return { ...input, name: suffixed, direction } as Toxic;
    });
  });
}

/** Validates one toxic from outside (a control request, a flag set, an experiment file). */
export function parseToxic(raw: unknown): { ok: true; toxics: Toxic[] } | { ok: false; error: string } {
  const result = toxicInputSchema.safeParse(raw, { reportInput: true });
  if (!result.success) return { ok: false, error: describeIssues(result.error) };
  return { ok: true, toxics: normalizeToxics([result.data]) };
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : 'toxic';
      const found = 'input' in issue && issue.input !== undefined ? `, found ${JSON.stringify(issue.input)}` : '';
      return `${where}: ${issue.message}${found}`;
    })
    .join('; ');
}

/** One line for a person: "latency 500±100 ms downstream". */
export function describeToxic(toxic: Toxic): string {
  const share = toxic.toxicity < 1 ? ` on ${Math.round(toxic.toxicity * 100)} % of connections` : '';
  const what = (() => {
    switch (toxic.type) {
      case 'latency':
        return `latency ${toxic.latency_ms}${toxic.jitter_ms > 0 ? `±${toxic.jitter_ms}` : ''} ms`;
      case 'bandwidth':
        return `bandwidth ${toxic.rate_kbps} KB/s`;
      case 'reset':
        return `reset ${Math.round(toxic.probability * 1000) / 10} % of chunks${toxic.after_ms > 0 ? ` after ${toxic.after_ms} ms` : ''}`;
      case 'blackhole':
        return 'blackhole';
      case 'slow_close':
        return `slow close ${toxic.delay_ms} ms`;
      case 'timeout':
        return toxic.timeout_ms > 0 ? `timeout ${toxic.timeout_ms} ms` : 'timeout (held)';
      default: {
        const never: never = toxic;
        return String(never);
      }
    }
  })();
  return `${what} ${toxic.direction}${share}`;
}
