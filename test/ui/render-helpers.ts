/** Polls the rendered frame until it contains every expected text: never a fixed sleep. */
export async function waitForFrame(
  lastFrame: () => string | undefined,
  expected: string | string[] | ((frame: string) => boolean),
  timeoutMs = 10_000,
): Promise<string> {
  const check =
    typeof expected === 'function'
      ? expected
      : (frame: string) => (Array.isArray(expected) ? expected : [expected]).every((text) => frame.includes(text));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = lastFrame() ?? '';
    if (check(frame)) return frame;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${JSON.stringify(String(expected))}; last frame:\n${frame}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Keys one at a time with a short pause: keys arriving in one chunk act on stale state. */
export async function press(stdin: { write(data: string): void }, ...keys: string[]): Promise<void> {
  // A screen that just appeared subscribes to input in an effect, after its first frame.
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (const key of keys) {
    stdin.write(key);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const KEY = { up: '\u001B[A', down: '\u001B[B', enter: '\r', escape: '\u001B', ctrlC: '\u0003' } as const;
