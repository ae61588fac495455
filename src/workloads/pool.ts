import { constants } from 'node:os';
import { endChild, spawnChild, type Child } from '../drills/children.js';
import { trackChild, untrackChild } from '../drills/emergency.js';
import { readProcessStat } from '../drills/proc.js';
import { agentFields, PERL_LAUNCHER, prctlSyscallNumber, shAgentCommand, type AgentEngine, type AgentSpec } from './agent.js';

/**
 * Where a workload's processes come from: the perl launcher (one child of firedrill that forks
 * every agent) or, without perl, one sh child of firedrill per agent. Either way each agent is a
 * handle with its pid, its /proc start time and a promise of its end, and each is in the emergency
 * list (emergency.ts) from its start to its end, so that firedrill's last-resort cleanup ends it.
 */

export interface AgentHandle {
  pid: number;
  /** /proc start time in clock ticks (with the pid it names this process and no later one); null when unreadable. */
  startTime: number | null;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** A command line for the agent (perl only: see PERL_LAUNCHER). */
  send(text: string): void;
  kill(signal: NodeJS.Signals): void;
}

export interface AgentPool {
  readonly engine: AgentEngine;
  /** The launcher's own pid (null for sh, which has none): firedrill's, not the workload's. */
  readonly launcherPid: number | null;
  start(spec: AgentSpec): Promise<AgentHandle>;
  /** Resolves with a reason if the pool can no longer start agents (the launcher died). */
  readonly broken: Promise<string>;
  /** Ends the pool after its agents (ended by the caller first). */
  close(): Promise<void>;
}

/** The environment of every agent: nothing of firedrill's own (API keys...) goes to a thousand processes. */
export function agentEnvironment(): NodeJS.ProcessEnv {
  // A fixed mmap threshold lets the pattern memory an agent frees go back to the system.
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', MALLOC_MMAP_THRESHOLD_: '131072' };
}

function signalName(number: number): NodeJS.Signals | null {
  for (const [name, value] of Object.entries(constants.signals)) if (value === number) return name as NodeJS.Signals;
  return null;
}

class PerlLauncher implements AgentPool {
  readonly engine = 'perl' as const;
  readonly broken: Promise<string>;
  private readonly pending = new Map<number, { resolve(handle: AgentHandle): void; reject(error: Error): void; spec: AgentSpec }>();
  private readonly agents = new Map<number, { resolve(value: { code: number | null; signal: NodeJS.Signals | null }): void; exited: boolean }>();
  private nextId = 1;
  private buffer = '';
  private breakWith: (reason: string) => void = () => {};

  constructor(private readonly child: Child) {
    this.broken = new Promise((resolve) => {
      this.breakWith = resolve;
    });
    child.process.stdin?.on('error', () => {});
    child.process.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.read(chunk));
    void child.exited.then(({ code, signal }) => {
      const reason = `the process launcher ended (${signal ?? `exit ${code}`})${child.stderrTail() ? `: ${child.stderrTail()}` : ''}`;
      for (const { reject } of this.pending.values()) reject(new Error(reason));
      this.pending.clear();
      // Its agents died with it (pdeathsig); no one is left to report them, and their pids must not be signalled any more.
      this.endAgents();
      this.breakWith(reason);
    });
  }

  get launcherPid(): number {
    return this.child.pid;
  }

  static async open(): Promise<PerlLauncher> {
    const child = await spawnChild('perl', ['-e', PERL_LAUNCHER, '--', String(prctlSyscallNumber())], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: agentEnvironment(),
      cwd: '/',
    });
    return new PerlLauncher(child);
  }

  private read(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const [word, first, second = ''] = this.buffer.slice(0, newline).split(' ', 3);
      this.buffer = this.buffer.slice(newline + 1);
      if (word === 'started') this.started(Number(first), Number(second));
      else if (word === 'exited') this.exited(Number(first), Number(second));
      else if (word === 'failed') {
        const waiting = this.pending.get(Number(first));
        this.pending.delete(Number(first));
        waiting?.reject(new Error(`cannot start a process: ${second}`));
      }
    }
  }

  private started(id: number, pid: number): void {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    trackChild(pid);
    let resolveExit: (value: { code: number | null; signal: NodeJS.Signals | null }) => void = () => {};
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      resolveExit = resolve;
    });
    const state = { resolve: resolveExit, exited: false };
    this.agents.set(pid, state);
    waiting.resolve({
      pid,
      startTime: readProcessStat(pid)?.startTime ?? null,
      exited,
      hasExited: () => state.exited,
      send: (text) => {
        if (!state.exited) this.child.process.stdin?.write(`send\t${pid}\t${text}\n`);
      },
      kill: (signal) => {
        // Only while the launcher has not reported it reaped: until then the pid is still this agent.
        if (state.exited) return;
        try {
          process.kill(pid, signal);
        } catch {
          // Ended in the meantime.
        }
      },
    });
  }

  private exited(pid: number, status: number): void {
    const state = this.agents.get(pid);
    if (!state) return;
    this.agents.delete(pid);
    state.exited = true;
    untrackChild(pid);
    // A wait status: the exit code in the high byte, or the signal in the low seven bits.
    const signal = status & 0x7f;
    state.resolve(signal === 0 ? { code: (status >> 8) & 0xff, signal: null } : { code: null, signal: signalName(signal) });
  }

  start(spec: AgentSpec): Promise<AgentHandle> {
    if (this.child.hasExited()) return Promise.reject(new Error('the process launcher has ended'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, spec });
      this.child.process.stdin?.write(`spawn\t${id}\t${agentFields(spec).join('\t')}\n`);
    });
  }

  async close(): Promise<void> {
    // End of its stdin ends the launcher; any agent still there dies with it (pdeathsig).
    this.child.process.stdin?.end();
    await endChild(this.child, 2000);
    this.endAgents();
  }

  private endAgents(): void {
    for (const [pid, state] of this.agents) {
      state.exited = true;
      untrackChild(pid);
      state.resolve({ code: null, signal: 'SIGKILL' });
    }
    this.agents.clear();
  }
}

/** Without perl: one `sh` child of firedrill per agent (see SH_AGENT); it takes no commands. */
class ShPool implements AgentPool {
  readonly engine = 'sh' as const;
  readonly launcherPid = null;
  readonly broken = new Promise<string>(() => {});

  async start(spec: AgentSpec): Promise<AgentHandle> {
    const { command, args } = shAgentCommand(spec);
    const child = await spawnChild(command, args, { stdio: ['pipe', 'ignore', 'ignore'], env: agentEnvironment(), cwd: '/' });
    child.process.stdin?.on('error', () => {});
    return {
      pid: child.pid,
      startTime: child.startTime,
      exited: child.exited,
      hasExited: () => child.hasExited(),
      send: () => {},
      kill: (signal) => {
        if (!child.hasExited()) child.process.kill(signal);
      },
    };
  }

  async close(): Promise<void> {}
}

export async function openAgentPool(engine: AgentEngine): Promise<AgentPool> {
  return engine === 'perl' ? PerlLauncher.open() : new ShPool();
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the agent has ended. */
export async function endAgent(agent: AgentHandle, graceMs: number): Promise<void> {
  if (agent.hasExited()) return;
  agent.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      agent.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([agent.exited, late]);
  clearTimeout(timer);
  await agent.exited;
}
