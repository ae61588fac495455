/**
 * An incremental JSON parser for an LLM's answer, fed text as it streams in.
 *
 * Why not JSON.parse at the end: the console shows each hypothesis the moment its object closes
 * and the description while it is being written, long before the model has finished the answer.
 * The parser reports the partial text of every string value it is inside (`onString`) and every
 * value as soon as it is complete (`onValue`), each with its path from the root
 * (["hypotheses", 0, "description"]).
 *
 * Text before the root object (prose, a ```json fence) and after it is ignored; the caller picks
 * where the root starts (see `findJsonStart`).
 */

export type JsonPath = ReadonlyArray<string | number>;

export interface JsonStreamHandlers {
  /** The text of a string value read so far (called once per `push` while inside it). */
  onString?(path: JsonPath, textSoFar: string): void;
  /** A value (of any kind, at any depth) that has just been completed. */
  onValue?(path: JsonPath, value: unknown): void;
}

export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';
}

type Frame =
  | { kind: 'object'; value: Record<string, unknown>; key: string | undefined }
  | { kind: 'array'; value: unknown[] };

type State =
  | 'value'
  | 'array-value-or-end'
  | 'object-key-or-end'
  | 'object-key'
  | 'colon'
  | 'after-value'
  | 'string'
  | 'escape'
  | 'unicode'
  | 'number'
  | 'literal'
  | 'done';

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER_CHARS = /[0-9eE+\-.]/;
const NUMBER_SYNTAX = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const LITERALS: Record<string, unknown> = { true: true, false: false, null: null };
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

export class IncrementalJsonParser {
  private state: State = 'value';
  private readonly stack: Frame[] = [];
  private stringIsKey = false;
  private stringParts: string[] = [];
  private unicodeDigits = '';
  private pendingHighSurrogate: number | undefined;
  private token = '';
  private consumed = 0;

  constructor(private readonly handlers: JsonStreamHandlers = {}) {}

  /** True once the root value is complete; later text is ignored. */
  get done(): boolean {
    return this.state === 'done';
  }

  /** Characters consumed so far (the offset of the character after the root once done). */
  get position(): number {
    return this.consumed;
  }

  /** Feeds more text. Throws JsonSyntaxError at the first character that cannot be JSON. */
  push(text: string): void {
    for (let i = 0; i < text.length; i++) {
      if (this.state === 'done') return;
      this.step(text[i] as string);
      this.consumed++;
    }
    if ((this.state === 'string' || this.state === 'escape' || this.state === 'unicode') && !this.stringIsKey) {
      this.handlers.onString?.(this.currentPath(), this.stringParts.join(''));
    }
  }

  private step(char: string): void {
    switch (this.state) {
      case 'string':
        if (char === '"') this.finishString();
        else if (char === '\\') this.state = 'escape';
        else if (char < ' ') this.fail(`a raw control character in a string`);
        else this.appendToString(char);
        return;
      case 'escape':
        if (char === 'u') {
          this.unicodeDigits = '';
          this.state = 'unicode';
          return;
        }
        if (!(char in SIMPLE_ESCAPES)) this.fail(`an invalid escape "\\${char}"`);
        this.appendToString(SIMPLE_ESCAPES[char] as string);
        this.state = 'string';
        return;
      case 'unicode':
        if (!/[0-9a-fA-F]/.test(char)) this.fail(`an invalid \\u escape`);
        this.unicodeDigits += char;
        if (this.unicodeDigits.length === 4) {
          this.appendCodeUnit(parseInt(this.unicodeDigits, 16));
          this.state = 'string';
        }
        return;
      case 'number':
        if (NUMBER_CHARS.test(char)) {
          this.token += char;
          return;
        }
        this.finishNumber();
        this.step(char);
        return;
      case 'literal':
        if (/[a-z]/.test(char)) {
          this.token += char;
          if (this.token.length > 5) this.fail(`an unknown word "${this.token}"`);
          return;
        }
        this.finishLiteral();
        this.step(char);
        return;
      default:
        if (WHITESPACE.has(char)) return;
        this.structural(char);
    }
  }

