import { describe, expect, it } from 'vitest';
import { IncrementalJsonParser, JsonSyntaxError, findJsonStart, type JsonPath } from '../../src/analysis/json-stream.js';
import { SseReader } from '../../src/http/sse-reader.js';

const document = {
  hypotheses: [
    { description: 'Leak → OOM “kills” 🔥', evidence: [{ signal: 'a\\b', relevance: 0.95, n: -1.5e2 }], ok: true, none: null },
    { description: 'tab\there, quote " and \u00e9', evidence: [], nested: { deep: [[1], [2, { x: 'y' }]] } },
  ],
  actions: [],
};

function parseInPieces(text: string, size: number) {
  const strings: Array<[string, string]> = [];
  const values: Array<[JsonPath, unknown]> = [];
  let root: unknown;
  const parser = new IncrementalJsonParser({
    onString: (path, textSoFar) => strings.push([path.join('.'), textSoFar]),
    onValue: (path, value) => {
      values.push([path, value]);
      if (path.length === 0) root = value;
    },
  });
  for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
  return { parser, root, strings, values };
}

describe('IncrementalJsonParser', () => {
  it('gives the same value as JSON.parse however the text is split', () => {
    const text = JSON.stringify(document, null, 1).replace('é', '\\u00e9').replace('🔥', '\\ud83d\\udd25');
    for (const size of [1, 2, 3, 7, 64, text.length]) {
      const { parser, root } = parseInPieces(text, size);
      expect(parser.done).toBe(true);
      expect(root).toEqual(JSON.parse(text));
    }
  });

  it('reports each item as soon as it closes, with its path, and partial string text while it is written', () => {
    const text = JSON.stringify(document);
    const firstItemEnd = text.indexOf('},{"description"') + 1;
    const parser = new IncrementalJsonParser({
      onValue: (path, value) => completed.push([path.join('.'), value]),
      onString: (path, textSoFar) => partial.push([path.join('.'), textSoFar]),
    });
    const completed: Array<[string, unknown]> = [];
    const partial: Array<[string, string]> = [];
    const cut = text.indexOf('OOM');
    parser.push(text.slice(0, cut));
    expect(partial.at(-1)).toEqual(['hypotheses.0.description', 'Leak → ']);
    parser.push(text.slice(cut, firstItemEnd));
    expect(completed.map(([path]) => path)).toContain('hypotheses.0');
    expect(completed.find(([path]) => path === 'hypotheses.0')?.[1]).toEqual(document.hypotheses[0]);
    expect(parser.done).toBe(false);
  });

  it('throws a JsonSyntaxError naming the character where the JSON breaks', () => {
    const parser = new IncrementalJsonParser();
    expect(() => parser.push('{"a": [1, 2,, 3]}')).toThrow(JsonSyntaxError);
    expect(() => new IncrementalJsonParser().push('{"a": tru}')).toThrow('an unknown word "tru" at character 10');
    expect(() => new IncrementalJsonParser().push('{"a": 01}')).toThrow('an invalid number "01"');
  });

  it('keeps a "__proto__" key as a plain key', () => {
    const { root } = parseInPieces('{"__proto__": {"polluted": true}}', 5);
    expect(Object.keys(root as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('finds the JSON after prose and a ```json fence', () => {
    expect(findJsonStart('Sure! Here it is:\n```json\n{"a": 1}\n```')).toBe(26);
    expect(findJsonStart('{"a": 1}')).toBe(0);
    expect(findJsonStart('no json yet')).toBe(-1);
  });
});

describe('SseReader', () => {
  const wire = ': comment\r\n\r\nevent: message\r\ndata: {"n": "é→"}\r\n\r\ndata: line one\ndata: line two\n\ndata:[DONE]\r\r';

  it('reads events split anywhere, including inside CRLF and inside a UTF-8 character', () => {
    const bytes = Buffer.from(wire, 'utf8');
    for (const size of [1, 2, 3, 5, bytes.length]) {
      const reader = new SseReader();
      const events = [];
      for (let i = 0; i < bytes.length; i += size) events.push(...reader.push(bytes.subarray(i, i + size)));
      expect(events.map((event) => event.data)).toEqual(['{"n": "é→"}', 'line one\nline two', '[DONE]']);
    }
  });

  it('delivers a last event that lacks its closing blank line when the stream ends', () => {
    const reader = new SseReader();
    expect(reader.push('data: {"x": 1}\n\ndata: [DONE]')).toEqual([{ event: 'message', data: '{"x": 1}' }]);
    expect(reader.finish()).toEqual([{ event: 'message', data: '[DONE]' }]);
  });
});
