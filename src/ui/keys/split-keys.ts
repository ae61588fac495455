/**
 * Every key of a burst, one at a time.
 *
 * Ink 6 reads a chunk of stdin, cuts it at escape sequences, and hands each piece to the input
 * handlers in one synchronous loop. Two things follow, both seen as "keys typed quickly are lost"
 * (issue 8, item 3):
 * - a handler that reads state from its closure sees the state from before the burst for every
 *   piece (three Downs move the cursor once) — the router in KeyRouter.tsx fixes that by handing
 *   keys out one per React commit;
 * - plain characters that arrive together are one piece: `\r\r` or `jjj` reach the handler as a
 *   single "pasted" string that matches no key at all — this module cuts such a run into keys.
 *
 * Pure; tested in test/ui/keys.test.ts.
 */
import type { Key } from 'ink';

export interface KeyPress {
  input: string;
  key: Key;
}

export function emptyKey(): Key {
  return {
    upArrow: false,
    downArrow: false,
    leftArrow: false,
    rightArrow: false,
    pageDown: false,
    pageUp: false,
    home: false,
    end: false,
    return: false,
    escape: false,
    ctrl: false,
    shift: false,
    tab: false,
    backspace: false,
    delete: false,
    meta: false,
    super: false,
    hyper: false,
    capsLock: false,
    numLock: false,
  };
}

/** True when Ink saw anything but plain characters (an arrow, Esc, a modifier...). */
function isSpecial(key: Key): boolean {
  return Object.entries(key).some(([name, value]) => name !== 'shift' && value === true);
}

/** One character as Ink reports it when it arrives alone (mirrors ink/build/parse-keypress.js). */
export function keyOfCharacter(character: string): KeyPress {
  const key = emptyKey();
  switch (character) {
    case '\r':
      return { input: '', key: { ...key, return: true } };
    case '\n':
      return { input: '', key };
    case '\t':
      return { input: '', key: { ...key, tab: true } };
    case '\b':
      return { input: '', key: { ...key, backspace: true } };
    case '\u007F':
      return { input: '', key: { ...key, delete: true } };
  }
  const code = character.codePointAt(0) ?? 0;
  if (code >= 1 && code <= 26) return { input: String.fromCharCode(code + 96), key: { ...key, ctrl: true } };
  return { input: character, key: { ...key, shift: /^[A-Z]$/.test(character) } };
}

/** What Ink handed one handler call, as the separate keys a person pressed. */
export function splitKeys(input: string, key: Key): KeyPress[] {
  const characters = Array.from(input);
  if (characters.length <= 1 || isSpecial(key)) return [{ input, key }];
  return characters.map(keyOfCharacter);
}

export function isInterrupt({ input, key }: KeyPress): boolean {
  return key.ctrl && input === 'c';
}
