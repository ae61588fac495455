import { chmodSync, mkdirSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { FiredrillPaths } from '../paths.js';
import type { NarrativeEvent, SceneView } from './engine.js';

/**
 * Speaker notes over a local Unix socket in the data dir (mode 0600: only this user): the presenter
 * publishes where it is, any number of `--notes` listeners follow, and a listener may send next /
 * back (presenters often stand at the notes screen). Either side may start first; a listener
 * reconnects when the presenter restarts. Newline-delimited JSON, one small message per change.
 */

export interface NotesState {
  narrative: { id: string; title: string; scenes: number; rehearsal: boolean };
  /** The scene whose effects run. */
  current: SceneView | null;
  /** The scene on screen (differs from `current` after "back"). */
  shown: SceneView | null;
  paused: boolean;
  sceneSeconds: number;
  totalSeconds: number;
  plannedTotalSeconds: number;
  /** "✓ hypothesis 1", "not coming: ..." for the current scene, or null while it waits. */
  status: string | null;
  reveal: string | null;
  finished: boolean;
  /** Bumped on every change; `sentAt` (ms epoch) lets a listener measure how late it is. */
  seq: number;
  sentAt: number;
}

export type NotesCommand = 'next' | 'back';

type PublisherMessage = { type: 'state'; state: NotesState };
type ListenerMessage = { type: 'command'; command: NotesCommand };

export function notesSocketPath(paths: FiredrillPaths): string {
  return path.join(paths.dataDir, 'demo-notes.sock');
}

/** Linux's limit for a socket path (sun_path), terminator included. */
const MAX_SOCKET_PATH = 107;
const MAX_LINE = 64 * 1024;

export function emptyNotesState(): NotesState {
  return {
    narrative: { id: '', title: '', scenes: 0, rehearsal: false },
    current: null,
    shown: null,
    paused: false,
    sceneSeconds: 0,
    totalSeconds: 0,
    plannedTotalSeconds: 0,
    status: null,
    reveal: null,
    finished: false,
    seq: 0,
    sentAt: 0,
  };
}

/** What the notes show, folded from the narrative's events (pure). */
export function notesReducer(state: NotesState, event: NarrativeEvent): NotesState {
  const next = (change: Partial<NotesState>): NotesState => ({ ...state, ...change, seq: state.seq + 1, sentAt: Date.now() });
  switch (event.type) {
    case 'narrative-started':
      return next({ narrative: { id: event.id, title: event.title, scenes: event.scenes, rehearsal: event.rehearsal }, plannedTotalSeconds: event.plannedSeconds });
    case 'scene-started':
      return next({ current: event.scene, shown: event.scene, sceneSeconds: 0, status: null, reveal: null, paused: false });
    case 'scene-shown':
      return next({ shown: event.scene });
    case 'satisfied':
      return next({ status: `✓ ${event.what} after ${event.afterSeconds} s` });
    case 'not-coming':
      return next({ status: `not coming: ${event.reason}` });
    case 'reveal':
      return next({ reveal: event.text });
    case 'paused':
      return next({ paused: event.paused });
    case 'clock':
      return next({ sceneSeconds: event.sceneSeconds, totalSeconds: event.totalSeconds });
    case 'narrative-finished':
      return next({ finished: true, totalSeconds: Math.floor(event.totalSeconds) });
    case 'effect':
    case 'effects-ended':
    case 'notice':
      return state;
  }
}

function lines(socket: net.Socket, onLine: (line: string) => void): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    if (buffer.length > MAX_LINE && !buffer.includes('\n')) {
      socket.destroy();
      return;
    }
    let end = buffer.indexOf('\n');
    while (end >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      if (line.trim() !== '') onLine(line);
      end = buffer.indexOf('\n');
    }
  });
}

export class NotesSocketError extends Error {
  override name = 'NotesSocketError';
}

/** True when a presenter answers on the socket. */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

export class NotesPublisher {
  private readonly listeners = new Set<net.Socket>();
  private latest: NotesState | null = null;

  private constructor(
    private readonly server: net.Server,
    readonly socketPath: string,
  ) {}

