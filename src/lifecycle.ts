/**
 * Work that must finish before firedrill exits (a drill cleaning up after an abort, a store
 * flushing). The single exit path awaits these, bounded, then falls back to emergency cleanup.
 */
const pending = new Set<Promise<unknown>>();

export function trackTask<T>(task: Promise<T>): Promise<T> {
  pending.add(task);
  void task.then(
    () => pending.delete(task),
    () => pending.delete(task),
  );
  return task;
}

/** Resolves true when every tracked task settled within `timeoutMs`, false otherwise. */
export async function drainTasks(timeoutMs: number): Promise<boolean> {
  if (pending.size === 0) return true;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const settled = Promise.allSettled([...pending]).then(() => true as const);
  const result = await Promise.race([settled, timedOut]);
  clearTimeout(timer);
  return result;
}
