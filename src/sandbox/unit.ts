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

/** Runs one instance, recorded in the ledger while it lives; no restart. */
export function startUnit(program: SandboxProgram, ledger: Ledger): Unit {
  let child: Child | undefined;
  return {
    async start() {
      const instance = await program.spawn();
      child = instance.child;
      const started = instance.child;
      await ledger.addProcesses([{ pid: started.pid, startTime: started.startTime, command: program.name }]);
      void started.exited.then(() => ledger.removeProcesses([started.pid]));
      await instance.ready;
    },
    async stop() {
      if (!child || child.hasExited()) return;
      if (program.stop) await program.stop(child, 2000);
      else child.process.kill('SIGKILL');
      await child.exited;
      await ledger.removeProcesses([child.pid]);
    },
    kill(signal = 'SIGKILL') {
      if (!child || child.hasExited()) return null;
      child.process.kill(signal);
      return child.pid;
    },
    pid: () => (child && !child.hasExited() ? child.pid : null),
  };
}
