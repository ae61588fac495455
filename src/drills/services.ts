import { existsSync } from 'node:fs';
import http from 'node:http';
import type { DrillsConfig } from '../config/config.js';
import { endChild, killChild, spawnChild, spawnNodeChild, type Child } from './children.js';
import type { Ledger } from './ledger.js';

/** What service_restart drives: start, stop, and a health check that says whether it serves. */
export interface ServiceControl {
  /** "the canary service on 127.0.0.1:41234", "systemd unit nginx.service". */
  label(): string;
  start(): Promise<void>;
  stop(): Promise<void>;
  healthy(): Promise<boolean>;
  /** Leaves the service as firedrill found it (the canary: stopped; a real service: untouched). */
  dispose(): Promise<void>;
}

type ServiceConfig = DrillsConfig['service_restart'];

const HEALTH_TIMEOUT_MS = 1000;
const COMMAND_HEALTH_TIMEOUT_MS = 5000;

/**
 * The canary: a tiny HTTP service on loopback that firedrill starts and supervises itself, so that
 * service_restart works anywhere (no systemd in containers) and never touches a real service.
 * A restart listens on the same port again, as a real service would.
 */
const CANARY = `
const http = require('node:http');
const port = Number(process.argv[1]);
const server = http.createServer((request, response) => {
  const healthy = request.url === '/health';
  response.writeHead(healthy ? 200 : 404, { 'content-type': 'text/plain', connection: 'close' });
  response.end(healthy ? 'ok\\n' : 'not found\\n');
});
let attempts = 0;
server.on('error', (error) => {
  if (error.code === 'EADDRINUSE' && ++attempts < 30) { setTimeout(() => server.listen(port, '127.0.0.1'), 100); return; }
  console.error(error.message);
  process.exit(1);
});
server.on('listening', () => process.send({ type: 'listening', port: server.address().port }));
server.listen(port, '127.0.0.1');
`;

/**
 * Starts one canary process on `port` (0: any free port), named `title` in `ps` when given (live
 * faults give it a plausible service's name). `listening` resolves with the port once it serves, and
 * rejects when the process exits first. The caller records the child in the ledger.
 */
export async function spawnCanary(port: number, title?: string): Promise<{ child: Child; listening: Promise<number> }> {
  const child = await spawnNodeChild(title ? `process.title = ${JSON.stringify(title)};\n${CANARY}` : CANARY, [String(port)]);
  // Listening first: an IPC message that arrives while nobody listens is lost.
  const listening = new Promise<number>((resolve, reject) => {
    child.process.once('message', (message: { type: string; port: number }) => resolve(message.port));
    void child.exited.then(() => reject(new Error(`the canary service exited at start: ${child.stderrTail() || 'no message'}`)));
  });
  // Handled by the caller; this only keeps an early exit from counting as an unhandled rejection meanwhile.
  listening.catch(() => undefined);
  return { child, listening };
}

export interface CanaryOptions {
  /** The name `ps` shows for it (default "node"). */
  processTitle?: string;
}

export class CanaryService implements ServiceControl {
  private child: Child | undefined;
  private port = 0;

  constructor(
    private readonly ledger: Ledger,
    private readonly options: CanaryOptions = {},
  ) {}

  label(): string {
    return `the canary service on 127.0.0.1:${this.port}`;
  }

  healthUrl(): string {
    return `http://127.0.0.1:${this.port}/health`;
  }

  async start(): Promise<void> {
    const title = this.options.processTitle;
    const { child, listening } = await spawnCanary(this.port, title);
    this.child = child;
    await this.ledger.addProcesses([{ pid: child.pid, startTime: child.startTime, command: title ? `canary ${title}` : 'service_restart canary' }]);
    this.port = await listening;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    await endChild(child, 2000);
    await this.ledger.removeProcesses([child.pid]);
  }

  healthy(): Promise<boolean> {
    return httpHealthy(this.healthUrl());
  }

  /** The pid of the running canary (for tests and reports), or null while it is stopped. */
  pid(): number | null {
    return this.child?.pid ?? null;
  }

  dispose(): Promise<void> {
    return this.stop();
  }
}

