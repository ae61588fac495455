import { describe, expect, it } from 'vitest';
import { checkHttpUrl, displayUrl, endpointUrl, normalizeBaseUrl, parseHttpUrl, pickUrl, sameOrigin } from '../../src/http/url.js';

describe('one URL check for every source', () => {
  it('accepts http(s) URLs with a host, keeping credentials for the caller', () => {
    expect('url' in checkHttpUrl('http://127.0.0.1:9090')).toBe(true);
    expect('url' in checkHttpUrl(' https://user:pass@prom.example/prometheus/ ')).toBe(true);
  });

  it('says what is wrong, never echoing a password', () => {
    const problem = (raw: string) => ('problem' in checkHttpUrl(raw) ? (checkHttpUrl(raw) as { problem: string }).problem : 'ok');
    expect(problem('javascript:alert(1)')).toBe('found a javascript: URL');
    expect(problem('localhost:11434')).toBe('found "localhost:11434", which has no http:// or https:// in front');
    expect(problem('not a url')).toBe('found "not a url", which holds a space');
    expect(problem('')).toBe('found an empty value');
    expect(problem('http://')).toMatch(/not a URL|names no host/);
    expect(problem(`http://x/${'a'.repeat(3000)}`)).toBe('found 3009 characters (at most 2048)');
    expect(problem('ftp://admin:hunter2@files.example/')).toBe('found a ftp: URL');
    expect(problem('http//admin:hunter2@host')).not.toContain('hunter2');
  });

  it('a flag or variable is a usage error naming it', () => {
    expect(() => parseHttpUrl('javascript:alert(1)', '--prometheus', 'prometheus')).toThrow(
      '--prometheus: expected an http(s) URL such as http://localhost:9090, found a javascript: URL',
    );
  });
});

describe('the URL normalisers', () => {
  it('reduce a base URL to where endpoints hang off', () => {
    expect(normalizeBaseUrl('http://127.0.0.1:8000/api/v1/', { suffix: '/api/v1' })).toBe('http://127.0.0.1:8000');
    expect(normalizeBaseUrl('http://u:p@host:11434/v1/chat/completions?api-version=2#x', { suffix: '/chat/completions', keepQuery: true })).toBe(
      'http://host:11434/v1?api-version=2',
    );
    expect(normalizeBaseUrl('http://HOST/')).toBe('http://host');
    expect(endpointUrl('http://u:p@host/prometheus/', '/api/v1/alerts').toString()).toBe('http://host/prometheus/api/v1/alerts');
    expect(displayUrl('http://u:p@host:9090/x/?token=secret')).toBe('http://host:9090/x');
    expect(sameOrigin('http://host:9090/a', 'http://host:9090/b')).toBe(true);
    expect(sameOrigin('http://host:9090', 'https://host:9090')).toBe(false);
    expect(sameOrigin('http://host', undefined)).toBe(false);
  });
});

describe('pickUrl', () => {
  it('takes the flag, then the variable, then the config key; an empty variable is unset, an empty flag an error', () => {
    expect(pickUrl('api', [['--api', undefined], ['FIREDRILL_API_URL', ''], ['api.url', 'http://config:8000']])).toBe('http://config:8000');
    expect(pickUrl('api', [['--api', ' http://flag:8000 '], ['FIREDRILL_API_URL', 'http://env:8000']])).toBe('http://flag:8000');
    expect(pickUrl('api', [['--api', undefined], ['FIREDRILL_API_URL', undefined]])).toBeUndefined();
    expect(() => pickUrl('api', [['--api', '']])).toThrow('--api: expected an http(s) URL such as http://127.0.0.1:8000, found an empty value');
    expect(() => pickUrl('api', [['FIREDRILL_API_URL', 'javascript:x']])).toThrow('FIREDRILL_API_URL: expected an http(s) URL');
  });
});