  /**
   * Listens on `socketPath` (created 0600). A socket file left by a presenter that died is replaced;
   * one a live presenter answers on is not (NotesSocketError).
   */
  static async open(socketPath: string, onCommand: (command: NotesCommand) => void): Promise<NotesPublisher> {
    if (socketPath.length > MAX_SOCKET_PATH) {
      throw new NotesSocketError(`the notes socket path ${socketPath} is longer than ${MAX_SOCKET_PATH} characters: use a shorter --data-dir`);
    }
    if (await answers(socketPath)) throw new NotesSocketError(`another presenter is publishing notes on ${socketPath}`);
    // A fresh data dir may not exist yet (nothing else has written to it).
    mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
    try {
      unlinkSync(socketPath);
    } catch {
      // None left over.
    }
    const server = net.createServer();
    const publisher = new NotesPublisher(server, socketPath);
    server.on('connection', (socket) => publisher.accept(socket, onCommand));
    // Created with no permission for group and others, then made sure of: nobody else may read the notes.
    const umask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketPath, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(umask);
    }
    chmodSync(socketPath, 0o600);
    server.unref();
    return publisher;
  }

  private accept(socket: net.Socket, onCommand: (command: NotesCommand) => void): void {
    this.listeners.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.listeners.delete(socket));
    lines(socket, (line) => {
      try {
        const message = JSON.parse(line) as Partial<ListenerMessage>;
        if (message.type === 'command' && (message.command === 'next' || message.command === 'back')) onCommand(message.command);
      } catch {
        // Not ours: ignored.
      }
    });
    if (this.latest) this.send(socket, { type: 'state', state: this.latest });
  }

  private send(socket: net.Socket, message: PublisherMessage): void {
    if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
  }

  publish(state: NotesState): void {
    this.latest = state;
    for (const socket of this.listeners) this.send(socket, { type: 'state', state });
  }

  listenerCount(): number {
    return this.listeners.size;
  }

  async close(): Promise<void> {
    for (const socket of this.listeners) socket.end();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.listeners) socket.destroy();
    try {
      unlinkSync(this.socketPath);
    } catch {
      // Gone already.
    }
  }
}

export type NotesUpdate = { type: 'waiting'; socketPath: string } | { type: 'connected' } | { type: 'state'; state: NotesState; receivedAt: number } | { type: 'disconnected' };

/** Follows a presenter: waits for it, reconnects when it goes away, sends next / back. */
export class NotesFollower {
  private socket: net.Socket | null = null;

  constructor(
    readonly socketPath: string,
    private readonly retryMs = 250,
  ) {}

  send(command: NotesCommand): boolean {
    const socket = this.socket;
    if (!socket || socket.destroyed || socket.connecting) return false;
    socket.write(`${JSON.stringify({ type: 'command', command } satisfies ListenerMessage)}\n`);
    return true;
  }

  async *updates(signal: AbortSignal): AsyncGenerator<NotesUpdate> {
    const queue: NotesUpdate[] = [];
    let wake: (() => void) | undefined;
    const push = (update: NotesUpdate) => {
      queue.push(update);
      wake?.();
    };
    let waitingSaid = false;
    // Not unref'ed: without a terminal, this timer is what keeps a waiting listener alive.
    let retry: NodeJS.Timeout | undefined;
    let ended = false;
    const connect = () => {
      if (signal.aborted || ended) return;
      const socket = net.connect(this.socketPath);
      let connected = false;
      socket.once('connect', () => {
        connected = true;
        waitingSaid = false;
        this.socket = socket;
        push({ type: 'connected' });
      });
      lines(socket, (line) => {
        try {
          const message = JSON.parse(line) as Partial<PublisherMessage>;
          if (message.type === 'state' && message.state) push({ type: 'state', state: message.state, receivedAt: Date.now() });
        } catch {
          // A line that is not ours: ignored.
        }
      });
      socket.on('error', () => undefined);
      socket.once('close', () => {
        if (this.socket === socket) this.socket = null;
        if (connected) push({ type: 'disconnected' });
        else if (!waitingSaid) {
          waitingSaid = true;
          push({ type: 'waiting', socketPath: this.socketPath });
        }
        if (!signal.aborted && !ended) retry = setTimeout(connect, this.retryMs);
      });
    };
    const onAbort = () => {
      clearTimeout(retry);
      this.socket?.destroy();
      wake?.();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    connect();
    try {
      while (!signal.aborted) {
        while (queue.length > 0) yield queue.shift()!;
        if (signal.aborted) break;
        await new Promise<void>((resolve) => {
          wake = () => {
            wake = undefined;
            resolve();
          };
        });
      }
    } finally {
      ended = true;
      clearTimeout(retry);
      signal.removeEventListener('abort', onAbort);
      this.socket?.destroy();
    }
  }
}