/** GET url on a fresh connection: healthy means a 2xx answer within a second (or timeoutMs). */
export function httpHealthy(url: string, timeoutMs = HEALTH_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

interface CommandRun {
  code: number | null;
  stderr: string;
  timedOut: boolean;
}

async function runCommand(command: string, args: readonly string[], timeoutMs: number): Promise<CommandRun> {
  const child = await spawnChild(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void killChild(child);
  }, timeoutMs);
  const { code } = await child.exited;
  clearTimeout(timer);
  return { code, stderr: child.stderrTail(), timedOut };
}

function explain(what: string, run: CommandRun, timeoutMs: number): string {
  if (run.timedOut) return `${what} did not finish within ${timeoutMs / 1000} s`;
  const detail = run.stderr ? `: ${run.stderr.split('\n').pop()}` : '';
  return `${what} exited with code ${run.code}${detail}`;
}

/** A service driven by the user's own shell commands (drills.service_restart.start / stop / health). */
export class CommandService implements ServiceControl {
  constructor(
    private readonly commands: { start: string; stop: string; health: string },
    private readonly timeoutMs: number,
  ) {}

  label(): string {
    return 'the service behind drills.service_restart.start/stop/health';
  }

  private async must(key: 'start' | 'stop'): Promise<void> {
    const run = await runCommand('/bin/sh', ['-c', this.commands[key]], this.timeoutMs);
    if (run.code !== 0) throw new Error(explain(`the drills.service_restart.${key} command`, run, this.timeoutMs));
  }

  start(): Promise<void> {
    return this.must('start');
  }

  stop(): Promise<void> {
    return this.must('stop');
  }

  async healthy(): Promise<boolean> {
    return (await runCommand('/bin/sh', ['-c', this.commands.health], COMMAND_HEALTH_TIMEOUT_MS)).code === 0;
  }

  async dispose(): Promise<void> {}
}

/** A systemd unit: `systemctl [--user] stop|start UNIT`, healthy while `systemctl is-active` says so. */
export class SystemdService implements ServiceControl {
  constructor(
    private readonly unit: string,
    private readonly user: boolean,
    private readonly timeoutMs: number,
  ) {}

  label(): string {
    return `the systemd${this.user ? ' user' : ''} unit ${this.unit}`;
  }

  private args(...rest: string[]): string[] {
    return [...(this.user ? ['--user'] : []), ...rest];
  }

  private async must(verb: 'start' | 'stop'): Promise<void> {
    const run = await runCommand('systemctl', this.args(verb, this.unit), this.timeoutMs);
    if (run.code !== 0) throw new Error(explain(`systemctl ${this.args(verb, this.unit).join(' ')}`, run, this.timeoutMs));
  }

  start(): Promise<void> {
    return this.must('start');
  }

  stop(): Promise<void> {
    return this.must('stop');
  }

  async healthy(): Promise<boolean> {
    return (await runCommand('systemctl', this.args('is-active', '--quiet', this.unit), COMMAND_HEALTH_TIMEOUT_MS)).code === 0;
  }

  async dispose(): Promise<void> {}
}

/** Why this service config cannot run here, naming the key, or null. */
export function serviceConfigProblem(config: ServiceConfig): string | null {
  switch (config.target) {
    case 'canary':
      return null;
    case 'command': {
      const missing = (['start', 'stop', 'health'] as const).filter((key) => config[key] === undefined);
      return missing.length > 0
        ? `drills.service_restart.target is command but ${missing.map((key) => `drills.service_restart.${key}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`
        : null;
    }
    case 'systemd':
      if (!config.unit) return 'drills.service_restart.target is systemd but drills.service_restart.unit is not set';
      if (!existsSync('/run/systemd/system')) {
        return 'systemd is not running on this machine (/run/systemd/system is missing): use drills.service_restart.target canary or command';
      }
      return null;
  }
}

export function createServiceControl(config: ServiceConfig, ledger: Ledger): ServiceControl {
  const timeoutMs = config.healthy_within_seconds * 1000;
  switch (config.target) {
    case 'canary':
      return new CanaryService(ledger);
    case 'command':
      return new CommandService({ start: config.start ?? '', stop: config.stop ?? '', health: config.health ?? '' }, timeoutMs);
    case 'systemd':
      return new SystemdService(config.unit ?? '', config.user, timeoutMs);
  }
}
