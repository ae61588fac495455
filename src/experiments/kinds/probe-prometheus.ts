import { z } from 'zod';
import { httpUrlSchema } from '../../http/url.js';
import { MonitoringClient, MonitoringError, type MonitoringEndpoint } from '../../monitor/alerts/http.js';
import { TIMEOUT_SECONDS } from './common.js';
import type { ProbeKind } from './types.js';

const LIMIT = 1e15;

const schema = z
  .strictObject({
    kind: z.literal('prometheus'),
    /** PromQL; the first sample of the answer is checked against min / max. */
    query: z.string().min(1).max(4000),
    min: z.number().min(-LIMIT).max(LIMIT).optional(),
    max: z.number().min(-LIMIT).max(LIMIT).optional(),
    /** An empty answer (no series) is out of tolerance unless this is true. */
    empty_ok: z.boolean().default(false),
    /** Default: --prometheus, FIREDRILL_PROMETHEUS_URL or the config's detection.prometheus.url. */
    url: httpUrlSchema('prometheus').optional(),
    timeout_seconds: TIMEOUT_SECONDS.default(2),
  })
  .refine((spec) => spec.min !== undefined || spec.max !== undefined, { message: 'expected min, max or both', path: [] })
  .refine((spec) => spec.min === undefined || spec.max === undefined || spec.min <= spec.max, {
    message: 'expected max at least min',
    path: ['max'],
  });

type PrometheusSpec = z.infer<typeof schema>;

/** https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries */
const answerSchema = z.object({
  status: z.literal('success'),
  data: z.discriminatedUnion('resultType', [
    z.object({ resultType: z.literal('vector'), result: z.array(z.object({ value: z.tuple([z.number(), z.string()]) })) }),
    z.object({ resultType: z.literal('scalar'), result: z.tuple([z.number(), z.string()]) }),
    z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }),
    z.object({ resultType: z.literal('string'), result: z.unknown() }),
  ]),
});

const QUERY_API = 'Prometheus query API';

function tolerance(spec: PrometheusSpec): string {
  if (spec.min !== undefined && spec.max !== undefined) return `between ${spec.min} and ${spec.max}`;
  return spec.min !== undefined ? `>= ${spec.min}` : `<= ${spec.max}`;
}

/** A PromQL instant query whose first value must lie within [min, max]. */
export const prometheusProbe: ProbeKind<PrometheusSpec> = {
  kind: 'prometheus',
  measuresLatency: false,
  schema: schema as unknown as z.ZodObject,
  describe: (spec) => `Prometheus \`${spec.query.length > 50 ? `${spec.query.slice(0, 47)}...` : spec.query}\` ${tolerance(spec)}`,
  check: (spec, context) =>
    spec.url === undefined && context.prometheus === undefined
      ? 'a prometheus probe needs a Prometheus: give it url, or use --prometheus, FIREDRILL_PROMETHEUS_URL or the config\'s detection.prometheus.url'
      : null,
  create(spec, context) {
    const endpoint: MonitoringEndpoint = spec.url !== undefined ? { url: spec.url } : context.prometheus!;
    const client = new MonitoringClient('Prometheus', endpoint, spec.timeout_seconds * 1000);
    return {
      async run(signal) {
        const started = performance.now();
        const ms = () => performance.now() - started;
        try {
          const answer = await client.getJson('/api/v1/query', answerSchema, QUERY_API, signal, { query: spec.query });
          const { data } = answer;
          let raw: string | undefined;
          if (data.resultType === 'scalar') raw = data.result[1];
          else if (data.resultType === 'vector') raw = data.result[0]?.value[1];
          else return { ok: false, latencyMs: ms(), detail: `the query gives a ${data.resultType}, not a number` };
          if (raw === undefined) return { ok: spec.empty_ok, latencyMs: ms(), detail: 'no series' };
          const value = Number(raw);
          const ok =
            Number.isFinite(value) && (spec.min === undefined || value >= spec.min) && (spec.max === undefined || value <= spec.max);
          return { ok, latencyMs: ms(), value, detail: `${raw}${ok ? '' : `, expected ${tolerance(spec)}`}` };
        } catch (error) {
          const detail = error instanceof MonitoringError ? error.message : (error as Error).message;
          return { ok: false, latencyMs: ms(), detail };
        }
      },
      close: () => client.close(),
    };
  },
};
