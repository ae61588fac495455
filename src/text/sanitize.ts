/**
 * Text that came from a file or a server (scenario names, config values, history rows, server
 * answers, file names) must not drive the terminal: an escape sequence in a scenario's name could
 * clear the screen, retitle the window, move the cursor over earlier output or hide text. These
 * helpers take escape sequences out whole (not only their ESC, which would leave "[2J" behind)
 * and drop the other control characters. Plain text passes through unchanged.
 */

/**
 * ECMA-48 escape sequences, 7-bit and 8-bit: CSI (ESC [ or U+009B) with its parameters; OSC, DCS,
 * SOS, PM and APC strings up to their terminator (BEL or ST) or the end of the text; and the short
 * ESC sequences (ESC c, ESC ( B, ...).
 */
const ESCAPE_SEQUENCE =
  /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u009c\u001b]*(?:\u0007|\u009c|\u001b\\)?|\u001b[\u0020-\u002f]*[\u0030-\u007e]?/g;

/** C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides that reorder what is shown. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** For text of several lines (a description, a warning): keeps newlines and tabs, drops the rest. */
export function sanitizeText(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}

/** For one line (a table cell, a name): as sanitizeText, with newlines and tabs turned into spaces. */
export function sanitizeLine(text: string): string {
  return sanitizeText(text).replace(/[\n\t]/g, ' ');
}

/**
 * For names the user must find again (a file name with ESC and a newline in it): every control
 * character shown as an escape (`\x1b`, `\n`) rather than removed, on one line.
 */
export function showControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (char) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    const code = char.charCodeAt(0);
    return named[char] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}

/**
 * JSON for a terminal: JSON.stringify already escapes C0 controls, but not C1 controls or the
 * bidirectional overrides; escaping those too keeps the same data and valid JSON.
 */
export function terminalSafeJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * A copy of `value` with sanitizeText applied to every string in it (plain objects and arrays,
 * any depth): for a whole scenario, event or row at the point where it enters a front end.
 */
export function sanitizeStrings<T>(value: T): T {
  if (typeof value === 'string') return sanitizeText(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => sanitizeStrings(item)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, sanitizeStrings(item)])) as T;
  }
  return value;
}

/** The same events (and result), each sanitised with sanitizeStrings; ending early ends the source too. */
export async function* sanitizeEvents<E, R>(events: AsyncGenerator<E, R>): AsyncGenerator<E, R> {
  try {
    for (;;) {
      const next = await events.next();
      if (next.done) return sanitizeStrings(next.value);
      yield sanitizeStrings(next.value);
    }
  } finally {
    // A consumer that stops early (a screen left, an abort) must still stop the source and run its cleanup.
    await events.return(undefined as R);
  }
}
