/**
 * The one describer of undici and socket errors, for every client (the incident API client, the
 * LLM client, the Prometheus and Alertmanager clients): a few words a user can act on, never a
 * stack, never a URL (the caller names the server, without credentials).
 */

/** The error's code: undici puts it on the error, on its cause, or on the first of an AggregateError's errors. */
export function networkErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth += 1) {
    const withCode = current as { code?: unknown; errors?: Array<{ code?: unknown }>; cause?: unknown };
    if (typeof withCode.code === 'string') return withCode.code;
    const first = withCode.errors?.[0]?.code;
    if (typeof first === 'string') return first;
    current = withCode.cause;
  }
  return undefined;
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'no route to the host',
  ECONNRESET: 'the connection was closed',
  EPIPE: 'the connection was closed',
  UND_ERR_SOCKET: 'the connection was closed',
  UND_ERR_CLOSED: 'the connection was closed',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
  UND_ERR_BODY_TIMEOUT: 'the answer stopped arriving',
  UND_ERR_RESPONSE_EXCEEDED_MAX_SIZE: 'the answer was too large',
};

/** Errors that mean the server was never reached (as opposed to one that answered badly or slowly). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

export function describeNetworkError(error: unknown): string {
  const code = networkErrorCode(error);
  if (code !== undefined && REASONS[code] !== undefined) return REASONS[code];
  if (code !== undefined && /CERT|SSL|TLS/i.test(code)) return `TLS failed: ${code}`;
  // A chunked body cut before its last chunk is an HTTPParserError "Invalid EOF state", whose code undici 7 leaves unset.
  if (error instanceof Error && error.name === 'HTTPParserError') {
    return /EOF/.test(error.message) ? 'the connection was closed' : 'the answer broke the HTTP protocol';
  }
  if (code !== undefined) return code;
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

export function isUnreachable(error: unknown): boolean {
  const code = networkErrorCode(error);
  return code !== undefined && UNREACHABLE.has(code);
}
