import { execFileSync, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { readProcessStat } from './proc.js';
import { trackChild, untrackChild } from './emergency.js';

export { liveChildPids } from './emergency.js';

/**
 * Every process a drill starts goes through here, so that none can outlive firedrill:
 * - on Linux with util-linux's setpriv, the child runs under `setpriv --pdeathsig KILL`, so the
 *   kernel kills it the moment firedrill dies, even by kill -9;
 * - node children also run a small watchdog that exits when their parent changes or the IPC
 *   channel closes (the fallback where setpriv is missing);
 * - the pid of every live child is kept (see emergency.ts), so that firedrill ends only those.
 */

const SETPRIV_CANDIDATES = ['/usr/bin/setpriv', '/bin/setpriv', '/usr/sbin/setpriv'];
let setprivPath: string | null | undefined;

/** The setpriv binary when it exists and knows --pdeathsig (util-linux >= 2.33), else null. */
export function pdeathsigWrapper(): string | null {
  if (setprivPath !== undefined) return setprivPath;
  setprivPath = null;
  // FIREDRILL_NO_SETPRIV=1 exercises the fallback (the node watchdog) as on a machine without setpriv.
  if (process.platform !== 'linux' || process.env.FIREDRILL_NO_SETPRIV === '1') return setprivPath;
  for (const candidate of SETPRIV_CANDIDATES) {
    try {
      accessSync(candidate, constants.X_OK);
      const help = execFileSync(candidate, ['--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 });
      if (help.includes('--pdeathsig')) {
        setprivPath = candidate;
        break;
      }
    } catch {
      // Not there, or too old to know --pdeathsig.
    }
  }
  return setprivPath;
}

export interface Child {
  pid: number;
  /** From /proc/<pid>/stat: with the pid it names this process and no later one. Null off Linux. */
  startTime: number | null;
  process: ChildProcess;
  /** Resolves once the child has exited and Node has reaped it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** The last few hundred characters the child wrote to stderr (when it was piped), for error messages. */
  stderrTail(): string;
}

export interface SpawnOptions {
  stdio?: StdioOptions;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user and group (firedrill as root starting PostgreSQL, which refuses root). */
  uid?: number;
  gid?: number;
}

/** Spawns a child that dies with firedrill; resolves once it is running (rejects when it cannot start). */
export function spawnChild(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<Child> {
  const wrapper = pdeathsigWrapper();
  const [file, argv] = wrapper ? [wrapper, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, [...args]];
  const child = spawn(file, argv, {
    stdio: options.stdio ?? 'ignore',
    env: options.env ?? process.env,
    cwd: options.cwd,
    uid: options.uid,
    gid: options.gid,
  });
  // Later errors (a kill of a child that just exited) must not become an uncaught 'error' event.
  child.on('error', () => {});
  let exitedFlag = false;
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-600);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      if (child.pid !== undefined) untrackChild(child.pid);
      resolve({ code, signal });
    });
    // A child that never started emits 'error' and no 'exit'.
    child.once('error', () => {
      if (child.pid === undefined) {
        exitedFlag = true;
        resolve({ code: null, signal: null });
      }
    });
  });
  return new Promise((resolve, reject) => {
    child.once('spawn', () => {
      const pid = child.pid as number;
      trackChild(pid);
      resolve({
        pid,
        startTime: readProcessStat(pid)?.startTime ?? null,
        process: child,
        exited,
        hasExited: () => exitedFlag,
        stderrTail: () => stderr.trim(),
      });
    });
    child.once('error', (error) => {
      if (child.pid === undefined) reject(new Error(`cannot start ${command}: ${error.message}`));
    });
  });
}

/**
 * Prepended to every node child's script: exit when firedrill goes away, whatever the cause. The
 * parent pid is polled (the kernel re-parents an orphan to init or a subreaper) and the IPC channel,
 * when there is one, closes with the parent.
 */
const NODE_WATCHDOG = `
const __firedrillParent = process.ppid;
setInterval(() => { if (process.ppid !== __firedrillParent) process.exit(0); }, 200).unref();
if (process.channel) process.on('disconnect', () => process.exit(0));
`;

/**
 * Runs a script with this same node binary (works from sources under tsx and from the bundle
 * alike, since the script travels as text). The child gets an IPC channel for messages.
 */
export function spawnNodeChild(script: string, args: readonly string[] = [], options: Omit<SpawnOptions, 'stdio'> = {}): Promise<Child> {
  return spawnChild(process.execPath, ['-e', NODE_WATCHDOG + script, '--', ...args], {
    ...options,
    // The drills' children must never inherit a loader like tsx: they are plain scripts.
    env: { ...(options.env ?? process.env), NODE_OPTIONS: '' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
}

/** Asks a child to stop (SIGTERM), then SIGKILLs it after a grace; resolves once it has exited. */
export async function endChild(child: Child, graceMs = 2000): Promise<void> {
  if (child.hasExited()) return;
  child.process.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      if (!child.hasExited()) child.process.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([child.exited, killed]);
  clearTimeout(timer);
  await child.exited;
  child.process.channel?.unref();
}

/** SIGKILLs a child at once; resolves once it has exited. */
export async function killChild(child: Child): Promise<void> {
  if (!child.hasExited()) child.process.kill('SIGKILL');
  await child.exited;
}
