import { describe, expect, it } from 'vitest';
import { sanitizeEvents, sanitizeLine, sanitizeStrings, sanitizeText, showControls, terminalSafeJson } from '../../src/text/sanitize.js';

describe('sanitizeText', () => {
  it.each([
    ['clear screen (CSI)', 'a\u001b[2Jb', 'ab'],
    ['colour with parameters', '\u001b[1;31mred\u001b[0m', 'red'],
    ['cursor up over earlier output', 'x\u001b[1Ay', 'xy'],
    ['window title (OSC ended by BEL)', 'a\u001b]0;pwned\u0007b', 'ab'],
    ['hyperlink (OSC 8 ended by ST)', '\u001b]8;;http://evil\u001b\\link\u001b]8;;\u001b\\', 'link'],
    ['unterminated OSC', 'a\u001b]0;title', 'a'],
    ['8-bit CSI', 'a\u009b2Jb', 'ab'],
    ['full reset (ESC c)', 'a\u001bcb', 'ab'],
    ['charset switch (ESC ( 0)', 'a\u001b(0b', 'ab'],
    ['bell, backspace, NUL, DEL', 'r\u0007i\u0008n\u0000g\u007f', 'ring'],
    ['carriage return that would overwrite the line', 'safe\rEVIL', 'safeEVIL'],
    ['bidirectional override', 'abc\u202edef', 'abcdef'],
  ])('removes %s', (_what, input, expected) => {
    expect(sanitizeText(input)).toBe(expected);
  });

  it('leaves plain text, newlines, tabs and non-Latin text alone', () => {
    const text = 'Disk full: 99 %\n\tnœud Straße 東京 ✓ → 😀\n';
    expect(sanitizeText(text)).toBe(text);
    expect(sanitizeText('one\r\ntwo')).toBe('one\ntwo');
  });

  it('sanitizeLine puts everything on one line', () => {
    expect(sanitizeLine('two\nlines\tand \u001b[2Ja tab')).toBe('two lines and a tab');
  });
});

describe('showControls', () => {
  it('shows the control characters of a file name rather than dropping them', () => {
    expect(showControls('bad\u001b[2J\nname.yaml')).toBe('bad\\x1b[2J\\nname.yaml');
    expect(showControls('ok.yaml')).toBe('ok.yaml');
  });
});

describe('terminalSafeJson', () => {
  it('escapes what JSON.stringify leaves raw, and parses back to the same data', () => {
    const value = { name: 'a\u009b2J\u202eb\u007f', plain: 'x' };
    const json = terminalSafeJson(value);
    expect(json).not.toMatch(/[\u007f-\u009f\u202e]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('sanitizeStrings and sanitizeEvents', () => {
  it('cleans every string of a nested object, leaving numbers and the original untouched', () => {
    const scenario = { name: 'x\u001b[2J', metrics: [{ name: 'cpu\u0007', value: 3 }], context: { alerts: ['\u001b]0;t\u0007ok'] } };
    expect(sanitizeStrings(scenario)).toEqual({ name: 'x', metrics: [{ name: 'cpu', value: 3 }], context: { alerts: ['ok'] } });
    expect(scenario.name).toBe('x\u001b[2J');
  });

  it('passes the events and the result through cleaned, and stops the source when the consumer stops', async () => {
    let cleanedUp = false;
    async function* source(): AsyncGenerator<{ message: string }, string> {
      try {
        yield { message: 'one\u001b[2J' };
        yield { message: 'two' };
        return 'done\u0007';
      } finally {
        cleanedUp = true;
      }
    }
    const all: string[] = [];
    const events = sanitizeEvents(source());
    for (;;) {
      const next = await events.next();
      if (next.done) {
        all.push(`result ${next.value}`);
        break;
      }
      all.push(next.value.message);
    }
    expect(all).toEqual(['one', 'two', 'result done']);

    cleanedUp = false;
    for await (const event of sanitizeEvents(source())) {
      expect(event.message).toBe('one');
      break;
    }
    expect(cleanedUp).toBe(true);
  });
});
