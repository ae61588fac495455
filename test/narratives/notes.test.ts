import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyNotesState, NotesFollower, NotesPublisher, NotesSocketError, type NotesCommand, type NotesState, type NotesUpdate } from '../../src/narratives/notes.js';
import { waitFor } from '../helpers/cli.js';

let dir: string;
let socketPath: string;
const closers: (() => unknown)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fd-notes-'));
  socketPath = path.join(dir, 'demo-notes.sock');
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await rm(dir, { recursive: true, force: true });
});

function state(seq: number, title: string): NotesState {
  return { ...emptyNotesState(), seq, sentAt: Date.now(), current: null, shown: null, narrative: { id: 'n', title, scenes: 3, rehearsal: false } };
}

/** A follower whose updates are collected as they come. */
function follow(): { follower: NotesFollower; updates: NotesUpdate[] } {
  const follower = new NotesFollower(socketPath, 50);
  const controller = new AbortController();
  const updates: NotesUpdate[] = [];
  const reading = (async () => {
    for await (const update of follower.updates(controller.signal)) updates.push(update);
  })();
  closers.push(async () => {
    controller.abort();
    await reading;
  });
  return { follower, updates };
}

async function publisher(onCommand: (command: NotesCommand) => void = () => {}): Promise<NotesPublisher> {
  const opened = await NotesPublisher.open(socketPath, onCommand);
  closers.push(() => opened.close());
  return opened;
}

const titles = (updates: NotesUpdate[]) => updates.flatMap((update) => (update.type === 'state' ? [update.state.narrative.title] : []));

describe('speaker notes over a Unix socket', () => {
  it('is for this user only (0600), and several listeners follow, the late one getting the current state at once', async () => {
    const notes = await publisher();
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    const first = follow();
    await waitFor(() => notes.listenerCount() === 1, 5000, 'the first listener');
    notes.publish(state(1, 'scene one'));
    await waitFor(() => titles(first.updates).includes('scene one'), 5000, 'the first state');
    const second = follow();
    await waitFor(() => titles(second.updates).includes('scene one'), 5000, 'the late listener to catch up');
    notes.publish(state(2, 'scene two'));
    await waitFor(() => titles(first.updates).includes('scene two') && titles(second.updates).includes('scene two'), 5000, 'both to follow');
  });

  it('lets a listener start first, waits, then follows; reconnects when the presenter restarts', async () => {
    const { updates } = follow();
    await waitFor(() => updates.some((update) => update.type === 'waiting'), 5000, 'the listener to say it waits');
    const first = await publisher();
    await waitFor(() => first.listenerCount() === 1, 5000, 'the listener to connect');
    first.publish(state(1, 'before'));
    await waitFor(() => titles(updates).includes('before'), 5000, 'the state');
    await first.close();
    await waitFor(() => updates.some((update) => update.type === 'disconnected'), 5000, 'the listener to notice');
    const second = await publisher();
    await waitFor(() => second.listenerCount() === 1, 5000, 'the listener to reconnect');
    second.publish(state(1, 'after'));
    await waitFor(() => titles(updates).includes('after'), 5000, 'the state after the restart');
  });

  it('carries next and back from a listener to the presenter', async () => {
    const received: NotesCommand[] = [];
    const notes = await publisher((command) => received.push(command));
    const { follower } = follow();
    await waitFor(() => notes.listenerCount() === 1, 5000, 'the listener');
    await waitFor(() => follower.send('next'), 5000, 'the listener to be able to send');
    follower.send('next');
    follower.send('back');
    await waitFor(() => received.length === 3, 5000, 'the commands');
    expect(received).toEqual(['next', 'next', 'back']);
  });

  it('replaces a socket a dead presenter left, never one a live presenter answers on', async () => {
    await writeFile(socketPath, '');
    const notes = await publisher();
    await expect(NotesPublisher.open(socketPath, () => {})).rejects.toThrow(NotesSocketError);
    // The live one still serves.
    const probe = net.connect(socketPath);
    await new Promise((resolve, reject) => probe.once('connect', resolve).once('error', reject));
    probe.destroy();
    expect(notes.socketPath).toBe(socketPath);
  });
});
