/**
 * The speaker notes terminal (`firedrill demo ID --notes`): the presenter's current scene with its
 * notes, what comes next, both timers, whether the scene's effect came; next / back typed here
 * drive the presenter. It follows the presenter over the notes socket, waits for it when it is not
 * there yet, and reconnects when it comes back.
 */
import { Text } from 'ink';
import type { NotesFollower, NotesState, NotesUpdate } from '../../narratives/notes.js';
import { useEngine, type EngineSignal } from '../hooks/use-engine.js';
import { useKeys } from '../keys/use-keys.js';
import { figuresPanel, paragraphs, textPanel, type Figure } from '../panels/index.js';
import { ScreenShell } from '../shell/ScreenShell.js';
import { clickerCommand } from './PresenterScreen.js';

export interface NotesView {
  connection: 'waiting' | 'connected' | 'lost';
  socketPath: string;
  state: NotesState | null;
}

export function notesViewReducer(view: NotesView, update: NotesUpdate | EngineSignal): NotesView {
  switch (update.type) {
    case 'waiting':
      return { ...view, connection: view.connection === 'connected' ? 'lost' : view.connection === 'lost' ? 'lost' : 'waiting' };
    case 'connected':
      return { ...view, connection: 'connected' };
    case 'disconnected':
      return { ...view, connection: 'lost' };
    case 'state':
      return { ...view, state: update.state };
    default:
      return view;
  }
}

function clock(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

export function NotesScreen({ follower, narrativeId, onQuit }: { follower: NotesFollower; narrativeId: string | null; onQuit(): void }) {
  const { state: view } = useEngine((signal) => follower.updates(signal), notesViewReducer, (): NotesView => ({ connection: 'waiting', socketPath: follower.socketPath, state: null }));
  useKeys((input, key) => {
    const command = clickerCommand(input, key);
    if (command) follower.send(command);
    else if (input === 'q' || key.escape) onQuit();
  });
  const state = view.state;
  const scene = state?.shown ?? null;
  const other = state && narrativeId !== null && state.narrative.id !== '' && state.narrative.id !== narrativeId ? ` (the presenter shows ${state.narrative.id})` : '';
  const connection =
    view.connection === 'connected' ? <Text color="green">following</Text> : view.connection === 'lost' ? <Text color="yellow">presenter gone: waiting</Text> : <Text dimColor>waiting for the presenter</Text>;
  const figures: Figure[] = [];
  if (state && scene) {
    figures.push({ label: 'scene', value: `${clock(state.sceneSeconds)} of ${clock(scene.plannedSeconds)}`, tone: state.sceneSeconds > scene.plannedSeconds ? 'warn' : 'good' });
    figures.push({ label: 'total', value: `${clock(state.totalSeconds)} of ${clock(state.plannedTotalSeconds)}`, tone: state.totalSeconds > state.plannedTotalSeconds ? 'warn' : 'good' });
    if (scene.until) figures.push({ label: 'waits for', value: scene.until });
    if (state.status) figures.push({ label: 'effect', value: state.status, tone: state.status.startsWith('not coming') ? 'warn' : 'good' });
    if (state.paused) figures.push({ label: 'presenter', value: 'PAUSED', tone: 'warn' });
    if (state.current && state.current.index !== scene.index) figures.push({ label: 'live scene', value: `${state.current.index + 1}: ${state.current.title}`, tone: 'warn' });
  }
  return (
    <ScreenShell
      title={
        <>
          {scene ? `Notes · ${scene.index + 1}/${scene.count} ${scene.title}` : 'Speaker notes'}
          <Text dimColor bold={false}>
            {state ? ` · ${state.narrative.title}` : narrativeId ? ` · ${narrativeId}` : ''}
            {other}
          </Text>
        </>
      }
      status={connection}
      caption={state?.finished ? 'The demo is over.' : scene ? `next: ${scene.nextTitle ?? '(the end)'}` : `listening on ${view.socketPath}`}
      panels={[
        figuresPanel(figures, { id: 'timers', priority: 0 }),
        // Nothing to show but the socket until the presenter says where it is.
        scene ? textPanel(paragraphs(scene.say), { id: 'say', title: 'On screen', priority: 2 }) : null,
        scene ? textPanel(paragraphs(scene.notes ?? '(no notes for this scene)'), { id: 'notes', title: 'Notes', priority: 1, min: 3 }) : null,
        textPanel(paragraphs([scene?.ask ? `Ask: ${scene.ask}` : '', state?.reveal ? `Answer: ${state.reveal}` : ''].filter(Boolean).join('\n')), { id: 'ask', priority: 3 }),
      ]}
      keys={[
        { key: '→/Space', label: 'next' },
        { key: '←', label: 'back' },
        { key: 'q', label: 'close the notes' },
      ]}
    />
  );
}
