import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { describeNetworkError } from '../../http/network-error.js';
import { checkHttpUrl } from '../../http/url.js';
import { TEMPLATED, TIMEOUT_SECONDS, referencesIn, substitute } from './common.js';
import type { ProbeKind, ProbeOutcome } from './types.js';

/** Stand-ins for `${service.key}` references, so that a templated URL can be checked before the services run. */
const STAND_IN: Record<string, string> = { url: 'http://127.0.0.1:1', host: '127.0.0.1', port: '1' };

const schema = z.strictObject({
  kind: z.literal('http'),
  /** May refer to a service: `${canary.url}/health`. */
  url: TEMPLATED.superRefine((raw, context) => {
    const checked = checkHttpUrl(substitute(raw, (_, key) => STAND_IN[key] ?? 'x'));
    if ('problem' in checked) context.addIssue({ code: 'custom', message: `expected an http(s) URL such as \${canary.url}/health, ${checked.problem}` });
  }),
  method: z.enum(['GET', 'HEAD']).default('GET'),
  status: z.number().int().min(100).max(599).default(200),
  /** Slower answers are out of tolerance. */
  max_latency_ms: z.number().positive().max(60_000).optional(),
  /** The body must contain this text. */
  body_contains: z.string().min(1).max(1000).optional(),
  timeout_seconds: TIMEOUT_SECONDS.default(2),
});

type HttpSpec = z.infer<typeof schema>;

/** Bodies are read up to this much for body_contains; the rest is discarded. */
const MAX_BODY_CHARS = 64 * 1024;

/** One request on a fresh connection (as a client arriving would), timed from send to the last byte. */
export const httpProbe: ProbeKind<HttpSpec> = {
  kind: 'http',
  measuresLatency: true,
  schema,
  describe: (spec) =>
    `${spec.method} ${spec.url}: ${spec.status}${spec.max_latency_ms !== undefined ? ` within ${spec.max_latency_ms} ms` : ''}${
      spec.body_contains !== undefined ? `, body has "${spec.body_contains}"` : ''
    }`,
  serviceRefs: (spec) => referencesIn(spec.url).map((ref) => ref.id),
  create(spec, context) {
    const url = new URL(context.resolve(spec.url));
    return {
      run: (signal) => request(url, spec, signal),
    };
  },
};

function request(url: URL, spec: HttpSpec, signal: AbortSignal): Promise<ProbeOutcome> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const fail = (detail: string) => finish({ ok: false, latencyMs: elapsed(), detail });
    const req = client.request(url, { method: spec.method, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < MAX_BODY_CHARS) body += chunk;
      });
      response.on('error', (error) => fail(describeNetworkError(error)));
      response.on('end', () => {
        const ms = elapsed();
        const status = response.statusCode ?? 0;
        const problems: string[] = [];
        if (status !== spec.status) problems.push(`HTTP ${status}, expected ${spec.status}`);
        if (spec.max_latency_ms !== undefined && ms > spec.max_latency_ms) problems.push(`${ms.toFixed(0)} ms > ${spec.max_latency_ms} ms`);
        if (spec.body_contains !== undefined && !body.includes(spec.body_contains)) problems.push(`body lacks "${spec.body_contains}"`);
        finish({
          ok: problems.length === 0,
          latencyMs: ms,
          value: status,
          detail: problems.length === 0 ? `${status} in ${ms.toFixed(1)} ms` : problems.join(', '),
        });
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      fail(`no answer within ${spec.timeout_seconds} s`);
    }, spec.timeout_seconds * 1000);
    const onAbort = () => {
      req.destroy();
      fail('cancelled');
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => fail(describeNetworkError(error)));
    req.end();
  });
}
