import type { Child } from '../drills/children.js';
import type { Ledger } from '../drills/ledger.js';
import type { SandboxProgram } from './programs.js';

/** The controls the sandbox needs of whatever runs a part (the supervisor's, by design). */
export interface Unit {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sends a signal to the running instance; its pid, or null when none runs. */
  kill(signal?: NodeJS.Signals): number | null;
  pid(): number | null;
}

const RESTART_DELAY_MS = 100;

/** Runs the program, recorded in the ledger while it lives, and starts it again when it exits unasked. */
export function startUnit(program: SandboxProgram, ledger: Ledger): Unit {
  let child: Child | undefined;
  let wanted = false;
  async function launch(): Promise<void> {
    const instance = await program.spawn();
    const started = instance.child;
    child = started;
    await ledger.addProcesses([{ pid: started.pid, startTime: started.startTime, command: program.name }]);
    void started.exited.then(async () => {
      await ledger.removeProcesses([started.pid]);
      if (wanted && child === started) setTimeout(() => void launch().then(() => instance.ready).catch(() => {}), RESTART_DELAY_MS);
    });
    await instance.ready;
  }
  return {
    async start() {
      wanted = true;
      await launch();
    },
    async stop() {
      wanted = false;
      const current = child;
      if (!current || current.hasExited()) return;
      if (program.stop) await program.stop(current, 2000);
      else current.process.kill('SIGKILL');
      await current.exited;
    },
    kill(signal = 'SIGKILL') {
      if (!child || child.hasExited()) return null;
      child.process.kill(signal);
      return child.pid;
    },
    pid: () => (child && !child.hasExited() ? child.pid : null),
  };
}
