/**
 * The Ink test helpers, in one place: render a console part inside a KeyRouter (as App does),
 * poll frames instead of sleeping, type keys one at a time or as one burst.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink-testing-library';
import { createElement, type ReactElement } from 'react';
import { KeyRouter } from '../../src/ui/keys/KeyRouter.js';

export const KEYS = {
  up: '\u001B[A',
  down: '\u001B[B',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  home: '\u001B[H',
  end: '\u001B[F',
  enter: '\r',
  escape: '\u001B',
  backspace: '\u007F',
  tab: '\t',
  ctrlC: '\u0003',
} as const;

type FrameSource = { lastFrame(): string | undefined } | (() => string | undefined);
type Expected = string | readonly string[] | ((frame: string) => boolean);

/** A console part as App renders it: inside the KeyRouter that feeds `useKeys`. */
export function withKeys(element: ReactElement, onInterrupt?: () => void): ReactElement {
  return createElement(KeyRouter, { onInterrupt, children: element });
}

/** ink-testing-library's render, inside a KeyRouter. */
export function renderInk(element: ReactElement, { onInterrupt }: { onInterrupt?: () => void } = {}) {
  return render(withKeys(element, onInterrupt));
}

function describeExpected(expected: Expected): string {
  return typeof expected === 'function' ? 'what was expected' : JSON.stringify(expected);
}

/**
 * Polls the last frame until it contains every expected text (or passes the predicate), and
 * returns it as a person reads it: without color codes, whatever FORCE_COLOR says.
 */
export async function waitForFrame(source: FrameSource, expected: Expected, timeoutMs = 10_000): Promise<string> {
  const read = typeof source === 'function' ? source : () => source.lastFrame();
  const passes =
    typeof expected === 'function' ? expected : (frame: string) => (typeof expected === 'string' ? [expected] : expected).every((text) => frame.includes(text));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = stripVTControlCharacters(read() ?? '');
    if (passes(frame)) return frame;
    if (Date.now() > deadline) throw new Error(`The frame never showed ${describeExpected(expected)}; last frame:\n${frame}`);
    await sleep(10);
  }
}

/** Polls a condition outside the frame (a callback was called, a generator finished). */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting until ${what}.`);
    await sleep(10);
  }
}

interface TestStdin {
  write(data: string): void;
  listenerCount?(event: string): number;
}

/** Ink reads stdin once a part listens to keys (after the first frame): keys before that are lost. */
async function untilListening(stdin: TestStdin): Promise<void> {
  if (typeof stdin.listenerCount !== 'function') return;
  await waitUntil(() => stdin.listenerCount!('readable') > 0, 'Ink reads stdin');
}

/** Keys as separate writes, the way a person types them. */
export async function press(stdin: TestStdin, ...keys: string[]): Promise<void> {
  await untilListening(stdin);
  for (const key of keys) {
    stdin.write(key);
    await sleep(1);
  }
}

/** Keys as one write, the way a clicker, a paste or `tmux send-keys Down Down Down` sends them. */
export async function burst(stdin: TestStdin, ...keys: string[]): Promise<void> {
  await untilListening(stdin);
  stdin.write(keys.join(''));
}

export async function type(stdin: TestStdin, text: string): Promise<void> {
  await press(stdin, ...text.split(''));
}

/**
 * Gives ink-testing-library's stdout (always 100 columns, no rows) a terminal's size, once the
 * first frame's effects have subscribed to resizes.
 */
export async function resize(instance: { stdout: NodeJS.EventEmitter | object }, { rows, columns }: { rows: number; columns: number }): Promise<void> {
  await sleep(5);
  Object.defineProperty(instance.stdout, 'rows', { value: rows, configurable: true });
  Object.defineProperty(instance.stdout, 'columns', { value: columns, configurable: true });
  (instance.stdout as NodeJS.EventEmitter).emit('resize');
}

/** A frame drawn for a terminal of `size`: shorter than it by a line at least, no wider. */
export function fits(frame: string, size: { rows: number; columns: number }): boolean {
  const lines = frame.split('\n');
  return lines.length < size.rows && lines.every((line) => line.length <= size.columns);
}
