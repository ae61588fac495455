import type { Instance } from 'ink';

/** Waits until an Ink app has exited; SIGTERM and SIGHUP (the terminal closed) take the same way out as Ctrl-C. */
export async function untilExit(app: Instance): Promise<void> {
  const onSignal = () => app.unmount();
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    await app.waitUntilExit();
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}
