import { createHash, timingSafeEqual } from 'node:crypto';

export type KeyCheck = 'ok' | 'missing' | 'wrong';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Compares the X-API-Key header with the server's key in constant time. Both sides are hashed
 * first so that timingSafeEqual always sees equal lengths and the key's length does not leak.
 */
export function createKeyChecker(apiKey: string): (header: string | string[] | undefined) => KeyCheck {
  if (apiKey.length === 0) throw new Error('the incident API needs a non-empty API key');
  const expected = digest(apiKey);
  return (header) => {
    const presented = Array.isArray(header) ? header[0] : header;
    if (presented === undefined || presented === '') return 'missing';
    return timingSafeEqual(digest(presented), expected) ? 'ok' : 'wrong';
  };
}