  private structural(char: string): void {
    switch (this.state) {
      case 'value':
      case 'array-value-or-end':
        if (char === ']' && this.state === 'array-value-or-end') return this.closeContainer('array');
        return this.startValue(char);
      case 'object-key-or-end':
      case 'object-key':
        if (char === '}' && this.state === 'object-key-or-end') return this.closeContainer('object');
        if (char !== '"') this.fail(`"${char}" where a key was expected`);
        this.startString(true);
        return;
      case 'colon':
        if (char !== ':') this.fail(`"${char}" where ":" was expected`);
        this.state = 'value';
        return;
      case 'after-value': {
        const top = this.stack[this.stack.length - 1];
        if (!top) return this.fail(`"${char}" after the end`);
        if (char === ',') {
          this.state = top.kind === 'object' ? 'object-key' : 'value';
          return;
        }
        if (char === '}' && top.kind === 'object') return this.closeContainer('object');
        if (char === ']' && top.kind === 'array') return this.closeContainer('array');
        return this.fail(`"${char}" where "," or the end of ${top.kind === 'object' ? 'an object' : 'an array'} was expected`);
      }
      default:
        return this.fail(`an unexpected "${char}"`);
    }
  }

  private startValue(char: string): void {
    if (char === '{') {
      this.stack.push({ kind: 'object', value: {}, key: undefined });
      this.state = 'object-key-or-end';
    } else if (char === '[') {
      this.stack.push({ kind: 'array', value: [] });
      this.state = 'array-value-or-end';
    } else if (char === '"') {
      this.startString(false);
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      this.token = char;
      this.state = 'number';
    } else if (char >= 'a' && char <= 'z') {
      this.token = char;
      this.state = 'literal';
    } else {
      this.fail(`"${char}" where a value was expected`);
    }
  }

  private startString(isKey: boolean): void {
    this.stringIsKey = isKey;
    this.stringParts = [];
    this.pendingHighSurrogate = undefined;
    this.state = 'string';
  }

  private appendToString(text: string): void {
    this.flushLoneSurrogate();
    this.stringParts.push(text);
  }

  /** \uD83D\uDE00 arrives as two escapes: keep the high half until the low half comes. */
  private appendCodeUnit(unit: number): void {
    if (unit >= 0xdc00 && unit <= 0xdfff && this.pendingHighSurrogate !== undefined) {
      this.stringParts.push(String.fromCharCode(this.pendingHighSurrogate, unit));
      this.pendingHighSurrogate = undefined;
      return;
    }
    this.flushLoneSurrogate();
    if (unit >= 0xd800 && unit <= 0xdbff) this.pendingHighSurrogate = unit;
    else this.stringParts.push(String.fromCharCode(unit));
  }

  private flushLoneSurrogate(): void {
    if (this.pendingHighSurrogate === undefined) return;
    this.stringParts.push('\uFFFD');
    this.pendingHighSurrogate = undefined;
  }

  private finishString(): void {
    this.flushLoneSurrogate();
    const text = this.stringParts.join('');
    this.stringParts = [];
    if (this.stringIsKey) {
      const top = this.stack[this.stack.length - 1];
      if (top?.kind === 'object') top.key = text;
      this.state = 'colon';
      return;
    }
    this.completeValue(text);
  }

  private finishNumber(): void {
    if (!NUMBER_SYNTAX.test(this.token)) this.fail(`an invalid number "${this.token}"`);
    this.completeValue(Number(this.token));
  }

  private finishLiteral(): void {
    if (!(this.token in LITERALS)) this.fail(`an unknown word "${this.token}"`);
    this.completeValue(LITERALS[this.token]);
  }

  private closeContainer(kind: Frame['kind']): void {
    const frame = this.stack.pop();
    if (!frame || frame.kind !== kind) return this.fail(`a misplaced closing bracket`);
    this.completeValue(frame.value);
  }

  private completeValue(value: unknown): void {
    this.handlers.onValue?.(this.currentPath(), value);
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      this.state = 'done';
      return;
    }
    if (top.kind === 'array') {
      top.value.push(value);
    } else if (top.key !== undefined) {
      // defineProperty: a key "__proto__" from a model must stay a plain key.
      Object.defineProperty(top.value, top.key, { value, enumerable: true, writable: true, configurable: true });
    }
    this.state = 'after-value';
  }

  /** The path of the value being read: every frame's key or next index. */
  private currentPath(): JsonPath {
    return this.stack.map((frame) => (frame.kind === 'object' ? (frame.key ?? '') : frame.value.length));
  }

  private fail(what: string): never {
    throw new JsonSyntaxError(`${what} at character ${this.consumed + 1}`);
  }
}

/**
 * Where the JSON object of an answer starts, from `from` on: the first "{" after a ```json fence
 * when there is one, otherwise the first "{". -1 when none has arrived yet.
 */
export function findJsonStart(text: string, from = 0): number {
  const fence = /```(?:json|JSON)?[ \t]*\r?\n/g;
  fence.lastIndex = from;
  const fenced = fence.exec(text);
  if (fenced) {
    const brace = text.indexOf('{', fenced.index + fenced[0].length);
    if (brace !== -1) return brace;
  }
  return text.indexOf('{', from);
}
