import { describe, expect, it } from 'vitest';
import { emptyKey, isInterrupt, keyOfCharacter, splitKeys } from '../../src/ui/keys/split-keys.js';

describe('splitKeys: a chunk of plain characters is the keys that were pressed', () => {
  it('cuts Enter Enter, jjj and "q\\r" (one piece for Ink) into single keys', () => {
    expect(splitKeys('\r\r', emptyKey()).map((press) => press.key.return)).toEqual([true, true]);
    expect(splitKeys('jjj', emptyKey()).map((press) => press.input)).toEqual(['j', 'j', 'j']);
    const [q, enter] = splitKeys('q\r', emptyKey());
    expect(q).toMatchObject({ input: 'q', key: { return: false } });
    expect(enter).toMatchObject({ input: '', key: { return: true } });
  });

  it('leaves alone what Ink already parsed as one key (an arrow, Esc, a modified key)', () => {
    const down = { ...emptyKey(), downArrow: true };
    expect(splitKeys('', down)).toEqual([{ input: '', key: down }]);
    const meta = { ...emptyKey(), meta: true };
    expect(splitKeys('q', meta)).toEqual([{ input: 'q', key: meta }]);
    expect(splitKeys('é', emptyKey())).toEqual([{ input: 'é', key: emptyKey() }]);
  });

  it('reads control characters the way Ink does when they come alone', () => {
    expect(keyOfCharacter('\t').key.tab).toBe(true);
    expect(keyOfCharacter('\u007F').key.delete).toBe(true);
    expect(keyOfCharacter('\b').key.backspace).toBe(true);
    expect(keyOfCharacter('A')).toMatchObject({ input: 'A', key: { shift: true } });
    const ctrlC = keyOfCharacter('\u0003');
    expect(ctrlC).toMatchObject({ input: 'c', key: { ctrl: true } });
    expect(isInterrupt(ctrlC)).toBe(true);
    // Ctrl-C typed after other keys in the same chunk still reads as Ctrl-C.
    expect(splitKeys('j\u0003', emptyKey()).map(isInterrupt)).toEqual([false, true]);
  });
});
