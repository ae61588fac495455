import { z } from 'zod';
import { UsageError } from '../errors.js';

/**
 * The one URL check for every place a URL enters firedrill (a flag, an environment variable, a
 * config key) for Prometheus, Alertmanager, the LLM and the incident API: http or https, a host,
 * no spaces, a bounded length. A flag or variable is refused with a UsageError naming it; a config
 * key through `httpUrlSchema`, whose message the config loader puts after the file and the key.
 * The normalisers below are the one way a base URL becomes an endpoint, is compared or is shown.
 */

export const MAX_URL_LENGTH = 2048;

/** Examples that appear in messages, one per kind of server. */
export const URL_EXAMPLES = {
  prometheus: 'http://localhost:9090',
  alertmanager: 'http://localhost:9093',
  llm: 'http://127.0.0.1:11434/v1',
  api: 'http://127.0.0.1:8000',
} as const;

export type UrlKind = keyof typeof URL_EXAMPLES;

/** Why `raw` is not a URL firedrill can call, or the parsed URL. */
export function checkHttpUrl(raw: string): { url: URL } | { problem: string } {
  const text = raw.trim();
  if (text === '') return { problem: 'found an empty value' };
  if (text.length > MAX_URL_LENGTH) return { problem: `found ${text.length} characters (at most ${MAX_URL_LENGTH})` };
  if (/\s/.test(text)) return { problem: `found ${shown(text)}, which holds a space` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: `found ${shown(text)}, which is not a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // "localhost:11434" parses as the scheme "localhost:": say what is missing rather than what it parsed as.
    const missingScheme = /^[a-z0-9.-]+:\d+/i.test(text);
    return { problem: missingScheme ? `found ${shown(text)}, which has no http:// or https:// in front` : `found a ${url.protocol} URL` };
  }
  if (url.hostname === '') return { problem: `found ${shown(text)}, which names no host` };
  return { url };
}

/** An http(s) URL from a flag or an environment variable; a UsageError naming `source` otherwise. */
export function parseHttpUrl(raw: string, source: string, kind: UrlKind): URL {
  const checked = checkHttpUrl(raw);
  if ('url' in checked) return checked.url;
  throw new UsageError(`${source}: expected an http(s) URL such as ${URL_EXAMPLES[kind]}, ${checked.problem}`);
}

/**
 * The URL from the first source that gives one (flag, then environment variable, then config key),
 * checked: a flag or variable that is not an http(s) URL is a UsageError naming it. A config key
 * was checked when the file loaded; it is named "<file>: <key>" should it be checked here.
 */
export function pickUrl(kind: UrlKind, sources: ReadonlyArray<readonly [from: string, raw: string | undefined]>): string | undefined {
  for (const [from, raw] of sources) {
    // An empty variable is unset (the shell's habit); an empty flag is a mistake, said as one.
    if (raw === undefined || (raw.trim() === '' && !from.startsWith('--'))) continue;
    parseHttpUrl(raw, from, kind);
    return raw.trim();
  }
  return undefined;
}

/** The same check for a config file key; the loader adds the file and the key. */
export function httpUrlSchema(kind: UrlKind) {
  return z.string().superRefine((raw, context) => {
    const checked = checkHttpUrl(raw);
    if ('problem' in checked) context.addIssue({ code: 'custom', message: `expected an http(s) URL such as ${URL_EXAMPLES[kind]}, ${checked.problem}` });
  });
}

/**
 * A base URL as the user may write it, reduced to the form endpoints hang off: no trailing
 * slashes, no credentials, no fragment, no query unless `keepQuery` (an LLM gateway may need its
 * ?api-version=), and without a pasted endpoint `suffix` ("/chat/completions", "/api/v1"). A path
 * prefix (Prometheus behind a proxy at /prometheus) is kept.
 */
export function normalizeBaseUrl(raw: string | URL, options: { suffix?: string; keepQuery?: boolean } = {}): string {
  const url = new URL(raw);
  let path = url.pathname.replace(/\/+$/, '');
  const { suffix } = options;
  if (suffix !== undefined && path.endsWith(suffix)) path = path.slice(0, -suffix.length).replace(/\/+$/, '');
  return `${url.origin}${path}${options.keepQuery ? url.search : ''}`;
}

/** `base` plus an API path after its own path, without credentials (they go in a header). */
export function endpointUrl(base: string | URL, path: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  url.username = '';
  url.password = '';
  url.hash = '';
  return url;
}

/** The URL as it may be shown: no user:password, no query string (either may carry a secret). */
export function displayUrl(raw: string | URL): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return '(an invalid URL)';
  }
}

/** Whether two URLs reach the same server (credentials configured for one never go to another). */
export function sameOrigin(a: string | URL | undefined, b: string | URL | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** A value as quoted in a message: credentials hidden, bounded, no control characters. */
function shown(text: string): string {
  const withoutCredentials = text.replace(/[^\s/@]+:[^\s/@]*@/g, '…@');
  const clean = withoutCredentials.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return JSON.stringify(clean.length > 80 ? `${clean.slice(0, 79)}…` : clean);
}
